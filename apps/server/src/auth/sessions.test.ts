import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorBody, MeResponse } from '@execwatch/api';
import { sha256Hex } from './secrets';
import { jsonOf, login, sessionCookieFrom, startAuthTestServer, testClock, type AuthTestServer } from './testing/auth-test-server';

const PASSWORD = 'analyst-password-1';
const HOUR = 3_600_000;

describe('browser sessions', () => {
  let srv: AuthTestServer;
  const clock = testClock();

  beforeEach(async () => {
    clock.set(Date.UTC(2026, 0, 1));
    srv = await startAuthTestServer({ now: clock.now, config: { sessionIdleMs: 1 * HOUR, sessionMaxMs: 4 * HOUR } });
    await srv.auth.ensureUser({ username: 'ana', password: PASSWORD, roles: ['analyst'] });
  });
  afterEach(() => srv.close());

  const probe = (cookie: string | undefined, init: RequestInit = {}) =>
    fetch(`${srv.url}/api/probe`, { ...init, headers: { ...(cookie ? { cookie } : {}), ...init.headers } });

  it('sets an HttpOnly, SameSite=Strict session cookie at login and answers with the user and abilities', async () => {
    const { res, cookie } = await login(srv.url, 'ana', PASSWORD);
    expect(res.status).toBe(200);
    const setCookie = res.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/execwatch_sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
    expect(setCookie).not.toContain('Secure');
    const body = await jsonOf<MeResponse>(res);
    expect(body.user.username).toBe('ana');
    expect(body.authentication).toBe('session');
    expect(body.abilities['alerts:triage']).toBe(true);
    expect(body.abilities['users:manage']).toBe(false);

    const me = await fetch(`${srv.url}/api/auth/me`, { headers: { cookie: cookie ?? '' } });
    expect(me.status).toBe(200);
    expect((await jsonOf<MeResponse>(me)).authentication).toBe('session');
  });

  it('stores only the hash of the session id', async () => {
    const { cookie } = await login(srv.url, 'ana', PASSWORD);
    const token = cookie?.split('=')[1] ?? '';
    expect(await srv.store.users.getSession(token)).toBeNull();
    expect((await srv.store.users.getSession(sha256Hex(token)))?.username).toBe('ana');
  });

  it('refuses a wrong password with 401 and no cookie', async () => {
    const { res, cookie } = await login(srv.url, 'ana', 'wrong-password-123');
    expect(res.status).toBe(401);
    expect(cookie).toBeUndefined();
    expect((await jsonOf<ErrorBody>(res)).error).toBe('unauthenticated');
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('refuses login bodies that are not JSON and bodies with extra fields', async () => {
    const form = await fetch(`${srv.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `username=ana&password=${PASSWORD}` });
    expect(form.status).toBe(400);
    const extra = await fetch(`${srv.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ana', password: PASSWORD, admin: true }) });
    expect(extra.status).toBe(400);
    expect((await jsonOf<ErrorBody>(extra)).error).toBe('validation_error');
  });

  it('needs the execwatch-xsrf header on state-changing cookie requests, not on reads', async () => {
    const { cookie } = await login(srv.url, 'ana', PASSWORD);
    expect((await probe(cookie)).status).toBe(200);
    const without = await probe(cookie, { method: 'POST' });
    expect(without.status).toBe(400);
    expect((await jsonOf<ErrorBody>(without)).error).toBe('xsrf_header_missing');
    expect((await probe(cookie, { method: 'POST', headers: { 'execwatch-xsrf': 'true' } })).status).toBe(200);
    // Kibana's own header is taken the same way, for scripts written for Kibana
    expect((await probe(cookie, { method: 'POST', headers: { 'kbn-xsrf': 'reporting' } })).status).toBe(200);
  });

  it('rotates the session id at login and ends the previous session', async () => {
    const first = await login(srv.url, 'ana', PASSWORD);
    const second = await login(srv.url, 'ana', PASSWORD, first.cookie);
    expect(second.cookie).toBeDefined();
    expect(second.cookie).not.toBe(first.cookie);
    expect((await probe(first.cookie)).status).toBe(401);
    expect((await probe(second.cookie)).status).toBe(200);
  });

  it('revokes the session at logout', async () => {
    const { cookie } = await login(srv.url, 'ana', PASSWORD);
    const noXsrf = await fetch(`${srv.url}/api/auth/logout`, { method: 'POST', headers: { cookie: cookie ?? '' } });
    expect(noXsrf.status).toBe(400);
    const out = await fetch(`${srv.url}/api/auth/logout`, { method: 'POST', headers: { cookie: cookie ?? '', 'execwatch-xsrf': 'true' } });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().join()).toMatch(/execwatch_sid=; .*Max-Age=0/);
    const after = await probe(cookie);
    expect(after.status).toBe(401);
    expect(sessionCookieFrom(after)).toBeUndefined();
  });

  it('ends a session left idle past the idle timeout', async () => {
    const { cookie } = await login(srv.url, 'ana', PASSWORD);
    clock.advance(HOUR - 1000);
    expect((await probe(cookie)).status).toBe(200);
    clock.advance(HOUR - 1000);
    expect((await probe(cookie)).status).toBe(200);
    clock.advance(HOUR + 1);
    expect((await probe(cookie)).status).toBe(401);
  });

  it('ends a busy session at its absolute lifetime', async () => {
    const { cookie } = await login(srv.url, 'ana', PASSWORD);
    for (let i = 0; i < 7; i++) {
      clock.advance(HOUR / 2);
      expect((await probe(cookie)).status).toBe(200);
    }
    clock.advance(HOUR / 2);
    expect((await probe(cookie)).status).toBe(401);
  });

  it('ends sessions of a user whose password changes or who is disabled', async () => {
    await srv.auth.ensureUser({ username: 'boss', password: 'admin-password-12', roles: ['admin'] });
    const admin = await login(srv.url, 'boss', 'admin-password-12');
    const ana = await login(srv.url, 'ana', PASSWORD);
    clock.advance(10);
    const patch = (body: unknown) =>
      fetch(`${srv.url}/api/users/ana`, { method: 'PATCH', headers: { cookie: admin.cookie ?? '', 'execwatch-xsrf': '1', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ password: 'a-new-password-99' })).status).toBe(200);
    expect((await probe(ana.cookie)).status).toBe(401);
    clock.advance(10);
    const again = await login(srv.url, 'ana', 'a-new-password-99');
    expect((await probe(again.cookie)).status).toBe(200);
    expect((await patch({ enabled: false })).status).toBe(200);
    expect((await probe(again.cookie)).status).toBe(401);
    expect((await login(srv.url, 'ana', 'a-new-password-99')).res.status).toBe(401);
  });

  it('marks the cookie Secure when serving HTTPS', async () => {
    const secure = await startAuthTestServer({ config: { secureCookies: true } });
    try {
      await secure.auth.ensureUser({ username: 'ana', password: PASSWORD, roles: ['viewer'] });
      const { res } = await login(secure.url, 'ana', PASSWORD);
      expect(res.headers.getSetCookie().join()).toMatch(/HttpOnly; SameSite=Strict; Secure/);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    } finally {
      await secure.close();
    }
  });

  it('answers 401 to a missing or unknown cookie', async () => {
    expect((await probe(undefined)).status).toBe(401);
    const unknown = await probe('execwatch_sid=not-a-session');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.getSetCookie().join()).toContain('Max-Age=0');
  });
});
