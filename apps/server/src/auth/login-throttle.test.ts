import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, login, startAuthTestServer, testClock, type AuthTestServer } from './testing/auth-test-server';

const PASSWORD = 'analyst-password-1';
const MINUTE = 60_000;

describe('password guessing', () => {
  let srv: AuthTestServer;
  const clock = testClock();

  beforeEach(async () => {
    clock.set(Date.UTC(2026, 0, 1));
    srv = await startAuthTestServer({ now: clock.now, config: { loginRateLimit: { maxPerUser: 5, maxPerAddress: 8, windowMs: 15 * MINUTE } } });
    await srv.auth.ensureUser({ username: 'ana', password: PASSWORD, roles: ['analyst'] });
    await srv.auth.ensureUser({ username: 'bob', password: PASSWORD, roles: ['viewer'] });
  });
  afterEach(() => srv.close());

  it('answers 429 with Retry-After after 5 failures for a user, refuses even the right password, then lets it in once the window passes', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await login(srv.url, 'ana', `wrong-password-${i}`)).res.status).toBe(401);
      clock.advance(MINUTE);
    }
    const blocked = (await login(srv.url, 'ana', PASSWORD)).res;
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({ error: 'rate_limited', status: 429 });
    // The first failure (at minute 0) leaves the 15-minute window at minute 15; it is now minute 5.
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(9 * 60);
    expect(retryAfter).toBeLessThanOrEqual(10 * 60 + 1);

    // Another user from the same address is not locked out by ana's counter.
    expect((await login(srv.url, 'bob', PASSWORD)).res.status).toBe(200);

    clock.advance(retryAfter * 1000);
    const after = await login(srv.url, 'ana', PASSWORD);
    expect(after.res.status).toBe(200);
    expect(after.cookie).toBeDefined();
  });

  it('clears the user counter after a successful sign-in', async () => {
    // 3 + 4 failures stay under the address limit (8) but would pass the user limit (5) without the reset.
    for (let i = 0; i < 3; i++) await login(srv.url, 'ana', 'wrong-password-x');
    expect((await login(srv.url, 'ana', PASSWORD)).res.status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(srv.url, 'ana', 'wrong-password-x')).res.status).toBe(401);
    expect((await login(srv.url, 'ana', PASSWORD)).res.status).toBe(200);
  });

  it('limits guessing from one address across many user names, but never refuses a valid API key', async () => {
    const key = await srv.auth.createApiKey('ana', 'shipper');
    for (let i = 0; i < 8; i++) expect((await login(srv.url, `user${i}`, 'guess-password-1')).res.status).toBe(401);
    const res = (await login(srv.url, 'ana', PASSWORD)).res;
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${srv.url}/api/probe`, { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(200);
    const badKey = Buffer.from(`${key.id}:not-the-secret`).toString('base64');
    expect((await fetch(`${srv.url}/api/probe`, { headers: { authorization: `ApiKey ${badKey}` } })).status).toBe(429);
  });

  it('applies the same limit to HTTP Basic, and the right password works after the window', async () => {
    const probe = (password: string) => fetch(`${srv.url}/api/probe`, { headers: { authorization: basic('ana', password) } });
    for (let i = 0; i < 5; i++) expect((await probe('wrong-password-1')).status).toBe(401);
    const blocked = await probe(PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    clock.advance(15 * MINUTE + 1000);
    expect((await probe(PASSWORD)).status).toBe(200);
  });

  it('audits every failed sign-in and the lockout, but not each attempt refused while locked out', async () => {
    for (let i = 0; i < 9; i++) await login(srv.url, 'ana', 'wrong-password-x');
    const failed = await srv.store.audit.search({ action: 'auth.login', page: 1, size: 100 });
    expect(failed.total).toBe(5);
    expect(failed.events.every((e) => e.outcome === 'failure' && e.target.id === 'ana' && e.source_ip === '127.0.0.1' && e.user === null)).toBe(true);
    const lockouts = await srv.store.audit.search({ action: 'auth.lockout', page: 1, size: 100 });
    expect(lockouts.events.map((e) => e.after)).toEqual([{ method: 'session', limits: ['user'] }]);
  });
});
