import http from 'node:http';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkBody, processEvent } from '../testing/events';
import { ingestSessions, seedRuleId } from '../testing/scenario';
import { startTestServer, type TestServer } from '../testing/test-server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await ingestSessions(server, 30);
  const run = await server.json<{ alerts_created: number }>('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-1h', to: 'now+1h' } });
  expect(run.status).toBe(200);
});
afterAll(() => server.close());

/** A raw request: fetch would decode the answer and hide how it was sent. */
function raw(method: string, pathname: string, headers: Record<string, string>, body?: Buffer | string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(`${server.url}${pathname}`, { method, headers: { authorization: server.authHeader('admin'), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const decode = (res: { headers: http.IncomingHttpHeaders; body: Buffer }): string => {
  const enc = res.headers['content-encoding'];
  if (enc === 'gzip') return gunzipSync(res.body).toString();
  if (enc === 'br') return brotliDecompressSync(res.body).toString();
  if (enc === undefined) return res.body.toString();
  throw new Error(`unexpected content-encoding ${enc}`);
};

describe('API responses are compressed when the client asks', () => {
  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
  ])('compresses a large JSON answer for Accept-Encoding %j with %s', async (acceptEncoding, expected) => {
    const plain = await raw('GET', '/api/alerts?from=now-1h&to=now%2B1h&size=50', {});
    const res = await raw('GET', '/api/alerts?from=now-1h&to=now%2B1h&size=50', { 'accept-encoding': acceptEncoding });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(expected);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(decode(res)) as { total: number; alerts: unknown[] };
    expect(body.total).toBe(30);
    expect(body.alerts).toHaveLength(30);
    expect(res.body.length).toBeLessThan(plain.body.length / 4);
  });

  it('sends the answer as is when the client does not ask, or refuses every coding', async () => {
    const cases: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip;q=0, br;q=0, deflate;q=0' }];
    for (const headers of cases) {
      const res = await raw('GET', '/api/alerts?from=now-1h&to=now%2B1h&size=50', headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined();
      expect((JSON.parse(res.body.toString()) as { total: number }).total).toBe(30);
    }
  });

  it('leaves small answers and HEAD alone', async () => {
    const health = await raw('GET', '/api/health', { 'accept-encoding': 'gzip, br' });
    expect(health.status).toBe(200);
    expect(health.body.length).toBeLessThan(1024);
    expect(health.headers['content-encoding']).toBeUndefined();
    const head = await raw('HEAD', '/', { 'accept-encoding': 'gzip, br' });
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBeUndefined();
    expect(head.body.length).toBe(0);
  });

  it('streams the ndjson audit export uncompressed and complete', async () => {
    const res = await raw('GET', '/api/audit/_export', { 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-encoding']).toBeUndefined();
    const lines = res.body.toString().trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('action');
  });

  it('takes a gzip bulk body and answers the bulk response compressed when asked', async () => {
    const events = Array.from({ length: 40 }, (_, i) => processEvent({ at: server.clock.now() - 30_000 + i, entityId: `gz-${i}`, entryLeaderId: `gz-${i}`, name: 'bash', namespace: 'default', pod: 'p' }));
    const body = gzipSync(bulkBody(events));
    const res = await raw('POST', '/_bulk', { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', 'accept-encoding': 'gzip' }, body);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    const answer = JSON.parse(decode(res)) as { errors: boolean; items: Array<{ create: { status: number } }> };
    expect(answer.errors).toBe(false);
    expect(answer.items).toHaveLength(40);
    for (const item of answer.items) expect(item.create.status).toBe(201);
  });
});
