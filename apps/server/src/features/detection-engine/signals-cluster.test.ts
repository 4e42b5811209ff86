/** The signals API over the Elasticsearch adapter: the searches it sends the cluster, and what it changes. */
import { describe, expect, it } from 'vitest';
import type { AlertFilter, BulkUpdateAlerts } from '@execwatch/api';
import { FakeCluster, FIXED_NOW, storeOn } from '../../store/elasticsearch/test-helpers';
import { DetectionEngineSignals } from './service';

const doc = (id: string, status: string, ns: string) => ({ kibana: { alert: { uuid: id, workflow_status: status } }, orchestrator: { namespace: ns }, '@timestamp': new Date(FIXED_NOW - 1000).toISOString() });

describe('signals over the Elasticsearch adapter', () => {
  it('narrows the alert search with what AlertFilter can say, then evaluates the whole query', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_search', () => ({
      hits: { total: { value: 2, relation: 'eq' }, hits: [{ _index: 'execwatch-alerts-default', _id: 'a1', _source: doc('a1', 'open', 'prod') }, { _index: 'execwatch-alerts-default', _id: 'a2', _source: doc('a2', 'open', 'ci') }] },
    }));
    const updates: BulkUpdateAlerts[] = [];
    const signals = new DetectionEngineSignals({
      store: storeOn(cluster),
      now: () => FIXED_NOW,
      alerts: {
        resolveFilter: <F extends AlertFilter>(f: F) => f,
        bulkUpdate: async (body) => {
          updates.push(body);
          return { updated: body.ids?.length ?? 0, skipped: 0, errors: [], skip_reasons: [] };
        },
      },
    });
    const query = { bool: { filter: [{ term: { 'kibana.alert.workflow_status': 'open' } }, { range: { '@timestamp': { gte: 'now-1h' } } }], must_not: [{ term: { 'orchestrator.namespace': 'ci' } }] } };
    const answer = await signals.search({ query, size: 10 });
    expect((answer.hits as { hits: { _id: string }[] }).hits.map((h) => h._id)).toEqual(['a1']);
    const sent = cluster.sent('_search')[0]?.body as { query: { bool: { filter: unknown[] } } };
    expect(sent.query.bool.filter).toEqual(expect.arrayContaining([{ terms: { 'kibana.alert.workflow_status': ['open'] } }]));
    expect(JSON.stringify(sent.query)).toContain(new Date(FIXED_NOW - 3_600_000).toISOString());

    const { answer: status } = await signals.setStatus({ query, status: 'closed', reason: 'duplicate' }, 'soar');
    expect(updates).toEqual([{ ids: ['a1'], status: 'closed', reason: 'duplicate' }]);
    expect(status).toMatchObject({ updated: 1, total: 1, failures: [] });
  });
});
