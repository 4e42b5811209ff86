/**
 * Every route of the policy table, called as admin (so authorization never hides a crash) with
 * hostile path parameters, query strings and bodies: the answer is never a 5xx, errors keep the
 * `{ error, message, status }` shape, and the server keeps serving.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routePolicies } from '../api-routes';
import { isElasticsearchErrorBody } from '../features/es-compat/es-errors';
import { startTestServer, type TestServer } from '../testing/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("' OR 1=1 --", '"; DROP TABLE alerts; --', '../../etc/passwd', '%00', '${7*7}', '<script>x</script>', '*', '\\', '{"a":', 'now-', '9'.repeat(400)),
);
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const body = fc.oneof(
  jsonValue,
  fc.dictionary(fc.constantFrom('status', 'ids', 'query', 'from', 'to', 'entries', 'list_id', 'item_id', 'name', 'comments', 'password', 'roles', 'enabled', 'text', 'done'), jsonValue),
);

// logout would end the admin's session; login is fuzzed by the auth suite with its rate limits in mind
const routes = routePolicies.filter((r) => !['/api/auth/logout', '/api/auth/login'].includes(r.path));

describe('every route with hostile input', () => {
  it('never answers 5xx and keeps the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), hostileText, hostileText, body, fc.boolean(), async (r, param, queryValue, payload, rawGarbage) => {
        const path = r.path.replace(/:([A-Za-z_]+)/g, () => encodeURIComponent(param || 'x'));
        const url = `${path}?${new URLSearchParams({ q: queryValue, id: param, list_id: queryValue, size: queryValue, from: queryValue }).toString()}`;
        const sendsBody = r.method !== 'GET' && r.method !== 'DELETE';
        const res = await server.request(r.method, url, {
          ...(sendsBody ? (rawGarbage ? { rawBody: `${JSON.stringify(payload)}}{`, headers: { 'content-type': 'application/json' } } : { body: payload }) : {}),
        });
        const text = await res.text();
        expect(res.status, `${r.method} ${url} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json')) {
          const parsed = JSON.parse(text) as { error?: unknown; message?: unknown; status?: unknown }; // the error shape under test
          if (typeof parsed.error === 'string') {
            expect(String(parsed.message)).not.toMatch(/\n\s+at /); // no stack traces
          } else {
            // the Elasticsearch-compatible routes (outside /api) answer in Elasticsearch's error shape
            expect(r.path.startsWith('/api'), `${r.method} ${url} -> ${text.slice(0, 300)}`).toBe(false);
            expect(isElasticsearchErrorBody(parsed), text.slice(0, 300)).toBe(true);
            expect(text).not.toMatch(/\n\s+at /);
          }
          expect(parsed.status).toBe(res.status);
        }
      }),
      { numRuns: 300 },
    );
    expect((await server.json('GET', '/api/health', { user: null })).status).toBe(200);
  });
});
