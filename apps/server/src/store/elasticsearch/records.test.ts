import { describe, expect, it } from 'vitest';
import type { Execution } from '@execwatch/api';
import { FakeCluster, FIXED_NOW, storeOn } from './test-helpers';

function execution(id: string, startedAt: string): Execution {
  return {
    id,
    rule_id: 'r1',
    status: 'succeeded',
    trigger: 'schedule',
    started_at: startedAt,
    finished_at: startedAt,
    duration_ms: 5,
    window: { from: startedAt, to: startedAt },
    events_matched: 0,
    alerts_created: 0,
    alerts_existing: 0,
    suppressed: 0,
    max_signals_reached: false,
    gaps: [],
    warnings: [],
    error: null,
  };
}

describe('state records', () => {
  it('keeps exception lists and items verbatim and finds them by id, list_id and item_id', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    const list = { id: 'L1', list_id: 'd4c-exec-exceptions', name: 'D4C exec exceptions', type: 'detection', namespace_type: 'single', created_at: '2024-01-01T00:00:00.000Z' };
    const item = { id: 'I1', item_id: 'admin-accounts', list_id: 'd4c-exec-exceptions', name: 'Admin accounts', entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' }] };
    await store.exceptions.putList(list);
    await store.exceptions.putItem(item);
    expect(await store.exceptions.getList({ list_id: 'd4c-exec-exceptions' })).toEqual(list);
    expect(await store.exceptions.getItem({ item_id: 'admin-accounts' })).toEqual(item);
    expect(await store.exceptions.getItem({ id: 'I1' })).toEqual(item);
    expect(await store.exceptions.findItems(['d4c-exec-exceptions'], { page: 1, perPage: 10 })).toEqual({ total: 1, data: [item] });
    await store.exceptions.deleteList('L1');
    expect(await store.exceptions.getList({ id: 'L1' })).toBeNull();
    expect(await store.exceptions.getItem({ id: 'I1' })).toBeNull();
  });

  it('adds hit counts with one bulk of scripted upserts and reads them back with mget', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_bulk', () => ({ errors: false, items: [{ update: { _index: 'execwatch-exceptions', _id: 'hits:I1', status: 200 } }] }));
    cluster.responders.set('_mget', () => ({ docs: [{ _index: 'execwatch-exceptions', _id: 'hits:I1', found: true, _source: { body: { hits: 4, last_hit_at: FIXED_NOW } } }, { _index: 'execwatch-exceptions', _id: 'hits:I2', found: false }] }));
    const store = storeOn(cluster);
    await store.exceptions.recordHits({ I1: 4, I2: 0 }, FIXED_NOW);
    const lines = cluster.sent('_bulk')[0]?.body as Record<string, unknown>[];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ update: { _index: 'execwatch-exceptions', _id: 'hits:I1', retry_on_conflict: 10 } });
    expect(lines[1]).toMatchObject({ script: { params: { n: 4, at: FIXED_NOW } }, upsert: { type: 'hits', id: 'I1', hits: 4, body: { hits: 4, last_hit_at: FIXED_NOW } } });
    expect(await store.exceptions.hitStats(['I1', 'I2'])).toEqual({ I1: { hits: 4, last_hit_at: FIXED_NOW }, I2: { hits: 0, last_hit_at: null } });
  });

  it('lists executions newest first and gives the latest', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    await store.executions.put(execution('e1', '2024-06-01T11:50:00.000Z'));
    await store.executions.put(execution('e2', '2024-06-01T11:55:00.000Z'));
    await store.executions.put({ ...execution('e2', '2024-06-01T11:55:00.000Z'), status: 'failed', error: 'cluster unreachable' });
    expect((await store.executions.latest('r1'))?.status).toBe('failed');
    const page = await store.executions.list('r1', { size: 10, page: 1 });
    expect(page.total).toBe(2);
    expect(page.executions.map((e) => e.id)).toEqual(['e2', 'e1']);
  });

  it('appends audit events with op_type=create, so an event is never overwritten', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    const event = { id: 'ev1', '@timestamp': '2024-06-01T12:00:00.000Z', user: 'admin', source_ip: null, action: 'alert.update', outcome: 'success' as const, target: { type: 'alert', id: 'a1' }, before: null, after: null };
    await store.audit.append(event);
    await expect(store.audit.append({ ...event, action: 'tampered' })).rejects.toThrow();
    expect(cluster.doc('execwatch-audit', 'ev1')?.source).toMatchObject({ action: 'alert.update' });
    expect((await store.audit.search({ user: 'admin', page: 1, size: 10 })).events).toEqual([event]);
  });

  it('stores settings of any JSON type', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    expect(await store.settings.get('exceptions.expiry_mandatory')).toBeNull();
    await store.settings.set('exceptions.expiry_mandatory', true);
    expect(await storeOn(cluster, { instanceId: 'b' }).settings.get<boolean>('exceptions.expiry_mandatory')).toBe(true);
  });
});
