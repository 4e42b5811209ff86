import { describe, expect, it } from 'vitest';
import { alertDoc } from '../contract/fixtures';
import { FIXED_NOW, FakeCluster, storeOn } from './test-helpers';
import { alertRetentionRequest } from './retention';

const DAY = 86_400_000;

describe('retention on a cluster', () => {
  it('builds one bounded delete-by-query of the alerts before the cutoff', () => {
    expect(alertRetentionRequest('execwatch-alerts-default', Date.parse('2024-01-01T00:00:00.000Z'), 2000)).toEqual({
      index: 'execwatch-alerts-default',
      max_docs: 2000,
      conflicts: 'proceed',
      refresh: true,
      wait_for_completion: true,
      query: { range: { '@timestamp': { lt: '2024-01-01T00:00:00.000Z' } } },
    });
  });

  it('deletes alerts past the alert retention and leaves events to the cluster', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    await store.init();
    await store.alerts.createMany([alertDoc('old', { time: FIXED_NOW - 400 * DAY }), alertDoc('new', { time: FIXED_NOW - DAY })]);
    const retention = store.retention;
    if (!retention) throw new Error('the cluster adapter has retention');
    expect(retention.enforcedBy).toBe('cluster');
    cluster.requests.length = 0;
    const batch = await retention.deleteBatch({ eventsMs: 7 * DAY, alertsMs: 365 * DAY }, FIXED_NOW, 500);
    expect(batch).toEqual({ events: 0, alerts: 1, more: false });
    const sent = cluster.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: 'POST',
      path: '/execwatch-alerts-default/_delete_by_query',
      querystring: { conflicts: 'proceed' },
      body: { max_docs: 500, query: { range: { '@timestamp': { lt: new Date(FIXED_NOW - 365 * DAY).toISOString() } } } },
    });
    expect(await store.alerts.get('old')).toBeNull();
    expect(await store.alerts.get('new')).not.toBeNull();
    // no request touches the event data streams
    expect(cluster.requests.some((r) => r.path.includes('logs-'))).toBe(false);
  });
});
