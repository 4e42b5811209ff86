/** Alerts API: list, stats, detail, triage updates, session, checklist and notes. */
import type { Request, Router } from 'express';
import { z } from 'zod';
import {
  alertStatsQuerySchema,
  bulkUpdateAlertsSchema,
  closeByExceptionSchema,
  createNoteSchema,
  isFieldName,
  listAlertsQuerySchema,
  updateAlertSchema,
  updateChecklistStepSchema,
} from '@execwatch/api';
import type { RouteContext } from '../http/context';
import { badRequest } from '../http/errors';
import { mountRoutes, Reply, routes, type Route } from '../http/route';
import type { AlertsService } from '../services/alerts/alerts-service';
import { sessionOf } from '../services/alerts/session-service';
import type { Store } from '../store/ports';

const idParams = z.object({ id: z.string().min(1).max(200) });
const stepParams = idParams.extend({ step_id: z.string().min(1).max(200) });
const fieldFilterPrefix = 'field.';

/** `field.<name>=value` query parameters: exact filters on any stored field of the alert. */
function fieldFilters(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) {
    if (!key.startsWith(fieldFilterPrefix)) continue;
    const field = key.slice(fieldFilterPrefix.length);
    if (!isFieldName(field)) throw badRequest(`query: ${key}: not a field name`);
    if (typeof value !== 'string' || value.length > 2000) throw badRequest(`query: ${key}: expected one value of at most 2000 characters`);
    out[field] = value;
  }
  return out;
}

export interface AlertRouteDeps {
  alerts: AlertsService;
  store: Store;
}

const route = routes<AlertRouteDeps>();

/** Reads need `alerts:read`, changes `alerts:triage`; every change is audited. */
export const alertRoutes: Route<AlertRouteDeps>[] = [
  route({
    method: 'GET',
    path: '/api/alerts',
    requires: 'alerts:read',
    summary: 'alerts: filters (`field.<name>=value`), free-text query, time range, sort, paging',
    query: listAlertsQuerySchema,
    handler: ({ query, req }, { alerts }) => alerts.list(query, fieldFilters(req)),
  }),
  route({
    method: 'GET',
    path: '/api/alerts/_stats',
    requires: 'alerts:read',
    summary: 'status counts, histogram and group counts of the alerts a query selects',
    query: alertStatsQuerySchema,
    handler: ({ query, req }, { alerts }) => alerts.stats(query, fieldFilters(req)),
  }),
  route({
    method: 'POST',
    path: '/api/alerts/_bulk_update',
    requires: 'alerts:triage',
    summary: 'status, reason, tags and assignees of alerts by ids or by query (never capped at one page)',
    body: bulkUpdateAlertsSchema,
    audit: ['alert.bulk_update'],
    handler: async ({ body, actor, audit }, { alerts }) => {
      const result = await alerts.bulkUpdate(body, actor);
      if (result.dry_run) return result;
      await audit({
        action: 'alert.bulk_update',
        target: { type: 'alert', id: null },
        after: { ...(body.ids ? { ids_count: body.ids.length } : { query: body.query }), status: body.status, reason: body.reason, add_tags: body.add_tags, remove_tags: body.remove_tags, add_assignees: body.add_assignees, remove_assignees: body.remove_assignees, updated: result.updated, skipped: result.skipped },
      });
      return result;
    },
  }),
  route({
    method: 'POST',
    path: '/api/alerts/_close_by_exception',
    requires: 'alerts:triage',
    summary: 'closes the open and acknowledged alerts a saved exception matches now (reason `matched_exception`; no checklist gate; high-risk sessions only with `confirm_high_risk`), with what was skipped and why',
    body: closeByExceptionSchema,
    audit: ['alert.close_by_exception'],
    handler: async ({ body, actor, audit }, { alerts }) => {
      const result = await alerts.closeByException(body, actor);
      await audit({
        action: 'alert.close_by_exception',
        target: { type: 'alert', id: null },
        after: { exception: result.exception, matched: result.matched, closed: result.closed, skipped: result.skipped.map((s) => ({ reason: s.reason, count: s.count })), confirm_high_risk: body.confirm_high_risk ?? false },
      });
      return result;
    },
  }),
  route({
    method: 'GET',
    path: '/api/alerts/:id',
    requires: 'alerts:read',
    summary: 'one alert',
    params: idParams,
    handler: ({ params }, { alerts }) => alerts.get(params.id),
  }),
  route({
    method: 'PATCH',
    path: '/api/alerts/:id',
    requires: 'alerts:triage',
    summary: 'status, closing reason, assignees, tags of one alert',
    params: idParams,
    body: updateAlertSchema,
    audit: ['alert.update'],
    handler: async ({ params: { id }, body, actor, audit }, { alerts }) => {
      try {
        const { before, after } = await alerts.update(id, body, actor);
        const pick = (a: typeof after) => ({ status: a.workflow_status, reason: a.workflow_reason, reason_text: a.workflow_reason_text, assignees: a.assignees, tags: a.tags });
        await audit({ action: 'alert.update', target: { type: 'alert', id }, before: pick(before), after: pick(after) });
        return after;
      } catch (err) {
        await audit({ action: 'alert.update', target: { type: 'alert', id }, outcome: 'failure', after: body });
        throw err;
      }
    },
  }),
  route({
    method: 'GET',
    path: '/api/alerts/:id/session',
    requires: 'alerts:read',
    summary: "the process tree of the alert's session",
    params: idParams,
    handler: async ({ params }, { alerts, store }) => sessionOf(store, (await alerts.require(params.id)).doc),
  }),
  route({
    method: 'GET',
    path: '/api/alerts/:id/checklist',
    requires: 'alerts:read',
    summary: "the alert's investigation checklist",
    params: idParams,
    handler: ({ params }, { alerts }) => alerts.checklist(params.id),
  }),
  route({
    method: 'PUT',
    path: '/api/alerts/:id/checklist/:step_id',
    requires: 'alerts:triage',
    summary: 'ticks or unticks a checklist step, with a note',
    params: stepParams,
    body: updateChecklistStepSchema,
    audit: ['alert.checklist_step'],
    handler: async ({ params: { id, step_id }, body, actor, audit }, { alerts }) => {
      const { before, after } = await alerts.setChecklistStep(id, step_id, body, actor);
      await audit({ action: 'alert.checklist_step', target: { type: 'alert', id }, before: { step_id, done: before }, after: { step_id, done: body.done, note: body.note } });
      return after;
    },
  }),
  route({
    method: 'GET',
    path: '/api/alerts/:id/notes',
    requires: 'alerts:read',
    summary: "the alert's notes",
    params: idParams,
    handler: ({ params }, { alerts }) => alerts.notes(params.id),
  }),
  route({
    method: 'POST',
    path: '/api/alerts/:id/notes',
    requires: 'alerts:triage',
    summary: 'adds a note',
    params: idParams,
    body: createNoteSchema,
    audit: ['alert.note_add'],
    handler: async ({ params: { id }, body: { text }, actor, audit }, { alerts }) => {
      const note = await alerts.addNote(id, text, actor);
      await audit({ action: 'alert.note_add', target: { type: 'alert', id }, after: { note_id: note.id, length: text.length } });
      return new Reply(201, note);
    },
  }),
];

/** Mounts the alerts routes. */
export function alertsRoutes(ctx: RouteContext, alerts: AlertsService): Router {
  return mountRoutes(alertRoutes, { alerts, store: ctx.store }, ctx);
}
