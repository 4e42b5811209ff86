/**
 * Retention on a cluster. Events live in the shippers' data streams (`logs-cloud_defend*`,
 * `logs-kubernetes.audit_logs-*`), whose lifecycle (ILM or data stream lifecycle) the cluster owns: Execwatch
 * deletes none of them. Execwatch's alerts index is one index that is never rolled over, so an ILM delete phase
 * (which deletes whole indices by age) would take every alert at once; alerts past the alert retention are
 * deleted by query instead, a batch at a time, as the embedded store deletes them.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { RetentionBatch, RetentionPolicy, StoreRetention, StoreUsage } from '../ports';
import type { EsContext } from './context';
import { withRetry } from './retry';

/** The `_delete_by_query` request of one alert batch: alerts whose `@timestamp` is before `cutoff`. */
export function alertRetentionRequest(index: string, cutoff: number, limit: number): estypes.DeleteByQueryRequest {
  return {
    index,
    max_docs: limit,
    conflicts: 'proceed',
    refresh: true,
    wait_for_completion: true,
    query: { range: { '@timestamp': { lt: new Date(cutoff).toISOString() } } },
  };
}

export function createEsRetention(ctx: EsContext): StoreRetention {
  const { client, names, retry, log } = ctx;
  return {
    enforcedBy: 'cluster',

    async deleteBatch(policy: RetentionPolicy, now: number, limit: number): Promise<RetentionBatch> {
      const res = await withRetry('alert retention', () => client.deleteByQuery(alertRetentionRequest(names.alerts, now - policy.alertsMs, limit)), retry, log);
      const deleted = res.deleted ?? 0;
      return { events: 0, alerts: deleted, more: deleted >= limit };
    },

    async usage(): Promise<StoreUsage> {
      const [events, alerts, oldestAlert] = await Promise.all([
        withRetry('event count', () => client.count({ index: ctx.eventIndices, allow_no_indices: true, ignore_unavailable: true }), retry, log),
        withRetry('alert count', () => client.count({ index: names.alerts, allow_no_indices: true, ignore_unavailable: true }), retry, log),
        withRetry(
          'oldest alert',
          () => client.search<Record<string, unknown>>({ index: names.alerts, size: 1, sort: [{ '@timestamp': { order: 'asc' } }], _source: ['@timestamp'], ignore_unavailable: true }),
          retry,
          log,
        ),
      ]);
      const ts = oldestAlert.hits.hits[0]?._source?.['@timestamp'];
      const oldest = typeof ts === 'string' ? Date.parse(ts) : null;
      return {
        sizeBytes: null,
        reusableBytes: null,
        events: events.count,
        eventsExact: true,
        oldestEvent: null,
        eventsPerDay: null,
        bytesPerEvent: null,
        alerts: alerts.count,
        oldestAlert: oldest !== null && Number.isFinite(oldest) ? oldest : null,
      };
    },
  };
}
