/** Kibana's exception-list API (`/api/exception_lists...`) plus Execwatch's preview and review. */
import type { Response, Router } from 'express';
import { z } from 'zod';
import {
  createExceptionListItemSchema,
  createExceptionListSchema,
  exceptionSettingsPatchSchema,
  previewExceptionRequestSchema,
  updateExceptionListItemSchema,
  updateExceptionListSchema,
} from '@execwatch/api';
import type { RouteContext } from '../http/context';
import { badRequest, notFound } from '../http/errors';
import { mountRoutes, routes, type Route } from '../http/route';
import { parseBody } from '../http/validate';
import type { Store } from '../store/ports';
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

interface ExceptionRouteDeps extends ExceptionRoutesDeps {
  store: Store;
  now: () => number;
}

const who = (actor: string, deps: ExceptionRouteDeps): service.Actor => ({ user: actor, now: deps.now() });
const route = routes<ExceptionRouteDeps>();

/** Kibana's exception-list routes, with Execwatch's preview, review and governance settings. */
export const exceptionRoutes: Route<ExceptionRouteDeps>[] = [
  route({
    method: 'GET',
    path: '/api/exception_lists/_settings',
    requires: 'exceptions:read',
    summary: 'exception governance settings (`expiry_mandatory`, `default_expiry_days`)',
    handler: (_input, { store }) => service.getExceptionSettings(store),
  }),
  route({
    method: 'PUT',
    path: '/api/exception_lists/_settings',
    // Governance of exceptions (e.g. "expiry mandatory") is an administrator's setting.
    requires: 'users:manage',
    summary: 'changes the exception governance settings',
    body: exceptionSettingsPatchSchema,
    audit: ['exception_settings.update'],
    handler: async ({ body, audit }, { store }) => {
      const before = await service.getExceptionSettings(store);
      const after = await service.setExceptionSettings(store, body);
      await audit({ action: 'exception_settings.update', target: { type: 'settings', id: service.EXCEPTION_SETTINGS_KEY }, before, after });
      return after;
    },
  }),

  // ------------------------------------------------------------ lists
  route({
    method: 'POST',
    path: '/api/exception_lists/_import',
    requires: 'exceptions:write',
    summary: 'imports a Kibana exceptions export (multipart `file`, ndjson)',
    query: importQuery,
    bodyKind: 'stream',
    audit: ['exception_list.import'],
    handler: async ({ query: q, req, actor, audit }, deps) => {
      const text = await readImportFile(req);
      const result = await importExceptions(deps.store, text, { overwrite: q.overwrite, asNewList: q.as_new_list }, who(actor, deps));
      await audit({
        action: 'exception_list.import',
        target: { type: 'exception_list', id: null },
        outcome: result.success_count > 0 || result.errors.length === 0 ? 'success' : 'failure',
        after: { overwrite: q.overwrite, as_new_list: q.as_new_list, lists: result.success_count_exception_lists, items: result.success_count_exception_list_items, errors: result.errors.length },
      });
      return result;
    },
  }),
  route({
    method: 'POST',
    path: '/api/exception_lists/_export',
    requires: 'exceptions:read',
    summary: 'exports a list and its items as ndjson',
    query: idOrListId,
    audit: ['exception_list.export'],
    handler: async ({ query, res, audit }, { store }) => {
      const { list, ndjson } = await exportList(store, listRef(query));
      await audit({ action: 'exception_list.export', target: { type: 'exception_list', id: list.list_id } });
      res.setHeader('Content-Type', 'application/ndjson');
      res.setHeader('Content-Disposition', `attachment; filename="${list.list_id.replace(/[^\w.-]/g, '_')}.ndjson"`);
      res.send(ndjson);
    },
  }),
  route({
    method: 'GET',
    path: '/api/exception_lists/_find',
    requires: 'exceptions:read',
    summary: 'exception lists, paged',
    query: findListsQuery,
    handler: ({ query }, { store }) => service.findLists(store, query.page, query.per_page),
  }),
  route({
    method: 'POST',
    path: '/api/exception_lists',
    requires: 'exceptions:write',
    summary: 'creates an exception list',
    body: createExceptionListSchema,
    audit: ['exception_list.create'],
    handler: async ({ body, actor, audit }, deps) => {
      const list = await service.createList(deps.store, body, who(actor, deps));
      await audit({ action: 'exception_list.create', target: { type: 'exception_list', id: list.list_id }, after: list });
      return list;
    },
  }),
  route({
    method: 'GET',
    path: '/api/exception_lists',
    requires: 'exceptions:read',
    summary: 'one exception list by `id` or `list_id`',
    query: idOrListId,
    handler: async ({ query }, { store }) => {
      const by = listRef(query);
      const list = await service.getList(store, by);
      if (!list) throw notFound(`exception list ${by.id !== undefined ? `id: "${by.id}"` : `list_id: "${by.list_id}"`}`);
      return list;
    },
  }),
  route({
    method: 'PUT',
    path: '/api/exception_lists',
    requires: 'exceptions:write',
    summary: 'updates an exception list',
    body: updateExceptionListSchema,
    audit: ['exception_list.update'],
    handler: async ({ body, actor, audit }, deps) => {
      const { before, after } = await service.updateList(deps.store, body, who(actor, deps));
      await audit({ action: 'exception_list.update', target: { type: 'exception_list', id: after.list_id }, before, after });
      return after;
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/exception_lists',
    requires: 'exceptions:write',
    summary: 'deletes an exception list and its items',
    query: idOrListId,
    audit: ['exception_list.delete'],
    handler: async ({ query, audit }, { store }) => {
      const list = await service.deleteList(store, listRef(query));
      await audit({ action: 'exception_list.delete', target: { type: 'exception_list', id: list.list_id }, before: list });
      return list;
    },
  }),

  // ------------------------------------------------------------ items
  route({
    method: 'GET',
    path: '/api/exception_lists/items/_find',
    requires: 'exceptions:read',
    summary: 'the items of one or more lists (`list_id` comma-separated), paged, with `filter`',
    query: findItemsQuery,
    handler: ({ query: q }, { store }) => service.findItems(store, csv(q.list_id), q.page, q.per_page, q.filter ?? q.search),
  }),
  route({
    method: 'POST',
    path: '/api/exception_lists/items/_preview',
    requires: 'exceptions:read',
    summary: 'how many stored events and alerts an exception would match, without saving it',
    body: previewExceptionRequestSchema,
    handler: async ({ body, req }, deps) => {
      // The entries' own checks name the offending entry more precisely than the schema does.
      const warnings = service.checkItem({ entries: isRecord(req.body) ? req.body.entries : undefined }, deps.now());
      const rule = await deps.getRule(body.rule_id);
      if (!rule) throw notFound(`rule ${body.rule_id}`);
      const preview = await previewException(deps.store, body, rule, deps.now());
      return { ...preview, warnings: [...warnings, ...preview.warnings] };
    },
  }),
  route({
    method: 'GET',
    path: '/api/exception_lists/items/_stale',
    requires: 'exceptions:read',
    summary: 'exception items that matched nothing for a long time',
    query: staleQuery,
    handler: async ({ query: q }, deps) => {
      const listIds = q.list_id !== undefined ? csv(q.list_id) : await service.allListIds(deps.store);
      const stats = await service.itemStats(deps.store, listIds, deps.now());
      const data = q.all === 'true' ? stats : stats.filter((s) => s.state === 'stale');
      return { data, total: data.length, stale_after_days: service.STALE_AFTER_DAYS };
    },
  }),
  route({
    method: 'POST',
    path: '/api/exception_lists/items',
    requires: 'exceptions:write',
    summary: 'creates an exception item',
    // The item's own checks run first: they name the offending entry more precisely than the schema does.
    bodyKind: 'json',
    audit: ['exception_item.create'],
    handler: async ({ req, res, actor, audit }, deps) => {
      service.checkItem(req.body, deps.now());
      const body = parseBody(createExceptionListItemSchema, req);
      const { item, warnings } = await service.createItem(deps.store, body, who(actor, deps));
      await audit({ action: 'exception_item.create', target: { type: 'exception_item', id: item.item_id }, after: item });
      setWarnings(res, warnings);
      return item;
    },
  }),
  route({
    method: 'PUT',
    path: '/api/exception_lists/items',
    requires: 'exceptions:write',
    summary: 'updates an exception item, or expires it now (`?expire_now=true`)',
    query: idOrItemId,
    // With expire_now the body is not read; otherwise the item's own checks run before the schema's.
    bodyKind: 'json',
    audit: ['exception_item.expire', 'exception_item.update'],
    handler: async ({ query: q, req, res, actor, audit }, deps) => {
      if (q.expire_now === 'true') {
        const { before, after } = await service.expireItemNow(deps.store, itemRef(q), who(actor, deps));
        await audit({ action: 'exception_item.expire', target: { type: 'exception_item', id: after.item_id }, before, after });
        return after;
      }
      // `expire_time: null` removes the expiry; anything else is checked as given.
      if (isRecord(req.body)) service.checkItem({ ...req.body, expire_time: req.body.expire_time ?? undefined }, deps.now());
      const body = parseBody(updateExceptionListItemSchema, req);
      const { before, after, warnings } = await service.updateItem(deps.store, body, who(actor, deps));
      await audit({ action: 'exception_item.update', target: { type: 'exception_item', id: after.item_id }, before, after });
      setWarnings(res, warnings);
      return after;
    },
  }),
  route({
    method: 'GET',
    path: '/api/exception_lists/items',
    requires: 'exceptions:read',
    summary: 'one exception item by `id` or `item_id`',
    query: idOrItemId,
    handler: async ({ query }, { store }) => {
      const by = itemRef(query);
      const item = await service.getItem(store, by);
      if (!item) throw notFound(`exception list item ${by.id !== undefined ? `id: "${by.id}"` : `item_id: "${by.item_id}"`}`);
      return item;
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/exception_lists/items',
    requires: 'exceptions:write',
    summary: 'deletes an exception item',
    query: idOrItemId,
    audit: ['exception_item.delete'],
    handler: async ({ query, audit }, { store }) => {
      const item = await service.deleteItem(store, itemRef(query));
      await audit({ action: 'exception_item.delete', target: { type: 'exception_item', id: item.item_id }, before: item });
      return item;
    },
  }),
];

/** Mounts Kibana's exception-list routes. */
export function exceptionsRoutes(ctx: RouteContext, deps: ExceptionRoutesDeps): Router {
  return mountRoutes(exceptionRoutes, { ...deps, store: ctx.store, now: ctx.now }, ctx);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
