/** Kibana's exception-list API (`/api/exception_lists...`) plus Execwatch's preview and review. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  createExceptionListItemSchema,
  createExceptionListSchema,
  exceptionSettingsSchema,
  previewExceptionRequestSchema,
  updateExceptionListItemSchema,
  updateExceptionListSchema,
} from '@execwatch/api';
import { actor, type RouteContext } from '../http/context';
import { badRequest, notFound } from '../http/errors';
import { parseBody, parseQuery } from '../http/validate';
import { exportList, importExceptions } from './import-export';
import { readImportFile } from './multipart';
import { previewException, type PreviewRule } from './preview';
import * as service from './service';

/** The rules lookup the exception routes need (supplied by the rules registry). */
export interface ExceptionRoutesDeps {
  getRule(ruleId: string): Promise<(PreviewRule & { exceptions_list?: { list_id: string }[] }) | null>;
}

const idOrListId = z.object({
  id: z.string().min(1).max(512).optional(),
  list_id: z.string().min(1).max(512).optional(),
  namespace_type: z.string().max(100).optional(),
});
const idOrItemId = z.object({
  id: z.string().min(1).max(512).optional(),
  item_id: z.string().min(1).max(512).optional(),
  namespace_type: z.string().max(100).optional(),
  expire_now: z.enum(['true', 'false']).optional(),
});
const paging = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  per_page: z.coerce.number().int().min(1).max(10_000).default(20),
};
const findListsQuery = z.object({ ...paging, namespace_type: z.string().max(100).optional(), sort_field: z.string().optional(), sort_order: z.string().optional(), filter: z.string().max(2000).optional() });
const findItemsQuery = z.object({
  ...paging,
  list_id: z.string().min(1, 'list_id is required').max(10_000),
  filter: z.string().max(2000).optional(),
  namespace_type: z.string().max(100).optional(),
  sort_field: z.string().optional(),
  sort_order: z.string().optional(),
  search: z.string().max(2000).optional(),
});
const staleQuery = z.object({ list_id: z.string().max(10_000).optional(), all: z.enum(['true', 'false']).optional() });
const boolParam = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');
const importQuery = z.object({ overwrite: boolParam, as_new_list: boolParam, overwrite_exceptions: z.string().optional() });

const csv = (s: string) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0);

function listRef(q: { id?: string; list_id?: string }): { id?: string; list_id?: string } {
  if (q.id !== undefined) return { id: q.id };
  if (q.list_id !== undefined) return { list_id: q.list_id };
  throw badRequest('query: give id or list_id');
}

function itemRef(q: { id?: string; item_id?: string }): { id?: string; item_id?: string } {
  if (q.id !== undefined) return { id: q.id };
  if (q.item_id !== undefined) return { item_id: q.item_id };
  throw badRequest('query: give id or item_id');
}

/** Sends warnings the way Elasticsearch does: `Warning: 299 <agent> "<text>"` headers (ASCII only). */
function setWarnings(res: Response, warnings: string[]): void {
  if (warnings.length === 0) return;
  res.setHeader(
    'Warning',
    warnings.map((w) => `299 execwatch "${w.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'")}"`),
  );
}

const who = (req: Request, ctx: RouteContext): service.Actor => ({ user: actor(req), now: ctx.now() });

