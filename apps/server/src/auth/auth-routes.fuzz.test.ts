import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { basic, startAuthTestServer, type AuthTestServer } from './testing/auth-test-server';

const ADMIN = { username: 'root', password: 'admin-password-12' };

describe('hostile input to the access-control JSON endpoints', () => {
  let srv: AuthTestServer;
  beforeAll(async () => {
    srv = await startAuthTestServer();
    await srv.auth.ensureUser({ ...ADMIN, roles: ['admin'] });
    await srv.auth.ensureUser({ username: 'fuzzee', password: 'fuzzee-password-1', roles: ['viewer'] });
  });
  afterAll(() => srv.close());

  const anyString = fc.string({ maxLength: 40 });
  const hostileString = fc.oneof(
    anyString,
    fc.constantFrom("' OR 1=1 --", '"; DROP TABLE users; --', '../../etc/passwd', '\u0000', '%00', '<script>alert(1)</script>', 'a'.repeat(5000), '__proto__', 'constructor'),
  );
  const userLike = fc.record(
    {
      username: hostileString,
      password: hostileString,
      full_name: fc.oneof(hostileString, fc.integer(), fc.constant(null)),
      roles: fc.oneof(fc.array(fc.oneof(hostileString, fc.constantFrom('viewer', 'analyst', 'ingest'))), hostileString),
      enabled: fc.oneof(fc.boolean(), hostileString),
      name: hostileString,
      expiration: fc.oneof(hostileString, fc.constantFrom('1d', '0s', '999999999d', '12h')),
      ids: fc.oneof(fc.array(hostileString), hostileString),
      owner: fc.oneof(fc.boolean(), hostileString),
      __proto__: fc.dictionary(anyString, anyString),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(userLike.map((o) => JSON.stringify(o)), fc.json(), fc.string({ maxLength: 200 }), fc.constant(''), fc.constant('{"a":'));
  const target = fc.oneof(
    fc.constant({ method: 'POST', path: '/api/users' }),
    fc.constantFrom('fuzzee', 'nobody', '..', '%2e%2e', 'a%00b', 'x'.repeat(300)).map((u) => ({ method: 'PATCH', path: `/api/users/${u}` })),
    fc.constant({ method: 'POST', path: '/api/security/api_key' }),
    fc.constant({ method: 'DELETE', path: '/api/security/api_key' }),
    fc.constant({ method: 'POST', path: '/api/auth/login' }),
  );

  it('answers malformed and hostile bodies with a client error or success, never 5xx, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(target, body, fc.constantFrom('application/json', 'text/plain'), async ({ method, path }, raw, type) => {
        const res = await fetch(`${srv.url}${path}`, { method, headers: { authorization: basic(ADMIN.username, ADMIN.password), 'content-type': type }, body: raw });
        const text = await res.text();
        expect(res.status, `${method} ${path} ${raw.slice(0, 100)} -> ${text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) expect(JSON.parse(text)).toMatchObject({ status: res.status });
      }),
      { numRuns: 150 },
    );
    expect((await fetch(`${srv.url}/api/auth/me`, { headers: { authorization: basic(ADMIN.username, ADMIN.password) } })).status).toBe(200);
    expect((await srv.store.users.get('root'))?.roles).toEqual(['admin']);
  });

  it('answers hostile audit and key-list queries with 200 or 400', async () => {
    const param = fc.constantFrom('from', 'to', 'user', 'action', 'page', 'size', 'id', 'name', 'username', 'owner', 'x');
    const query = fc.array(fc.tuple(param, hostileString), { maxLength: 4 }).map((pairs) => new URLSearchParams(pairs).toString());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/audit', '/api/audit/_export', '/api/security/api_key'), query, async (path, q) => {
        const res = await fetch(`${srv.url}${path}?${q}`, { headers: { authorization: basic(ADMIN.username, ADMIN.password) } });
        await res.arrayBuffer();
        expect([200, 400], `${path}?${q}`).toContain(res.status);
      }),
      { numRuns: 120 },
    );
  });
});
