import { dateInputSchema } from '@execwatch/api';
import { z } from 'zod';
import { badRequest } from '../../http/errors';
import { routes, type Route } from '../../http/route';
import { parseDateInput } from '../dates';
import type { AuthParts } from '../internals';

const auditQuerySchema = z
  .object({
    from: dateInputSchema.optional(),
    to: dateInputSchema.optional(),
    user: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(200).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    size: z.coerce.number().int().min(1).max(1000).default(50),
  })
  .strict();

const EXPORT_PAGE = 1000;

type AuditQuery = z.infer<typeof auditQuerySchema>;

function resolveRange(q: AuditQuery, now: number): { from?: number; to?: number } {
  const range: { from?: number; to?: number } = {};
  if (q.from !== undefined) {
    const from = parseDateInput(q.from, { roundUp: false, now });
    if (from === null) throw badRequest('query: from: expected an ISO-8601 time or date math such as now-7d');
    range.from = from;
  }
  if (q.to !== undefined) {
    const to = parseDateInput(q.to, { roundUp: true, now });
    if (to === null) throw badRequest('query: to: expected an ISO-8601 time or date math such as now');
    range.to = to;
  }
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) throw badRequest('query: from is after to');
  return range;
}

const route = routes<AuthParts>();

/** GET /api/audit (filters, paging) and GET /api/audit/_export (ndjson). */
export const auditRoutes: Route<AuthParts>[] = [
  route({
    method: 'GET',
    path: '/api/audit',
    requires: 'audit:read',
    summary: 'the audit log: filters by actor, action and time, paged',
    query: auditQuerySchema,
    handler: async ({ query: q }, parts) => {
      const range = resolveRange(q, parts.now());
      const { total, events } = await parts.store.audit.search({ ...range, user: q.user, action: q.action, page: q.page, size: q.size });
      return { total, page: q.page, size: q.size, events };
    },
  }),
  route({
    method: 'GET',
    path: '/api/audit/_export',
    requires: 'audit:read',
    summary: 'the audit log as ndjson',
    query: auditQuerySchema.omit({ page: true, size: true }),
    audit: ['audit.export'],
    handler: async ({ query: q, res, audit }, parts) => {
      const startedAt = parts.now();
      const range = resolveRange({ ...q, page: 1, size: EXPORT_PAGE }, startedAt);
      // Fixing the upper bound keeps events appended during the export from shifting the pages under it.
      const to = Math.min(range.to ?? startedAt, startedAt);
      res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="execwatch-audit-${new Date(startedAt).toISOString().slice(0, 10)}.ndjson"`);
      let exported = 0;
      for (let page = 1; ; page++) {
        const { events } = await parts.store.audit.search({ from: range.from, to, user: q.user, action: q.action, page, size: EXPORT_PAGE });
        if (events.length === 0) break;
        const chunk = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
        exported += events.length;
        if (!res.write(chunk)) {
          await new Promise<void>((resolve) => {
            res.once('drain', resolve);
            res.once('close', resolve);
          });
        }
        if (res.destroyed) return;
        if (events.length < EXPORT_PAGE) break;
      }
      res.end();
      await audit({ action: 'audit.export', target: { type: 'audit', id: null }, after: { events: exported, filters: { ...q } } });
    },
  }),
];
