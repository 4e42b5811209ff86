/**
 * Kibana's detection-engine signals API over the alerts service: search with a query DSL subset (query-dsl.ts),
 * and status, tag and assignee changes by ids or query. Changes go through AlertsService.bulkUpdate, so the
 * checklist gate, the high-risk guard rail and assignment notifications apply as they do to the triage routes.
 */
import type { BulkUpdateAlerts, BulkUpdateAlertsResponse, TriageClosingReason, WorkflowStatus } from '@execwatch/api';
import { badRequest } from '../../http/errors';
import type { AlertsService } from '../../services/alerts/alerts-service';
import type { StoredAlert, Store } from '../../store/ports';
import { aggregate, alertFilterOf, compareBy, compileQuery, parseSort, sortValue } from './query-dsl';
import type { SignalsAssigneesBody, SignalsSearchBody, SignalsStatusBody, SignalsTagsBody } from './schemas';

/** Alerts a query may select and evaluate at most (a narrower query or a time range selects more precisely). */
export const MAX_EVALUATED_ALERTS = 100_000;
const PAGE = 1000;

type Doc = Record<string, unknown>;

/** Kibana's statuses: `in-progress` is the name older versions gave `acknowledged`. */
const statusOf = (s: SignalsStatusBody['status']): WorkflowStatus => (s === 'in-progress' ? 'acknowledged' : s);
/** Kibana's closing reasons: an automated closure is recorded as `other`. */
const reasonOf = (r: SignalsStatusBody['reason']): TriageClosingReason | undefined => (r === undefined ? undefined : r === 'automated_closure' ? 'other' : r);

