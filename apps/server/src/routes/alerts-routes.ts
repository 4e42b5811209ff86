/** Alerts API: list, stats, detail, triage updates, session, checklist and notes. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  alertStatsQuerySchema,
  bulkUpdateAlertsSchema,
  createNoteSchema,
  listAlertsQuerySchema,
  updateAlertSchema,
  updateChecklistStepSchema,
} from '@execwatch/api';
import { actor, type RouteContext } from '../http/context';
import { badRequest } from '../http/errors';
import { parseBody, parseParams, parseQuery } from '../http/validate';
import type { AlertsService } from '../services/alerts/alerts-service';
import { sessionOf } from '../services/alerts/session-service';

const idParams = z.object({ id: z.string().min(1).max(200) });
const stepParams = idParams.extend({ step_id: z.string().min(1).max(200) });
const fieldFilterPrefix = 'field.';

/** `field.<name>=value` query parameters: exact filters on any stored field of the alert. */
function fieldFilters(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) {
    if (!key.startsWith(fieldFilterPrefix)) continue;
    const field = key.slice(fieldFilterPrefix.length);
    if (!/^[A-Za-z0-9_@][A-Za-z0-9_@.-]{0,199}$/.test(field)) throw badRequest(`query: ${key}: not a field name`);
    if (typeof value !== 'string' || value.length > 2000) throw badRequest(`query: ${key}: expected one value of at most 2000 characters`);
    out[field] = value;
  }
  return out;
}

/** Mounts the alerts routes; reads need `alerts:read`, changes `alerts:triage`, every change is audited. */
export function alertsRoutes(ctx: RouteContext, alerts: AlertsService): Router {
  const r = Router();
  const read = ctx.authorize('alerts:read');
  const triage = ctx.authorize('alerts:triage');

  r.get('/api/alerts', read, async (req, res) => {
    const q = parseQuery(listAlertsQuerySchema, req);
    res.json(await alerts.list(q, fieldFilters(req)));
  });

  r.get('/api/alerts/_stats', read, async (req, res) => {
    res.json(await alerts.stats(parseQuery(alertStatsQuerySchema, req)));
  });

  r.post('/api/alerts/_bulk_update', triage, async (req, res) => {
    const body = parseBody(bulkUpdateAlertsSchema, req);
    const result = await alerts.bulkUpdate(body, actor(req));
    await ctx.audit(req, {
      action: 'alert.bulk_update',
      target: { type: 'alert', id: null },
      after: { ...(body.ids ? { ids_count: body.ids.length } : { query: body.query }), status: body.status, reason: body.reason, add_tags: body.add_tags, remove_tags: body.remove_tags, add_assignees: body.add_assignees, remove_assignees: body.remove_assignees, updated: result.updated, skipped: result.skipped },
    });
    res.json(result);
  });

  r.get('/api/alerts/:id', read, async (req, res) => {
    const { id } = parseParams(idParams, req);
    res.json(await alerts.get(id));
  });

  r.patch('/api/alerts/:id', triage, async (req, res) => {
    const { id } = parseParams(idParams, req);
    const body = parseBody(updateAlertSchema, req);
    try {
      const { before, after } = await alerts.update(id, body, actor(req));
      const pick = (a: typeof after) => ({ status: a.workflow_status, reason: a.workflow_reason, reason_text: a.workflow_reason_text, assignees: a.assignees, tags: a.tags });
      await ctx.audit(req, { action: 'alert.update', target: { type: 'alert', id }, before: pick(before), after: pick(after) });
      res.json(after);
    } catch (err) {
      await ctx.audit(req, { action: 'alert.update', target: { type: 'alert', id }, outcome: 'failure', after: body });
      throw err;
    }
  });

  r.get('/api/alerts/:id/session', read, async (req, res) => {
    const { id } = parseParams(idParams, req);
    const alert = await alerts.require(id);
    res.json(await sessionOf(ctx.store, alert.doc));
  });

  r.get('/api/alerts/:id/checklist', read, async (req, res) => {
    const { id } = parseParams(idParams, req);
    res.json(await alerts.checklist(id));
  });

  r.put('/api/alerts/:id/checklist/:step_id', triage, async (req, res) => {
    const { id, step_id } = parseParams(stepParams, req);
    const body = parseBody(updateChecklistStepSchema, req);
    const { before, after } = await alerts.setChecklistStep(id, step_id, body, actor(req));
    await ctx.audit(req, { action: 'alert.checklist_step', target: { type: 'alert', id }, before: { step_id, done: before }, after: { step_id, done: body.done, note: body.note } });
    res.json(after);
  });

  r.get('/api/alerts/:id/notes', read, async (req, res) => {
    const { id } = parseParams(idParams, req);
    res.json(await alerts.notes(id));
  });

  r.post('/api/alerts/:id/notes', triage, async (req, res) => {
    const { id } = parseParams(idParams, req);
    const { text } = parseBody(createNoteSchema, req);
    const note = await alerts.addNote(id, text, actor(req));
    await ctx.audit(req, { action: 'alert.note_add', target: { type: 'alert', id }, after: { note_id: note.id, length: text.length } });
    res.status(201).json(note);
  });

  return r;
}