/** Mounts Kibana's exception-list routes. */
export function exceptionsRoutes(ctx: RouteContext, deps: ExceptionRoutesDeps): Router {
  const r = Router();
  const read = ctx.authorize('exceptions:read');
  const write = ctx.authorize('exceptions:write');
  const { store } = ctx;
  r.use(exceptionSettingsRoutes(ctx));

  // ------------------------------------------------------------ lists
  r.post('/api/exception_lists/_import', write, async (req, res) => {
    const q = parseQuery(importQuery, req);
    const text = await readImportFile(req);
    const result = await importExceptions(store, text, { overwrite: q.overwrite, asNewList: q.as_new_list }, who(req, ctx));
    await ctx.audit(req, {
      action: 'exception_list.import',
      target: { type: 'exception_list', id: null },
      outcome: result.success_count > 0 || result.errors.length === 0 ? 'success' : 'failure',
      after: { overwrite: q.overwrite, as_new_list: q.as_new_list, lists: result.success_count_exception_lists, items: result.success_count_exception_list_items, errors: result.errors.length },
    });
    res.json(result);
  });

  r.post('/api/exception_lists/_export', read, async (req, res) => {
    const q = parseQuery(idOrListId, req);
    const { list, ndjson } = await exportList(store, listRef(q));
    await ctx.audit(req, { action: 'exception_list.export', target: { type: 'exception_list', id: list.list_id } });
    res.setHeader('Content-Type', 'application/ndjson');
    res.setHeader('Content-Disposition', `attachment; filename="${list.list_id.replace(/[^\w.-]/g, '_')}.ndjson"`);
    res.send(ndjson);
  });

  r.get('/api/exception_lists/_find', read, async (req, res) => {
    const q = parseQuery(findListsQuery, req);
    res.json(await service.findLists(store, q.page, q.per_page));
  });

  r.post('/api/exception_lists', write, async (req, res) => {
    const body = parseBody(createExceptionListSchema, req);
    const list = await service.createList(store, body, who(req, ctx));
    await ctx.audit(req, { action: 'exception_list.create', target: { type: 'exception_list', id: list.list_id }, after: list });
    res.json(list);
  });

  r.get('/api/exception_lists', read, async (req, res) => {
    const by = listRef(parseQuery(idOrListId, req));
    const list = await service.getList(store, by);
    if (!list) throw notFound(`exception list ${by.id !== undefined ? `id: "${by.id}"` : `list_id: "${by.list_id}"`}`);
    res.json(list);
  });

  r.put('/api/exception_lists', write, async (req, res) => {
    const body = parseBody(updateExceptionListSchema, req);
    const { before, after } = await service.updateList(store, body, who(req, ctx));
    await ctx.audit(req, { action: 'exception_list.update', target: { type: 'exception_list', id: after.list_id }, before, after });
    res.json(after);
  });

  r.delete('/api/exception_lists', write, async (req, res) => {
    const list = await service.deleteList(store, listRef(parseQuery(idOrListId, req)));
    await ctx.audit(req, { action: 'exception_list.delete', target: { type: 'exception_list', id: list.list_id }, before: list });
    res.json(list);
  });

  // ------------------------------------------------------------ items
  r.get('/api/exception_lists/items/_find', read, async (req, res) => {
    const q = parseQuery(findItemsQuery, req);
    res.json(await service.findItems(store, csv(q.list_id), q.page, q.per_page, q.filter ?? q.search));
  });

  r.post('/api/exception_lists/items/_preview', read, async (req, res) => {
    const warnings = service.checkItem({ entries: isRecord(req.body) ? req.body.entries : undefined }, ctx.now());
    const body = parseBody(previewExceptionRequestSchema, req);
    const rule = await deps.getRule(body.rule_id);
    if (!rule) throw notFound(`rule ${body.rule_id}`);
    const preview = await previewException(store, body, rule, ctx.now());
    res.json({ ...preview, warnings: [...warnings, ...preview.warnings] });
  });

  r.get('/api/exception_lists/items/_stale', read, async (req, res) => {
    const q = parseQuery(staleQuery, req);
    const listIds = q.list_id !== undefined ? csv(q.list_id) : await service.allListIds(store);
    const stats = await service.itemStats(store, listIds, ctx.now());
    const data = q.all === 'true' ? stats : stats.filter((s) => s.state === 'stale');
    res.json({ data, total: data.length, stale_after_days: service.STALE_AFTER_DAYS });
  });

  r.post('/api/exception_lists/items', write, async (req, res) => {
    service.checkItem(req.body, ctx.now());
    const body = parseBody(createExceptionListItemSchema, req);
    const { item, warnings } = await service.createItem(store, body, who(req, ctx));
    await ctx.audit(req, { action: 'exception_item.create', target: { type: 'exception_item', id: item.item_id }, after: item });
    setWarnings(res, warnings);
    res.json(item);
  });

  r.put('/api/exception_lists/items', write, async (req, res) => {
    const q = parseQuery(idOrItemId, req);
    if (q.expire_now === 'true') {
      const { before, after } = await service.expireItemNow(store, itemRef(q), who(req, ctx));
      await ctx.audit(req, { action: 'exception_item.expire', target: { type: 'exception_item', id: after.item_id }, before, after });
      res.json(after);
      return;
    }
    // `expire_time: null` removes the expiry; anything else is checked as given.
    if (isRecord(req.body)) service.checkItem({ ...req.body, expire_time: req.body.expire_time ?? undefined }, ctx.now());
    const body = parseBody(updateExceptionListItemSchema, req);
    const { before, after, warnings } = await service.updateItem(store, body, who(req, ctx));
    await ctx.audit(req, { action: 'exception_item.update', target: { type: 'exception_item', id: after.item_id }, before, after });
    setWarnings(res, warnings);
    res.json(after);
  });

  r.get('/api/exception_lists/items', read, async (req, res) => {
    const by = itemRef(parseQuery(idOrItemId, req));
    const item = await service.getItem(store, by);
    if (!item) throw notFound(`exception list item ${by.id !== undefined ? `id: "${by.id}"` : `item_id: "${by.item_id}"`}`);
    res.json(item);
  });

  r.delete('/api/exception_lists/items', write, async (req, res) => {
    const item = await service.deleteItem(store, itemRef(parseQuery(idOrItemId, req)));
    await ctx.audit(req, { action: 'exception_item.delete', target: { type: 'exception_item', id: item.item_id }, before: item });
    res.json(item);
  });

  return r;
}

/**
 * The admin settings of exception governance (`expiry_mandatory`, `default_expiry_days`):
 * `GET|PUT /api/exception_lists/_settings` (read: exceptions:read, write: users:manage, i.e. admins).
 * Mounted by `exceptionsRoutes`.
 */
export function exceptionSettingsRoutes(ctx: RouteContext): Router {
  const r = Router();
  r.get('/api/exception_lists/_settings', ctx.authorize('exceptions:read'), async (_req, res) => {
    res.json(await service.getExceptionSettings(ctx.store));
  });
  r.put('/api/exception_lists/_settings', ctx.authorize('users:manage'), async (req, res) => {
    const patch = parseBody(exceptionSettingsSchema.partial().strict(), req);
    const before = await service.getExceptionSettings(ctx.store);
    const after = await service.setExceptionSettings(ctx.store, patch);
    await ctx.audit(req, { action: 'exception_settings.update', target: { type: 'settings', id: service.EXCEPTION_SETTINGS_KEY }, before, after });
    res.json(after);
  });
  return r;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
