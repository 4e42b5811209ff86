import type { estypes } from '@elastic/elasticsearch';
import type { AlertFilter, AlertGroupField, WorkflowStatus } from '@execwatch/api';
import type { AlertPatch, AlertQuery, AlertStats, AlertStore, StoredAlert } from '../ports';
import { ndjsonHeaders } from './client';
import type { EsContext, Source } from './context';
import { alertFilterQuery, alertSort, groupFields, histogramInterval, statusQuery } from './alert-filter';
import { alertPatchScript, setFieldsScript } from './alert-update';
import { backoffDelay, ClusterRequestError, ClusterUnavailableError, isNotFound, isRetryableStatus, sleep, withRetry } from './retry';

/** Ids per `terms` query / bulk request (well under `indices.query.bool.max_clause_count` and `index.max_terms_count`). */
const ID_CHUNK = 10_000;
/** Update-by-query passes when documents changed underneath (conflicts=proceed leaves them for the next pass). */
const CONFLICT_PASSES = 5;

type Agg = Record<string, unknown>;

/** `_bulk` create ops for alerts with their deterministic ids (a conflict means the alert exists). */
export function alertBulkOperations(index: string, alerts: StoredAlert[]): Source[] {
  return alerts.flatMap((a) => [{ create: { _index: index, _id: a.id } }, a.doc]);
}