/** `_source` as asked: everything, nothing, or the listed fields (dotted paths, `*` at the end of a prefix). */
function projectSource(doc: Doc, source: SignalsSearchBody['_source']): Doc | undefined {
  if (source === undefined || source === true) return doc;
  if (source === false) return undefined;
  const includes = Array.isArray(source) ? source : typeof source === 'string' ? [source] : (source.includes ?? []);
  const out: Doc = {};
  const walk = (node: unknown, prefix: string, target: Doc) => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    for (const [k, v] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${k}` : k;
      const included = includes.some((p) => p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))) || path.startsWith(`${p}.`));
      if (included) target[k] = v;
      else if (includes.some((p) => p.startsWith(`${path}.`)) && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const child: Doc = {};
        walk(v, path, child);
        if (Object.keys(child).length > 0) target[k] = child;
      }
    }
  };
  walk(doc, '', out);
  return out;
}

/** The answer of an update by query, as Kibana relays Elasticsearch's. */
function updateByQueryAnswer(started: number, total: number, result: BulkUpdateAlertsResponse): Record<string, unknown> {
  return {
    took: Math.round(performance.now() - started),
    timed_out: false,
    total,
    updated: result.updated,
    deleted: 0,
    batches: 1,
    version_conflicts: 0,
    noops: Math.max(0, total - result.updated - result.skipped - result.errors.length),
    retries: { bulk: 0, search: 0 },
    throttled_millis: 0,
    requests_per_second: -1,
    throttled_until_millis: 0,
    failures: [
      ...result.errors.map((e) => ({ id: e.id, cause: { type: e.error, reason: e.message }, status: 404 })),
      ...(result.skip_reasons ?? []).map((s) => ({ cause: { type: s.reason, reason: s.message }, status: 409, count: s.count })),
    ],
    // Execwatch's own account of what was left as it was, and why
    skipped: result.skipped,
  };
}

export class DetectionEngineSignals {
  constructor(private readonly opts: { alerts: Pick<AlertsService, 'resolveFilter' | 'bulkUpdate'>; store: Store; now: () => number }) {}

  /** The alerts a query selects, newest first; 400 when it would evaluate more than MAX_EVALUATED_ALERTS. */
  async matching(query: unknown): Promise<StoredAlert[]> {
    const now = this.opts.now();
    const predicate = compileQuery(query, now);
    const filter = this.opts.alerts.resolveFilter(alertFilterOf(query, now));
    const out: StoredAlert[] = [];
    let seen = 0;
    for (let page = 1; ; page++) {
      const { total, alerts } = await this.opts.store.alerts.search({ filter, sort: { field: '@timestamp', order: 'desc' }, page, size: PAGE });
      if (page === 1 && total > MAX_EVALUATED_ALERTS) {
        throw badRequest(`query: it selects ${total} alerts to evaluate, more than ${MAX_EVALUATED_ALERTS}; narrow it with a range on @timestamp, a term on kibana.alert.workflow_status or on kibana.alert.rule.rule_id`);
      }
      for (const a of alerts) if (predicate(a)) out.push(a);
      seen += alerts.length;
      if (alerts.length < PAGE || seen >= total) return out;
    }
  }

  /** `signals/search`: hits (sorted, paged), total and aggregations in Elasticsearch's search response shape. */
  async search(body: SignalsSearchBody): Promise<Record<string, unknown>> {
    const started = performance.now();
    const sort = parseSort(body.sort);
    const matched = await this.matching(body.query);
    if (sort.length > 0) matched.sort(compareBy(sort));
    const from = body.from ?? 0;
    const size = body.size ?? 10;
    const page = matched.slice(from, from + size);
    const trackTotal = body.track_total_hits;
    const capped = typeof trackTotal === 'number' && matched.length > trackTotal;
    const aggs = body.aggs ?? body.aggregations;
    return {
      took: Math.round(performance.now() - started),
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: capped ? trackTotal : matched.length, relation: capped ? 'gte' : 'eq' },
        max_score: sort.length > 0 ? null : 1,
        hits: page.map((a) => {
          const source = projectSource(a.doc, body._source);
          return {
            _index: a.index,
            _id: a.id,
            _score: sort.length > 0 ? null : 1,
            ...(source !== undefined ? { _source: source } : {}),
            ...(sort.length > 0 ? { sort: sort.map((k) => sortValue(a, k)) } : {}),
          };
        }),
      },
      ...(aggs !== undefined ? { aggregations: aggregate(aggs, matched) } : {}),
    };
  }

  private async targetIds(ids: string[] | undefined, query: unknown): Promise<string[]> {
    if (ids !== undefined) return [...new Set(ids)];
    return (await this.matching(query)).map((a) => a.id);
  }

  private async update(ids: string[], change: Omit<BulkUpdateAlerts, 'ids' | 'query'>, user: string): Promise<Record<string, unknown>> {
    const started = performance.now();
    if (ids.length === 0) return updateByQueryAnswer(started, 0, { updated: 0, skipped: 0, errors: [], skip_reasons: [] });
    const result = await this.opts.alerts.bulkUpdate({ ...change, ids }, user);
    return updateByQueryAnswer(started, ids.length, result);
  }

  /** `signals/status`: by `signal_ids` or `query`, with a closing reason when closing. */
  async setStatus(body: SignalsStatusBody, user: string): Promise<{ answer: Record<string, unknown>; ids: string[] }> {
    const ids = await this.targetIds(body.signal_ids, body.query);
    const status = statusOf(body.status);
    const reason = status === 'closed' ? reasonOf(body.reason) : undefined;
    const answer = await this.update(ids, { status, ...(reason ? { reason } : {}), ...(body.confirm_high_risk ? { confirm_high_risk: true } : {}) }, user);
    return { answer, ids };
  }

  /** `signals/tags`: tags added and removed, by ids or query. */
  async setTags(body: SignalsTagsBody, user: string): Promise<{ answer: Record<string, unknown>; ids: string[] }> {
    const ids = await this.targetIds(body.ids, body.query);
    const add = body.tags.tags_to_add;
    const remove = body.tags.tags_to_remove;
    return { answer: await this.update(ids, { ...(add.length ? { add_tags: add } : {}), ...(remove.length ? { remove_tags: remove } : {}) }, user), ids };
  }

  /** `signals/assignees`: users added and removed as assignees, by ids. */
  async setAssignees(body: SignalsAssigneesBody, user: string): Promise<{ answer: Record<string, unknown>; ids: string[] }> {
    const ids = [...new Set(body.ids)];
    const { add, remove } = body.assignees;
    return { answer: await this.update(ids, { ...(add.length ? { add_assignees: add } : {}), ...(remove.length ? { remove_assignees: remove } : {}) }, user), ids };
  }
}
