import type { estypes } from '@elastic/elasticsearch';
import { KUBE_AUDIT_INDEX_PATTERN, type EventHit, type KubeAuditStore } from '../ports';
import type { EsContext, Source } from './context';
import { withRetry } from './retry';

const iso = (ms: number) => new Date(ms).toISOString();
/** The terms aggregation's bucket for events that name no cluster. */
const NO_CLUSTER = '__execwatch_no_cluster__';

interface ClusterBucket {
  key: string | number;
  verbs: { buckets: { key: string | number; doc_count: number; last: { value: number | null } }[] };
}
const hitOf = (h: estypes.SearchHit<Source>): EventHit => ({ _index: h._index, _id: h._id ?? '', _source: h._source ?? {} });

/**
 * Kubernetes audit events from Elastic's Kubernetes integration data streams, read with queries. The
 * follower's cursor is the `event.ingested` and `_id` of the last event read (`search_after`).
 */
export function createKubeAuditStore(ctx: EsContext): KubeAuditStore {
  const { client, retry, log } = ctx;
  const search = (what: string, body: Omit<estypes.SearchRequest, 'index'>) =>
    withRetry(what, () => client.search<Source>({ index: KUBE_AUDIT_INDEX_PATTERN, allow_no_indices: true, ignore_unavailable: true, ...body }), retry, log);
  return {
    async forPod(q) {
      const res = await search('kubernetes audit events of a pod', {
        size: q.limit,
        query: {
          bool: {
            filter: [
              { term: { 'kubernetes.audit.objectRef.namespace': q.namespace } },
              { term: { 'kubernetes.audit.objectRef.name': q.pod } },
              { range: { '@timestamp': { gte: iso(q.from), lte: iso(q.to), format: 'strict_date_optional_time' } } },
            ],
          },
        },
        sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }],
      });
      return res.hits.hits.map(hitOf);
    },
    async since(cursor, limit) {
      const after = cursor === null ? null : (JSON.parse(cursor) as estypes.SortResults); // written below as JSON of a hit's sort values
      const res = await search('kubernetes audit events since a cursor', {
        size: limit,
        query: { exists: { field: 'kubernetes.audit.auditID' } },
        sort: [{ 'event.ingested': { order: 'asc', unmapped_type: 'date' } }, { _id: { order: 'asc' } }],
        ...(after ? { search_after: after } : {}),
      });
      const last = res.hits.hits.at(-1);
      return { events: res.hits.hits.map(hitOf), cursor: last?.sort ? JSON.stringify(last.sort) : cursor };
    },
    async summary(sinceMs) {
      const res = await search('kubernetes audit events by cluster and verb', {
        size: 0,
        query: { range: { '@timestamp': { gte: iso(sinceMs), format: 'strict_date_optional_time' } } },
        aggs: {
          clusters: {
            terms: { field: 'orchestrator.cluster.name', size: 100, missing: NO_CLUSTER },
            aggs: { verbs: { terms: { field: 'kubernetes.audit.verb', size: 20 }, aggs: { last: { max: { field: '@timestamp' } } } } },
          },
        },
      });
      const clusters = (res.aggregations?.clusters as { buckets?: ClusterBucket[] } | undefined)?.buckets ?? []; // the aggregation asked for above
      return clusters.flatMap((c) =>
        c.verbs.buckets.map((v) => ({ cluster: c.key === NO_CLUSTER ? null : String(c.key), verb: String(v.key), events: v.doc_count, lastAt: v.last.value ?? null })),
      );
    },
    async any() {
      const res = await search('any kubernetes audit event', { size: 0, terminate_after: 1, track_total_hits: 1, query: { match_all: {} } });
      const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
      return total > 0;
    },
  };
}