/** The alert port: `_bulk` creates, `_search` with aggregations, `_update_by_query` with a painless script. */
export function createAlertStore(ctx: EsContext): AlertStore {
  const { client, log, retry } = ctx;
  const index = ctx.names.alerts;
  const toAlert = (h: { _index: string; _id?: string | null; _source?: Source }): StoredAlert => ({ id: h._id ?? '', index: h._index, doc: h._source ?? {} });
  const where = (filter: AlertFilter, withStatus = true) => alertFilterQuery(filter, { withStatus });

  async function createMany(alerts: StoredAlert[]): Promise<{ created: number; existing: number }> {
    let created = 0;
    let existing = 0;
    for (let start = 0; start < alerts.length; start += ID_CHUNK) {
      let pending = alerts.slice(start, start + ID_CHUNK);
      for (let attempt = 0; pending.length > 0; attempt++) {
        const batch = pending;
        const res = await withRetry(
          'bulk create alerts',
          () => client.bulk({ operations: alertBulkOperations(index, batch), refresh: 'wait_for' }, { headers: ndjsonHeaders(ctx.compatibility) }),
          retry,
          log,
        );
        const failed: StoredAlert[] = [];
        let lastReason = '';
        res.items.forEach((item, i) => {
          const r = item.create;
          const alert = batch[i];
          if (!r || !alert) return;
          if (r.status === 201) created++;
          else if (r.status === 409) existing++;
          else {
            lastReason = `${r.status} ${r.error?.type ?? ''} ${r.error?.reason ?? ''}`.trim();
            if (!isRetryableStatus(r.status)) throw new ClusterRequestError(`alert ${alert.id} was rejected: ${lastReason}`, r.status);
            failed.push(alert);
          }
        });
        if (failed.length > 0 && attempt + 1 >= retry.attempts) {
          throw new ClusterUnavailableError(`${failed.length} alert(s) not written after ${retry.attempts} attempts: ${lastReason}`, null);
        }
        if (failed.length > 0) {
          log.warn('alert writes failed, retrying', { failed: failed.length, attempt: attempt + 1, reason: lastReason });
          await sleep(backoffDelay(retry, attempt));
        }
        pending = failed;
      }
    }
    return { created, existing };
  }

  async function get(id: string): Promise<StoredAlert | null> {
    try {
      const res = await withRetry('get alert', () => client.get<Source>({ index, id }), retry, log);
      return res.found ? toAlert(res) : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async function search(q: AlertQuery): Promise<{ total: number; alerts: StoredAlert[] }> {
    const res = await withRetry(
      'search alerts',
      () =>
        client.search<Source>({
          index,
          query: where(q.filter),
          sort: alertSort(q.sort),
          from: (q.page - 1) * q.size,
          size: q.size,
          track_total_hits: true,
        }),
      retry,
      log,
    );
    return { total: totalOf(res.hits.total), alerts: res.hits.hits.map(toAlert) };
  }

  async function stats(filter: AlertFilter, opts: { groupBy?: AlertGroupField; groupsSize: number; buckets: number; range: { from: number; to: number } }): Promise<AlertStats> {
    const intervalMs = histogramInterval(opts.range, opts.buckets);
    const byStatusSev = {
      by_severity: { terms: { field: 'kibana.alert.severity', size: 10 } },
      by_status: { terms: { field: 'kibana.alert.workflow_status', size: 10 } },
    };
    const inner: Record<string, estypes.AggregationsAggregationContainer> = {
      histogram: {
        date_histogram: {
          field: '@timestamp',
          fixed_interval: `${intervalMs}ms`,
          min_doc_count: 0,
          // Buckets start at the range's start, not at the epoch-aligned interval boundary.
          offset: `${opts.range.from % intervalMs}ms`,
          extended_bounds: { min: opts.range.from, max: opts.range.to },
          // Alerts outside the range (no from/to in the filter) must not blow up the bucket count.
          hard_bounds: { min: opts.range.from, max: opts.range.to },
        },
      },
    };
    if (opts.groupBy) {
      const field = groupFields[opts.groupBy];
      inner.groups = { terms: { field, size: opts.groupsSize, order: { _count: 'desc' } }, aggs: byStatusSev };
      inner.no_group = { missing: { field }, aggs: byStatusSev };
    }
    const res = await withRetry(
      'alert stats',
      () =>
        client.search({
          index,
          size: 0,
          track_total_hits: true,
          query: where(filter, false),
          aggs: {
            by_status: { terms: { field: 'kibana.alert.workflow_status', size: 10 } },
            filtered: { filter: statusQuery(filter), aggs: inner },
          },
        }),
      retry,
      log,
    );
    const aggs = (res.aggregations ?? {}) as Record<string, Agg>; // aggregation results are untyped JSON in the client
    const byStatus: Record<WorkflowStatus, number> = { open: 0, acknowledged: 0, closed: 0 };
    for (const b of buckets(aggs.by_status)) if (b.key in byStatus) byStatus[b.key as WorkflowStatus] = b.doc_count; // checked by `in`
    const filtered = aggs.filtered ?? {};
    const out: AlertStats = {
      total: typeof filtered.doc_count === 'number' ? filtered.doc_count : 0,
      byStatus,
      histogram: { intervalMs, buckets: buckets(filtered.histogram).map((b) => ({ key: Number(b.key), count: b.doc_count })) },
    };
    if (opts.groupBy) {
      const group = (key: string | null, b: Agg) => ({
        key,
        count: typeof b.doc_count === 'number' ? b.doc_count : 0,
        bySeverity: Object.fromEntries(buckets(b.by_severity).map((x) => [String(x.key), x.doc_count])),
        byStatus: Object.fromEntries(buckets(b.by_status).map((x) => [String(x.key), x.doc_count])),
      });
      const groups = buckets(filtered.groups).map((b) => group(String(b.key), b));
      const none = (filtered.no_group ?? {}) as Agg; // aggregation results are untyped JSON
      if (typeof none.doc_count === 'number' && none.doc_count > 0) groups.push(group(null, none));
      out.groups = groups.sort((x, y) => y.count - x.count).slice(0, opts.groupsSize);
    }
    return out;
  }

  async function update(id: string, patch: AlertPatch): Promise<StoredAlert | null> {
    try {
      await withRetry(
        'update alert',
        () => client.update({ index, id, script: alertPatchScript(patch), retry_on_conflict: 5, refresh: true }),
        retry,
        log,
      );
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    return get(id);
  }

  async function setFields(id: string, fields: Readonly<Record<string, unknown>>): Promise<StoredAlert | null> {
    try {
      await withRetry('set alert fields', () => client.update({ index, id, script: setFieldsScript(fields), retry_on_conflict: 5, refresh: true }), retry, log);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    return get(id);
  }

  async function updateByQuery(query: estypes.QueryDslQueryContainer, patch: AlertPatch): Promise<number> {
    let updated = 0;
    for (let pass = 0; pass < CONFLICT_PASSES; pass++) {
      const res = await withRetry(
        'update alerts by query',
        () => client.updateByQuery({ index, query, script: alertPatchScript(patch), conflicts: 'proceed', refresh: true, slices: 'auto' }),
        retry,
        log,
      );
      // No-ops are alerts already in the wanted state: they count as updated once (first pass).
      updated += (res.updated ?? 0) + (pass === 0 ? (res.noops ?? 0) : 0);
      if ((res.failures ?? []).length > 0) throw new ClusterUnavailableError(`bulk alert update failed: ${JSON.stringify(res.failures?.[0]).slice(0, 300)}`, null);
      if (!res.version_conflicts) return updated;
      log.warn('alerts changed during a bulk update, running another pass', { conflicts: res.version_conflicts, pass: pass + 1 });
      await sleep(backoffDelay(retry, pass));
    }
    throw new ClusterUnavailableError(`bulk alert update kept conflicting after ${CONFLICT_PASSES} passes`, 409);
  }

  async function updateMany(target: { ids: string[] } | { filter: AlertFilter }, patch: AlertPatch): Promise<{ updated: number }> {
    if ('filter' in target) return { updated: await updateByQuery(where(target.filter), patch) };
    let updated = 0;
    for (let start = 0; start < target.ids.length; start += ID_CHUNK) {
      updated += await updateByQuery({ ids: { values: target.ids.slice(start, start + ID_CHUNK) } }, patch);
    }
    return { updated };
  }

  async function ids(filter: AlertFilter, limit: number): Promise<string[]> {
    const out: string[] = [];
    let after: estypes.SortResults | undefined;
    while (out.length < limit) {
      const res = await withRetry(
        'alert ids',
        () =>
          client.search({
            index,
            query: where(filter),
            _source: false,
            size: Math.min(5_000, limit - out.length),
            sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }, { 'kibana.alert.uuid': { order: 'asc', unmapped_type: 'keyword' } }],
            ...(after ? { search_after: after } : {}),
          }),
        retry,
        log,
      );
      const hits = res.hits.hits;
      for (const h of hits) if (h._id) out.push(h._id);
      const last = hits[hits.length - 1];
      if (!last?.sort || hits.length === 0) break;
      after = last.sort;
    }
    return out.slice(0, limit);
  }

  return { createMany, get, search, stats, update, updateMany, ids, setFields };
}

function totalOf(total: number | estypes.SearchTotalHits | undefined): number {
  return typeof total === 'number' ? total : (total?.value ?? 0);
}

function buckets(agg: unknown): (Agg & { key: string | number; doc_count: number })[] {
  const list: unknown = typeof agg === 'object' && agg !== null ? (agg as Agg).buckets : undefined; // checked to be an object just before
  if (!Array.isArray(list)) return [];
  return (list as unknown[]).filter( // Array.isArray narrowed it to any[]
    (b): b is Agg & { key: string | number; doc_count: number } => typeof b === 'object' && b !== null && 'key' in b && 'doc_count' in b && typeof b.doc_count === 'number',
  );
}
