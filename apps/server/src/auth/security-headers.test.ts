import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startAuthTestServer, type AuthTestServer } from './testing/auth-test-server';

describe('security headers', () => {
  let srv: AuthTestServer;
  beforeAll(async () => {
    srv = await startAuthTestServer();
    await srv.auth.ensureUser({ username: 'ana', password: 'analyst-password-1', roles: ['analyst'] });
  });
  afterAll(() => srv.close());

  it('sets a nonce-based CSP without unsafe-eval, nosniff, no framing and a referrer policy on every response', async () => {
    for (const path of ['/api/probe', '/api/auth/login', '/not-api', '/api/nope']) {
      const res = await fetch(`${srv.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce, path).toBeDefined();
      expect(csp).toContain(`script-src 'self' 'nonce-${nonce}'`);
      expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('uses a fresh nonce per response and keeps API answers out of caches', async () => {
    const a = (await fetch(`${srv.url}/api/probe`)).headers;
    const b = (await fetch(`${srv.url}/api/probe`)).headers;
    expect(a.get('content-security-policy')).not.toBe(b.get('content-security-policy'));
    expect(a.get('cache-control')).toBe('no-store');
    expect(a.get('strict-transport-security')).toBeNull();
  });
});

describe('hostile authentication input', () => {
  let srv: AuthTestServer;
  beforeAll(async () => {
    srv = await startAuthTestServer({ config: { loginRateLimit: { maxPerUser: 1_000_000, maxPerAddress: 1_000_000 } } });
    await srv.auth.ensureUser({ username: 'ana', password: 'analyst-password-1', roles: ['analyst'] });
  });
  afterAll(() => srv.close());

  const printable = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZabcxyz[\\]^_`{|}~'), maxLength: 120 });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const header = fc.oneof(
    printable,
    printable.map((s) => `Basic ${s}`),
    printable.map((s) => `Basic ${b64(s)}`),
    printable.map((s) => `ApiKey ${b64(s)}`),
    fc.tuple(printable, printable).map(([id, key]) => `ApiKey ${b64(`${id}:${key}`)}`),
    printable.map((s) => `Bearer ${s}`),
  );
  const cookie = fc.oneof(printable, printable.map((s) => `execwatch_sid=${s}`), printable.map((s) => `a=b; execwatch_sid=${s}; c`));

  it('answers malformed Basic, ApiKey and cookie credentials with 4xx, never 5xx, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(header, { nil: undefined }), fc.option(cookie, { nil: undefined }), fc.constantFrom('GET', 'POST'), async (authorization, cookieHeader, method) => {
        const headers: Record<string, string> = {};
        // Header values must be valid HTTP field values; fetch refuses others before sending.
        if (authorization !== undefined) headers.authorization = authorization.trim();
        if (cookieHeader !== undefined) headers.cookie = cookieHeader.trim();
        const res = await fetch(`${srv.url}/api/probe`, { method, headers });
        await res.arrayBuffer();
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 120 },
    );
    const ok = await fetch(`${srv.url}/api/probe`, { headers: { authorization: `Basic ${b64('ana:analyst-password-1')}` } });
    expect(ok.status).toBe(200);
  });

  it('answers hostile login bodies with 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), async (body) => {
        const res = await fetch(`${srv.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
  });
});
