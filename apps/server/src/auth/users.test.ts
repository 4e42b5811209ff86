import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userSchema, type ErrorBody, type MeResponse, type User } from '@execwatch/api';
import { silentLogger } from '../log';
import { createAuth } from './index';
import { verifyPassword } from './passwords';
import { openTempStore, type TempStore } from './testing/temp-store';
import { basic, jsonOf, startAuthTestServer, testPasswordHashing, type AuthTestServer } from './testing/auth-test-server';

const ADMIN = { username: 'root', password: 'admin-password-12' };

describe('users API', () => {
  let srv: AuthTestServer;
  beforeEach(async () => {
    srv = await startAuthTestServer();
    await srv.auth.ensureUser({ ...ADMIN, roles: ['admin'] });
    await srv.auth.ensureUser({ username: 'viv', password: 'viewer-password-1', roles: ['viewer'] });
  });
  afterEach(() => srv.close());

  const call = (path: string, method = 'GET', body?: unknown, who = ADMIN) =>
    fetch(`${srv.url}${path}`, { method, headers: { authorization: basic(who.username, who.password), 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  it('creates a user (201, no hash in the answer) who can then sign in', async () => {
    const res = await call('/api/users', 'POST', { username: 'ana', password: 'analyst-password-1', roles: ['analyst'], full_name: 'Ana Lyst' });
    expect(res.status).toBe(201);
    const body = await jsonOf<User>(res);
    expect(userSchema.parse(body)).toMatchObject({ username: 'ana', roles: ['analyst'], full_name: 'Ana Lyst', enabled: true });
    expect(JSON.stringify(body)).not.toMatch(/password|scrypt/);
    expect((await call('/api/auth/me', 'GET', undefined, { username: 'ana', password: 'analyst-password-1' })).status).toBe(200);
    const stored = await srv.store.users.get('ana');
    expect(stored?.password_hash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('analyst-password-1', stored?.password_hash ?? '')).toBe(true);
  });

  it.each([
    [{ username: 'ana', password: 'short', roles: ['analyst'] }],
    [{ username: 'bad name', password: 'analyst-password-1', roles: ['analyst'] }],
    [{ username: 'ana', password: 'analyst-password-1', roles: [] }],
    [{ username: 'ana', password: 'analyst-password-1', roles: ['superuser'] }],
    [{ username: 'ana', password: 'analyst-password-1', roles: ['analyst'], is_admin: true }],
  ])('refuses the invalid user %j with a 400', async (body) => {
    const res = await call('/api/users', 'POST', body);
    expect(res.status).toBe(400);
    expect((await jsonOf<ErrorBody>(res)).error).toBe('validation_error');
  });

  it('refuses a duplicate user with 409', async () => {
    const res = await call('/api/users', 'POST', { username: 'viv', password: 'viewer-password-2', roles: ['viewer'] });
    expect(res.status).toBe(409);
  });

  it('lists users and updates roles; 404 for an unknown user', async () => {
    const list = await jsonOf<{ users: User[] }>(call('/api/users'));
    expect(list.users.map((u) => u.username)).toEqual(['root', 'viv']);
    const res = await call('/api/users/viv', 'PATCH', { roles: ['analyst'], full_name: 'Viv' });
    expect(await jsonOf<User>(res)).toMatchObject({ username: 'viv', roles: ['analyst'], full_name: 'Viv' });
    const me = await jsonOf<MeResponse>(call('/api/auth/me', 'GET', undefined, { username: 'viv', password: 'viewer-password-1' }));
    expect(me.abilities['alerts:triage']).toBe(true);
    expect((await call('/api/users/nobody', 'PATCH', { enabled: false })).status).toBe(404);
  });

  it('refuses to leave the server without an enabled admin: no admin locks themselves out', async () => {
    const res = await call('/api/users/root', 'PATCH', { roles: ['viewer'] });
    expect(res.status).toBe(400);
    expect((await call('/api/users/root', 'PATCH', { enabled: false })).status).toBe(400);
    await call('/api/users/viv', 'PATCH', { roles: ['admin'] });
    // an admin cannot lock themselves out, even with another admin left...
    const self = await call('/api/users/root', 'PATCH', { enabled: false });
    expect(self.status).toBe(400);
    expect((await jsonOf<{ message: string }>(self)).message).toMatch(/your own account/);
    expect((await call('/api/users/root', 'PATCH', { roles: ['analyst'] })).status).toBe(400);
    // ...but another admin can do it for them
    expect((await call('/api/users/root', 'PATCH', { enabled: false }, { username: 'viv', password: 'viewer-password-1' })).status).toBe(200);
  });

  it('forbids non-admins, naming the missing ability', async () => {
    const res = await call('/api/users', 'GET', undefined, { username: 'viv', password: 'viewer-password-1' });
    expect(res.status).toBe(403);
    const body = await jsonOf<ErrorBody>(res);
    expect(body).toMatchObject({ error: 'forbidden', status: 403 });
    expect(body.message).toContain('users:manage');
  });
});

describe('bootstrap', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTempStore();
  });
  afterEach(() => temp.dispose());

  it('creates admin with the configured password on first start only', async () => {
    const { store } = temp;
    const auth = createAuth({ store, log: silentLogger, config: { secureCookies: false, passwordHashing: testPasswordHashing, adminPassword: 'configured-admin-pw' } });
    expect(await auth.bootstrap()).toEqual({ username: 'admin', password: 'configured-admin-pw', generated: false });
    const admin = await store.users.get('admin');
    expect(admin?.roles).toEqual(['admin']);
    expect(await verifyPassword('configured-admin-pw', admin?.password_hash ?? '')).toBe(true);
    expect(await auth.bootstrap()).toBeNull();
    const { events } = await store.audit.search({ page: 1, size: 10 });
    expect(events.map((e) => e.action)).toEqual(['user.create']);
    expect(JSON.stringify(events)).not.toContain('configured-admin-pw');
  });

  it('generates a long random password when none is configured', async () => {
    const { store } = temp;
    const auth = createAuth({ store, log: silentLogger, config: { secureCookies: false, passwordHashing: testPasswordHashing } });
    const created = await auth.bootstrap();
    expect(created?.generated).toBe(true);
    expect(created?.password.length).toBeGreaterThanOrEqual(12);
    expect(await verifyPassword(created?.password ?? '', (await store.users.get('admin'))?.password_hash ?? '')).toBe(true);
  });

  it('refuses a configured admin password shorter than 12 characters', async () => {
    const auth = createAuth({ store: temp.store, log: silentLogger, config: { secureCookies: false, passwordHashing: testPasswordHashing, adminPassword: 'short' } });
    await expect(auth.bootstrap()).rejects.toThrow(/at least 12/);
    expect(await temp.store.users.count()).toBe(0);
  });

  it('refuses short demo passwords in ensureUser', async () => {
    const auth = createAuth({ store: temp.store, log: silentLogger, config: { secureCookies: false, passwordHashing: testPasswordHashing } });
    await expect(auth.ensureUser({ username: 'demo', password: 'short', roles: ['viewer'] })).rejects.toThrow(/at least 12/);
  });
});
