import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKeyResponseSchema, type CreateApiKeyResponse, type MeResponse } from '@execwatch/api';
import { parseExpiration, type ApiKeyInfo, type InvalidationResult } from './api-keys';
import { sha256Hex } from './secrets';
import { basic, jsonOf, login, startAuthTestServer, testClock, type AuthTestServer } from './testing/auth-test-server';

const ADMIN = { username: 'root', password: 'admin-password-12' };
const ANA = { username: 'ana', password: 'analyst-password-1' };

describe('parseExpiration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['0d', null],
    ['1w', null],
    ['-1d', null],
    ['1.5h', null],
  ])('%s -> %s', (text, ms) => expect(parseExpiration(text)).toBe(ms));
});

describe('HTTP Basic and API keys', () => {
  let srv: AuthTestServer;
  const clock = testClock();

  beforeEach(async () => {
    clock.set(Date.UTC(2026, 0, 1));
    srv = await startAuthTestServer({ now: clock.now });
    await srv.auth.ensureUser({ ...ADMIN, roles: ['admin'] });
    await srv.auth.ensureUser({ ...ANA, roles: ['analyst'] });
  });
  afterEach(() => srv.close());

  const asBasic = (u: { username: string; password: string }) => ({ authorization: basic(u.username, u.password) });
  const call = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${srv.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const createKey = async (who: typeof ADMIN, body: unknown) => call('/api/security/api_key', { method: 'POST', headers: asBasic(who), body: JSON.stringify(body) });

  it('accepts HTTP Basic without the xsrf header and challenges bad credentials', async () => {
    const ok = await call('/api/probe', { method: 'POST', headers: asBasic(ANA) });
    expect(ok.status).toBe(200);
    const bad = await call('/api/probe', { headers: { authorization: basic('ana', 'not-the-password') } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="execwatch", charset="UTF-8"');
    expect(await bad.json()).toEqual({ error: 'unauthenticated', message: 'invalid username or password', status: 401 });
  });

  it('answers concurrent Basic requests alike and forgets a password once it is changed', async () => {
    const many = (who: typeof ANA) => Promise.all(Array.from({ length: 12 }, () => call('/api/probe', { headers: asBasic(who) }).then((r) => r.status)));
    expect(new Set(await many(ANA))).toEqual(new Set([200]));
    expect(new Set(await many({ username: 'ana', password: 'wrong-password-9' }))).toEqual(new Set([401]));
    const patched = await call('/api/users/ana', { method: 'PATCH', headers: asBasic(ADMIN), body: JSON.stringify({ password: 'changed-password-1' }) });
    expect(patched.status).toBe(200);
    expect((await call('/api/probe', { headers: asBasic(ANA) })).status).toBe(401);
    expect((await call('/api/probe', { headers: asBasic({ username: 'ana', password: 'changed-password-1' }) })).status).toBe(200);
  });

  it('leaves the Basic challenge out for the web app, so the browser shows no password dialog', async () => {
    const res = await call('/api/probe', { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('reports Basic as the authentication method in /api/auth/me', async () => {
    const me = await jsonOf<MeResponse>(call('/api/auth/me', { headers: asBasic(ANA) }));
    expect(me.authentication).toBe('basic');
    expect(me.user).toMatchObject({ username: 'ana', roles: ['analyst'], enabled: true });
  });

  it("creates keys in Elasticsearch's response shape, usable as Authorization: ApiKey, shown once and hashed at rest", async () => {
    const res = await createKey(ANA, { name: 'shipper', expiration: '1d' });
    expect(res.status).toBe(200);
    const key = createApiKeyResponseSchema.parse(await res.json());
    expect(key.name).toBe('shipper');
    expect(key.encoded).toBe(Buffer.from(`${key.id}:${key.api_key}`).toString('base64'));
    expect(key.expiration).toBe(clock.now() + 86_400_000);

    const stored = await srv.store.users.getApiKey(key.id);
    expect(stored?.key_hash).toBe(sha256Hex(key.api_key));
    expect(JSON.stringify(stored)).not.toContain(key.api_key);

    const me = await jsonOf<MeResponse>(call('/api/auth/me', { headers: { authorization: `ApiKey ${key.encoded}` } }));
    expect(me).toMatchObject({ authentication: 'api_key', user: { username: 'ana' } });
    expect(me.abilities['alerts:triage']).toBe(true);

    const listed = await jsonOf<{ api_keys: ApiKeyInfo[] }>(call('/api/security/api_key', { headers: asBasic(ANA) }));
    expect(listed.api_keys).toEqual([{ id: key.id, name: 'shipper', username: 'ana', realm: 'execwatch', creation: clock.now(), expiration: key.expiration, invalidated: false }]);
    expect(JSON.stringify(listed)).not.toContain(key.api_key);
  });

  it('refuses a key with a wrong secret, and an expired key', async () => {
    const key = await jsonOf<CreateApiKeyResponse>(createKey(ANA, { name: 'short', expiration: '1h' }));
    const wrong = Buffer.from(`${key.id}:${key.api_key.slice(0, -1)}x`).toString('base64');
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${wrong}` } })).status).toBe(401);
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(200);
    clock.advance(3_600_000);
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(401);
  });

  it("invalidates keys with Elasticsearch's response shape; users only touch their own keys", async () => {
    const anaKey = await jsonOf<CreateApiKeyResponse>(createKey(ANA, { name: 'a' }));
    const adminKey = await jsonOf<CreateApiKeyResponse>(createKey(ADMIN, { name: 'b' }));
    const invalidate = (who: typeof ADMIN, body: unknown) => call('/api/security/api_key', { method: 'DELETE', headers: asBasic(who), body: JSON.stringify(body) });

    const notMine = await (await invalidate(ANA, { ids: [adminKey.id] })).json();
    expect(notMine).toMatchObject({ invalidated_api_keys: [], error_count: 1 });
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${adminKey.encoded}` } })).status).toBe(200);

    expect(await (await invalidate(ANA, { ids: [anaKey.id] })).json()).toEqual({ invalidated_api_keys: [anaKey.id], previously_invalidated_api_keys: [], error_count: 0 });
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${anaKey.encoded}` } })).status).toBe(401);
    expect(await (await invalidate(ANA, { ids: [anaKey.id] })).json()).toMatchObject({ invalidated_api_keys: [], previously_invalidated_api_keys: [anaKey.id] });

    const byAdmin = await jsonOf<InvalidationResult>(invalidate(ADMIN, { name: 'b' }));
    expect(byAdmin.invalidated_api_keys).toEqual([adminKey.id]);
    expect((await invalidate(ADMIN, {})).status).toBe(400);
  });

  it('lists all keys for admins and only their own for others', async () => {
    await createKey(ANA, { name: 'a' });
    await createKey(ADMIN, { name: 'b' });
    const names = async (who: typeof ADMIN, query = '') =>
      (await jsonOf<{ api_keys: ApiKeyInfo[] }>(call(`/api/security/api_key${query}`, { headers: asBasic(who) }))).api_keys.map((k) => k.name).sort();
    expect(await names(ADMIN)).toEqual(['a', 'b']);
    expect(await names(ADMIN, '?owner=true')).toEqual(['b']);
    expect(await names(ANA)).toEqual(['a']);
    expect((await call('/api/security/api_key?username=root', { headers: asBasic(ANA) })).status).toBe(403);
  });

  it('does not let an API key mint API keys, and validates the request', async () => {
    const key = await jsonOf<CreateApiKeyResponse>(createKey(ANA, { name: 'a' }));
    const minted = await call('/api/security/api_key', { method: 'POST', headers: { authorization: `ApiKey ${key.encoded}` }, body: JSON.stringify({ name: 'child' }) });
    expect(minted.status).toBe(403);
    expect((await createKey(ANA, { name: 'x', expiration: 'forever' })).status).toBe(400);
    expect((await createKey(ANA, { name: 'x', role_descriptors: {} })).status).toBe(400);
    expect((await createKey(ANA, {})).status).toBe(400);
  });

  it('creates keys for a session user with the xsrf header', async () => {
    const { cookie } = await login(srv.url, ANA.username, ANA.password);
    const res = await call('/api/security/api_key', { method: 'POST', headers: { cookie: cookie ?? '', 'execwatch-xsrf': 'true' }, body: JSON.stringify({ name: 'from-ui' }) });
    expect(res.status).toBe(200);
  });

  it('stops a disabled user’s keys from working', async () => {
    const key = await jsonOf<CreateApiKeyResponse>(createKey(ANA, { name: 'a' }));
    await call('/api/users/ana', { method: 'PATCH', headers: asBasic(ADMIN), body: JSON.stringify({ enabled: false }) });
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(401);
  });

  it("invalidates a user's keys when their password changes, and audits each", async () => {
    const key = await jsonOf<CreateApiKeyResponse>(createKey(ANA, { name: 'shipper' }));
    const other = await jsonOf<CreateApiKeyResponse>(createKey(ADMIN, { name: 'admin-shipper' }));
    clock.advance(1000);
    const patched = await call('/api/users/ana', { method: 'PATCH', headers: asBasic(ADMIN), body: JSON.stringify({ password: 'changed-password-1' }) });
    expect(patched.status).toBe(200);
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(401);
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${other.encoded}` } })).status).toBe(200);
    const listed = await jsonOf<{ api_keys: ApiKeyInfo[] }>(call('/api/security/api_key', { headers: asBasic({ username: 'ana', password: 'changed-password-1' }) }));
    expect(listed.api_keys.map((k) => [k.id, k.invalidated])).toEqual([[key.id, true]]);
    const audited = await srv.store.audit.search({ action: 'api_key.invalidate', page: 1, size: 10 });
    expect(audited.events.map((e) => [e.target.id, e.user, e.after])).toEqual([[key.id, 'root', { invalidated: true, reason: 'password_changed' }]]);
    // A new key made with the new password works.
    const fresh = await jsonOf<CreateApiKeyResponse>(createKey({ username: 'ana', password: 'changed-password-1' }, { name: 'again' }));
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${fresh.encoded}` } })).status).toBe(200);
  });

  it("refuses a key created before its owner's password change even where invalidating it was missed", async () => {
    const key = await jsonOf<CreateApiKeyResponse>(createKey(ANA, { name: 'shipper' }));
    clock.advance(1000);
    await call('/api/users/ana', { method: 'PATCH', headers: asBasic(ADMIN), body: JSON.stringify({ password: 'changed-password-1' }) });
    // As if the key had been written by a request that raced the change.
    const stored = await srv.store.users.getApiKey(key.id);
    if (!stored) throw new Error('key not stored');
    await srv.store.users.putApiKey({ ...stored, invalidated: false });
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(401);
  });

  it('invalidates keys of a disabled user for good: enabling them again does not bring the keys back', async () => {
    const key = await jsonOf<CreateApiKeyResponse>(createKey(ANA, { name: 'a' }));
    clock.advance(1000);
    await call('/api/users/ana', { method: 'PATCH', headers: asBasic(ADMIN), body: JSON.stringify({ enabled: false }) });
    await call('/api/users/ana', { method: 'PATCH', headers: asBasic(ADMIN), body: JSON.stringify({ enabled: true }) });
    expect((await call('/api/probe', { headers: asBasic(ANA) })).status).toBe(200);
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(401);
    expect((await srv.store.users.getApiKey(key.id))?.invalidated).toBe(true);
  });

  it('leaves keys alone on changes that are not about credentials', async () => {
    const key = await jsonOf<CreateApiKeyResponse>(createKey(ANA, { name: 'a' }));
    clock.advance(1000);
    await call('/api/users/ana', { method: 'PATCH', headers: asBasic(ADMIN), body: JSON.stringify({ full_name: 'Ana Lyst', roles: ['viewer'] }) });
    expect((await call('/api/auth/me', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(200);
  });

  it('refuses user management through an API key, so a key cannot make an admin who mints keys', async () => {
    const key = await jsonOf<CreateApiKeyResponse>(createKey(ADMIN, { name: 'automation' }));
    const asKey = { authorization: `ApiKey ${key.encoded}` };
    const created = await call('/api/users', { method: 'POST', headers: asKey, body: JSON.stringify({ username: 'mallory', password: 'mallory-password-1', roles: ['admin'] }) });
    expect(created.status).toBe(403);
    expect(await created.json()).toEqual({ error: 'forbidden', message: 'api keys cannot manage users; sign in with a password (session or HTTP Basic)', status: 403 });
    expect(await srv.store.users.get('mallory')).toBeNull();
    const patched = await call('/api/users/ana', { method: 'PATCH', headers: asKey, body: JSON.stringify({ password: 'mallory-password-1' }) });
    expect(patched.status).toBe(403);
    expect((await call('/api/probe', { headers: asBasic(ANA) })).status).toBe(200);
    // Reading the user list is not managing users.
    expect((await call('/api/users', { headers: asKey })).status).toBe(200);
    // With a password the same admin may.
    expect((await call('/api/users', { method: 'POST', headers: asBasic(ADMIN), body: JSON.stringify({ username: 'mallory', password: 'mallory-password-1', roles: ['viewer'] }) })).status).toBe(201);
  });

  it('ends the API keys of a user reset through ensureUser (demo users)', async () => {
    const key = await srv.auth.createApiKey('ana', 'old');
    clock.advance(1000);
    await srv.auth.ensureUser({ ...ANA, roles: ['analyst'] });
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(401);
    const fresh = await srv.auth.createApiKey('ana', 'new');
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${fresh.encoded}` } })).status).toBe(200);
  });

  it('creates keys programmatically for the demo shipper', async () => {
    await srv.auth.ensureUser({ username: 'shipper', password: 'ingest-password-1', roles: ['ingest'] });
    const key = await srv.auth.createApiKey('shipper', 'demo');
    const me = await jsonOf<MeResponse>(call('/api/auth/me', { headers: { authorization: `ApiKey ${key.encoded}` } }));
    expect(me.abilities).toMatchObject({ ingest: true, 'alerts:read': false });
    expect((await call('/api/probe', { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(403);
  });
});
