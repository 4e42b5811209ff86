import { describe, expect, it } from 'vitest';
import { FakeCluster, storeOn } from './test-helpers';

const T0 = Date.UTC(2026, 0, 1, 12);
const entry = (id: string, recipient: string, at: number) => ({ id, recipient, kind: 'mentioned' as const, actor: 'admin', alert_id: 'a1', alerts_count: 1, text: 'note', created_at: at, read_at: null });

describe('elasticsearch notifications', () => {
  it('stores entries once, lists them newest first with the unread count, marks read and claims deliveries once', async () => {
    const store = storeOn(new FakeCluster());
    await store.init();
    await store.notifications.add([entry('m1', 'ana', T0), entry('m2', 'ana', T0 + 1), entry('m3', 'bob', T0)]);
    expect(await store.notifications.markRead('ana', ['m1'], T0 + 5)).toBe(1);
    await store.notifications.add([{ ...entry('m1', 'ana', T0), text: 'again' }]);
    const ana = await store.notifications.list('ana', { unreadOnly: false, size: 10 });
    expect(ana.unread).toBe(1);
    expect(ana.notifications.map((n) => [n.id, n.text, n.read_at])).toEqual([['m2', 'note', null], ['m1', 'note', T0 + 5]]);
    expect(await store.notifications.markRead('ana', 'all', T0 + 6)).toBe(1);
    expect((await store.notifications.list('ana', { unreadOnly: true, size: 10 })).notifications).toEqual([]);
    expect((await store.notifications.list('bob', { unreadOnly: true, size: 10 })).unread).toBe(1);
    expect(await store.notifications.claimDelivery('high_risk:a1', T0)).toBe(true);
    expect(await store.notifications.claimDelivery('high_risk:a1', T0 + 1)).toBe(false);
  });
});
