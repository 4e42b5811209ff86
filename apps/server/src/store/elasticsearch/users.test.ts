import { describe, expect, it } from 'vitest';
import type { SessionRecord, Store, ThrottleState } from '../ports';
import { FakeCluster, FIXED_NOW, storeOn } from './test-helpers';

const session: SessionRecord = { id_hash: 'h1', username: 'analyst1', created_at: FIXED_NOW, last_seen_at: FIXED_NOW, expires_at: FIXED_NOW + 3_600_000 };

describe('sessions and rate limits across instances', () => {
  it('finds a session created on one instance from another, and its deletion too', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster, { instanceId: 'a' });
    const b = storeOn(cluster, { instanceId: 'b' });
    await a.users.putSession(session);
    expect(await b.users.getSession('h1')).toEqual(session);
    await b.users.deleteSession('h1');
    expect(await a.users.getSession('h1')).toBeNull();
  });

  it('counts sign-in failures recorded on any instance within the window', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster, { instanceId: 'a' });
    const b = storeOn(cluster, { instanceId: 'b' });
    const window = 15 * 60_000;
    expect(await a.users.recordFailure('user:admin', FIXED_NOW - window - 1, window)).toBe(1);
    expect(await a.users.recordFailure('user:admin', FIXED_NOW, window)).toBe(1);
    expect(await b.users.recordFailure('user:admin', FIXED_NOW + 1_000, window)).toBe(2);
    expect(await a.users.recordFailure('ip:10.0.0.1', FIXED_NOW + 2_000, window)).toBe(1);
    expect(await a.users.failures('user:admin', FIXED_NOW - window)).toBe(2);
    await b.users.clearFailures('user:admin');
    expect(await a.users.failures('user:admin', 0)).toBe(0);
    expect(await a.users.failures('ip:10.0.0.1', 0)).toBe(1);
  });

  it('updates a sign-in throttle counter atomically across instances: no count is lost', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster, { instanceId: 'a' });
    const b = storeOn(cluster, { instanceId: 'b' });
    const bump = (s: Store) => s.users.updateThrottle('user:ana', (current) => ({ next: { count: (current?.count ?? 0) + 1, last_at: FIXED_NOW }, result: (current?.count ?? 0) + 1 }));
    const counts = await Promise.all(Array.from({ length: 12 }, (_, i) => bump(i % 2 ? a : b)));
    expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const read = (s: Store) => s.users.updateThrottle('user:ana', (current): { result: ThrottleState | null } => ({ result: current }));
    expect(await read(b)).toEqual({ count: 12, last_at: FIXED_NOW });
    // Every write was conditional: created once, then replaced only at the version read.
    const writes = cluster.requests.filter((r) => r.path.includes('/throttle') && r.method !== 'GET');
    expect(writes.every((r) => r.path.includes('/_create/') || (r.querystring.if_seq_no !== undefined && r.querystring.if_primary_term !== undefined))).toBe(true);
    await a.users.updateThrottle('user:ana', () => ({ next: null, result: undefined }));
    expect(await read(b)).toBeNull();
  });

  it('prunes throttle counters idle since before a time', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster);
    await a.users.updateThrottle('ip:10.0.0.1', () => ({ next: { count: 1, last_at: FIXED_NOW - 7_200_000 }, result: undefined }));
    await a.users.updateThrottle('ip:10.0.0.2', () => ({ next: { count: 1, last_at: FIXED_NOW }, result: undefined }));
    await a.users.pruneThrottle(FIXED_NOW - 3_600_000);
    const read = (key: string) => a.users.updateThrottle(key, (current): { result: ThrottleState | null } => ({ result: current }));
    expect(await read('ip:10.0.0.1')).toBeNull();
    expect(await read('ip:10.0.0.2')).toEqual({ count: 1, last_at: FIXED_NOW });
  });

  it('replaces a password hash only while it is still the one expected', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster, { instanceId: 'a' });
    const user = { username: 'ana', full_name: null, roles: ['analyst' as const], enabled: true, password_hash: 'scrypt$old', created_at: FIXED_NOW, updated_at: FIXED_NOW };
    await a.users.put(user);
    await storeOn(cluster, { instanceId: 'b' }).users.put({ ...user, password_hash: 'scrypt$changed' });
    expect(await a.users.replacePasswordHash('ana', 'scrypt$old', 'scrypt$rehashed', FIXED_NOW + 1)).toBe(false);
    expect((await a.users.get('ana'))?.password_hash).toBe('scrypt$changed');
    expect(await a.users.replacePasswordHash('ana', 'scrypt$changed', 'scrypt$rehashed', FIXED_NOW + 1)).toBe(true);
    expect(await a.users.get('ana')).toEqual({ ...user, password_hash: 'scrypt$rehashed', updated_at: FIXED_NOW + 1 });
  });

  it('stores users and API keys by name and id', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster, { instanceId: 'a' });
    const user = { username: 'admin', full_name: null, roles: ['admin' as const], enabled: true, password_hash: 'scrypt$1$2$3$salt$hash', created_at: FIXED_NOW, updated_at: FIXED_NOW };
    await a.users.put(user);
    expect(await storeOn(cluster, { instanceId: 'b' }).users.get('admin')).toEqual(user);
    expect(await a.users.count()).toBe(1);
    const key = { id: 'k1', name: 'shipper', username: 'admin', key_hash: 'h', created_at: FIXED_NOW, expires_at: null, invalidated: false };
    await a.users.putApiKey(key);
    expect(await a.users.listApiKeys('admin')).toEqual([key]);
    expect(await a.users.listApiKeys('nobody')).toEqual([]);
  });
});
