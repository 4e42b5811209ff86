/**
 * Kibana's detection-engine signals API that SOAR connectors call: search with a query DSL subset, and status,
 * tags and assignees by ids or query. The same roles as the triage routes (`alerts:read`, `alerts:triage`);
 * `kbn-xsrf` is taken as Execwatch's xsrf header is; every change is audited.
 */
import type { Router } from 'express';
import type { RouteContext } from '../../http/context';
import { mountRoutes, routes, type Route } from '../../http/route';
import { z } from 'zod';
import { readImportFile } from '../../exceptions/multipart';
import type { IngestLane } from '../../ingest/lane';
import type { AlertsService } from '../../services/alerts/alerts-service';
import type { RuleRegistry } from '../../services/rules/rule-registry';
import { importRules, type RulesImportDeps } from './rules-import';
import { signalsAssigneesSchema, signalsSearchSchema, signalsStatusSchema, signalsTagsSchema } from './schemas';
import { DetectionEngineSignals } from './service';

interface DetectionEngineDeps {
  signals: DetectionEngineSignals;
  rulesImport: RulesImportDeps;
}

const route = routes<DetectionEngineDeps>();
const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');
const importQuery = z.looseObject({ overwrite: flag, overwrite_exceptions: flag, overwrite_action_connectors: flag.optional() });
const BODY_LIMIT = '10mb';
const target = (ids: string[]) => ({ ids_count: ids.length, ids: ids.slice(0, 100) });

export const detectionEngineRoutes: Route<DetectionEngineDeps>[] = [
  route({
    method: 'POST',
    path: '/api/detection_engine/rules/_import',
    requires: 'rules:write',
    summary: "imports a Kibana rules export (multipart `file`, ndjson with the rules' exception lists; `overwrite`, `overwrite_exceptions`); each rule's own list becomes its default list",
    query: importQuery,
    bodyKind: 'stream',
    audit: ['rule.import'],
    handler: async ({ query, req, actor, audit }, { rulesImport }) => {
      const text = await readImportFile(req);
      const result = await importRules(rulesImport, text, { overwrite: query.overwrite, overwriteExceptions: query.overwrite_exceptions }, actor);
      await audit({
        action: 'rule.import',
        target: { type: 'rule', id: null },
        outcome: result.success_count > 0 || result.errors.length === 0 ? 'success' : 'failure',
        after: { overwrite: query.overwrite, overwrite_exceptions: query.overwrite_exceptions, rules: result.success_count, rules_count: result.rules_count, errors: result.errors.length, exceptions: result.exceptions_success_count },
      });
      return result;
    },
  }),
  route({
    method: 'POST',
    path: '/api/detection_engine/signals/search',
    requires: 'alerts:read',
    summary: "alerts in Elasticsearch's search response shape: `query` (bool, term, terms, ids, exists, range, match, match_phrase), `size`, `from`, `sort`, `_source`, `aggs` with `terms`",
    body: signalsSearchSchema,
    bodyLimit: BODY_LIMIT,
    handler: ({ body }, { signals }) => signals.search(body),
  }),
  route({
    method: 'POST',
    path: '/api/detection_engine/signals/status',
    requires: 'alerts:triage',
    summary: "status (`open`, `acknowledged`, `in-progress`, `closed`) and closing `reason` by `signal_ids` or `query`; the checklist gate and the high-risk guard rail apply; an update-by-query answer",
    body: signalsStatusSchema,
    bodyLimit: BODY_LIMIT,
    audit: ['alert.bulk_update'],
    handler: async ({ body, actor, audit }, { signals }) => {
      const { answer, ids } = await signals.setStatus(body, actor);
      await audit({ action: 'alert.bulk_update', target: { type: 'alert', id: null }, after: { via: 'signals/status', ...target(ids), ...(body.query ? { query: body.query } : {}), status: body.status, reason: body.reason, updated: answer.updated, skipped: answer.skipped } });
      return answer;
    },
  }),
  route({
    method: 'POST',
    path: '/api/detection_engine/signals/tags',
    requires: 'alerts:triage',
    summary: '`tags_to_add` and `tags_to_remove` by `ids` or `query`; an update-by-query answer',
    body: signalsTagsSchema,
    bodyLimit: BODY_LIMIT,
    audit: ['alert.bulk_update'],
    handler: async ({ body, actor, audit }, { signals }) => {
      const { answer, ids } = await signals.setTags(body, actor);
      await audit({ action: 'alert.bulk_update', target: { type: 'alert', id: null }, after: { via: 'signals/tags', ...target(ids), add_tags: body.tags.tags_to_add, remove_tags: body.tags.tags_to_remove, updated: answer.updated } });
      return answer;
    },
  }),
  route({
    method: 'POST',
    path: '/api/detection_engine/signals/assignees',
    requires: 'alerts:triage',
    summary: 'assignees `add` and `remove` (user names) by `ids`; assignees must be known users; an update-by-query answer',
    body: signalsAssigneesSchema,
    bodyLimit: BODY_LIMIT,
    audit: ['alert.bulk_update'],
    handler: async ({ body, actor, audit }, { signals }) => {
      const { answer, ids } = await signals.setAssignees(body, actor);
      await audit({ action: 'alert.bulk_update', target: { type: 'alert', id: null }, after: { via: 'signals/assignees', ...target(ids), add_assignees: body.assignees.add, remove_assignees: body.assignees.remove, updated: answer.updated } });
      return answer;
    },
  }),
];

/** The signals API over the alerts service, and the rules import into the registry. */
export function detectionEngineRouter(ctx: RouteContext, deps: { alerts: AlertsService; registry: RuleRegistry; ingestLane: IngestLane | null }): Router {
  return mountRoutes(
    detectionEngineRoutes,
    {
      signals: new DetectionEngineSignals({ alerts: deps.alerts, store: ctx.store, now: ctx.now }),
      rulesImport: { store: ctx.store, registry: deps.registry, lane: deps.ingestLane, now: ctx.now },
    },
    ctx,
  );
}
