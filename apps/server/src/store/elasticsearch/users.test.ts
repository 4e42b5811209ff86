import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../ports';
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
