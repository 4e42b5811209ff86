import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { healthResponseSchema } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparationLostError } from './store/embedded/doc-prep-pool';
import { startTestServer, type TestServer } from './testing/test-server';

let server: TestServer;
let webDist: string;

beforeAll(async () => {
  const outer = mkdtempSync(path.join(os.tmpdir(), 'execwatch-web-'));
  writeFileSync(path.join(outer, 'secret.txt'), 'TOP-SECRET-OUTSIDE-DIST');
  webDist = path.join(outer, 'dist');
  mkdirSync(path.join(webDist, 'assets'), { recursive: true });
  writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>');
  writeFileSync(path.join(webDist, 'assets', 'app.js'), 'console.log(1)');
  server = await startTestServer({ webDist });
});
afterAll(async () => {
  await server?.close();
  rmSync(path.dirname(webDist), { recursive: true, force: true });
});

describe('health', () => {
  it('answers without authentication', async () => {
    const { status, body } = await server.json('GET', '/api/health', { user: null });
    expect(status).toBe(200);
    const health = healthResponseSchema.parse(body);
    expect(health).toMatchObject({ status: 'ok', store: 'embedded' });
    expect(health.rules).toBeGreaterThanOrEqual(1);
  });
});

describe('errors', () => {
  it('unknown API paths are 404 JSON', async () => {
    const { status, body } = await server.json('GET', '/api/nope');
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'not_found', message: 'no route for GET /api/nope', status: 404 });
  });

  it('asks for credentials with 401 and WWW-Authenticate', async () => {
    const res = await server.request('GET', '/api/rules', { user: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await res.json()).toMatchObject({ error: 'unauthenticated', status: 401 });
  });

  it('rejects JSON bodies over 1 MB with 413', async () => {
    const big = JSON.stringify({ ids: ['x'], status: 'open', reason_text: 'a'.repeat(1_100_000) });
    const { status, body } = await server.json('POST', '/api/alerts/_bulk_update', { rawBody: big, headers: { 'content-type': 'application/json' } });
    expect(status).toBe(413);
    expect(body).toMatchObject({ error: 'payload_too_large', status: 413 });
  });

  it('reads no body before the caller is authenticated and allowed', async () => {
    const big = JSON.stringify({ ids: ['x'], status: 'open', reason_text: 'a'.repeat(1_100_000) });
    const anonymous = await server.request('POST', '/api/alerts/_bulk_update', { user: null, rawBody: big, headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
    const viewer = await server.request('POST', '/api/alerts/_bulk_update', { user: 'viewer', rawBody: big, headers: { 'content-type': 'application/json' } });
    expect(viewer.status).toBe(403);
  });

  it('takes sign-in bodies of a few kB only', async () => {
    const res = await server.request('POST', '/api/auth/login', { user: null, rawBody: JSON.stringify({ username: 'admin', password: 'p'.repeat(5000) }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
  });

  it('hands a bulk body sent as application/json to the bulk reader, not the JSON parser', async () => {
    const body = '{"create":{}}\n{"@timestamp":"2026-01-01T12:00:00Z","message":"x"}\n';
    const { status, body: answer } = await server.json<{ errors: boolean; items: unknown[] }>('POST', '/api/_bulk', { rawBody: body, headers: { 'content-type': 'application/json' } });
    expect(status).toBe(200);
    expect(answer.items).toHaveLength(1);
  });

  it('answers a bad alert filter with 400, wherever the store finds it', async () => {
    for (const path of ['/api/alerts?field.bad%20name=x', '/api/alerts?from=not-a-date', '/api/alerts?query=%22unclosed']) {
      const { status, body } = await server.json('GET', path);
      expect(status, path).toBe(400);
      expect(body).toMatchObject({ error: 'validation_error', status: 400 });
    }
  });

  it('rejects malformed JSON with 400 and no stack trace', async () => {
    const res = await server.request('PATCH', '/api/alerts/abc', { rawBody: '{"status":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'validation_error', status: 400 });
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers a bulk request lost with the preparation thread 503, to be sent again', async () => {
    const events = server.store.events;
    const bulk = events.bulk;
    events.bulk = () => Promise.reject(new PreparationLostError());
    try {
      const res = await server.request('POST', '/_bulk', { rawBody: '{"create":{"_index":"logs-a-default"}}\n{"@timestamp":"2026-01-01T00:00:00Z"}\n', headers: { 'content-type': 'application/x-ndjson' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ status: 503, message: new PreparationLostError().message });
    } finally {
      events.bulk = bulk;
    }
  });
});

describe('web app', () => {
  it('serves index.html for client routes with the CSP nonce injected', async () => {
    const res = await server.request('GET', '/alerts/123', { user: null });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}"`);
    expect(html).toContain(`<meta property="csp-nonce" content="${nonce}" />`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves built assets, and never the SPA for API paths', async () => {
    const asset = await server.request('GET', '/assets/app.js', { user: null });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    const api = await server.request('GET', '/api/unknown-thing', { user: null });
    expect(api.headers.get('content-type')).toMatch(/json/);
  });

  it('never serves a file outside the build folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/%2e%2e%2fsecret.txt']) {
      const res = await server.request('GET', p, { user: null });
      expect(await res.text(), p).not.toContain('TOP-SECRET');
    }
  });

  it('falls back to the SPA only for GET of non-API paths', async () => {
    const post = await server.request('POST', '/alerts/123', { body: {} });
    expect(post.status).toBe(404);
    expect(await post.text()).not.toContain('<div id="root">');
  });
});
