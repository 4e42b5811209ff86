import { describe, expect, it } from 'vitest';
import { FakeCluster, FIXED_NOW, storeOn } from './test-helpers';

const auditDoc = (id: string, at: string) => ({
  '@timestamp': at,
  event: { ingested: at },
  kubernetes: { audit: { auditID: id, objectRef: { namespace: 'prod', name: 'web-1' } } },
});

describe('Kubernetes audit events on a cluster', () => {
  it('reads one pod in a time range with term filters on the integration fields, oldest first', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_search', () => ({ hits: { total: { value: 1, relation: 'eq' }, hits: [{ _index: '.ds-logs-kubernetes.audit_logs-default-1', _id: 'a', _source: auditDoc('k1', '2024-06-01T11:59:00.000Z') }] } }));
    const hits = await storeOn(cluster).kubeAudit.forPod({ namespace: 'prod', pod: 'web-1', from: FIXED_NOW - 60_000, to: FIXED_NOW, limit: 500 });
    expect(hits.map((h) => h._id)).toEqual(['a']);
    const [req] = cluster.sent('_search');
    expect(req?.path).toBe('/logs-kubernetes.audit_logs-*/_search');
    expect(req?.body).toMatchObject({
      size: 500,
      query: { bool: { filter: [{ term: { 'kubernetes.audit.objectRef.namespace': 'prod' } }, { term: { 'kubernetes.audit.objectRef.name': 'web-1' } }, { range: { '@timestamp': { gte: '2024-06-01T11:59:00.000Z', lte: '2024-06-01T12:00:00.000Z' } } }] } },
      sort: [{ '@timestamp': { order: 'asc' } }],
    });
  });

  it('follows arrivals with search_after on event.ingested and _id', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_search', () => ({ hits: { hits: [{ _index: 'x', _id: 'b', _source: auditDoc('k2', '2024-06-01T11:59:30.000Z'), sort: [1717243170000, 'b'] }] } }));
    const store = storeOn(cluster);
    const first = await store.kubeAudit.since(null, 2000);
    expect(first.cursor).toBe(JSON.stringify([1717243170000, 'b']));
    await store.kubeAudit.since(first.cursor, 2000);
    const [a, b] = cluster.sent('_search');
    expect(a?.body).not.toHaveProperty('search_after');
    expect(b?.body).toMatchObject({ search_after: [1717243170000, 'b'], sort: [{ 'event.ingested': { order: 'asc' } }, { _id: { order: 'asc' } }] });
  });

  it('sets alert fields with a script that replaces each path whole, values in params', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_update', () => ({ result: 'updated', _id: 'a1' }));
    await storeOn(cluster).alerts.setFields('a1', { 'execwatch.attribution': { match: 'none' }, 'kubernetes.audit': null });
    const update = cluster.requests.find((r) => r.path.includes('/_update/a1'));
    expect(update?.body).toMatchObject({ script: { lang: 'painless', params: { fields: { 'execwatch.attribution': { match: 'none' }, 'kubernetes.audit': null } } } });
    expect(JSON.stringify(update?.body)).not.toContain('"source":"ctx._source.execwatch');
  });
});
