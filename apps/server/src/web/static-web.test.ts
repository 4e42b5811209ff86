import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../config';
import { injectNonce, pickEncoding, staticWeb, WEB_APP_ROUTES } from './static-web';

describe('injectNonce', () => {
  it('puts the nonce on every script tag and in a csp-nonce meta tag', () => {
    const html = '<!doctype html><html><head><script type="module" src="/assets/a.js"></script></head><body><script>1</script></body></html>';
    const out = injectNonce(html, 'abc123');
    expect(out.match(/<script nonce="abc123"/g)).toHaveLength(2);
    expect(out).toContain('<meta property="csp-nonce" content="abc123" />');
    expect(out.indexOf('csp-nonce')).toBeLessThan(out.indexOf('<script'));
  });

  it('leaves scripts that already carry a nonce alone', () => {
    expect(injectNonce('<head></head><script nonce="x"></script>', 'y')).toContain('<script nonce="x">');
  });
});

describe('staticWeb: the page goes to browser navigations only', () => {
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  let dir: string;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-static-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<html><head></head><body>PAGE</body></html>');
    writeFileSync(path.join(dir, 'assets', 'a.js'), 'ASSET');
    writeFileSync(path.join(dir, 'assets', '_typography-c0ffee.js'), 'CHUNK');
    const app = express();
    app.use(staticWeb(dir));
    app.use((_req, res) => void res.status(404).send('NEXT'));
    server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // a TCP listener's address
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (p: string, headers: Record<string, string> = {}, method = 'GET') => {
    const res = await fetch(`${url}${p}`, { method, headers });
    return { status: res.status, text: await res.text(), vary: res.headers.get('vary') };
  };

  it.each([
    ['/', { accept: BROWSER }],
    ['/', { accept: 'text/html' }],
    ['/alerts', {}],
    ['/rules/abc', { accept: '*/*' }],
    ['/exceptions', { accept: 'application/json, text/plain, */*' }],
    ['/no-such-page', { accept: BROWSER }],
  ])('serves the page for GET %s with %j', async (p, headers) => {
    const res = await get(p, headers);
    expect(res.text).toContain('PAGE');
    expect(res.vary).toBe('Accept, Authorization');
  });

  it.each([
    ['/', {}],
    ['/', { accept: '*/*' }],
    ['/', { accept: 'application/json' }],
    ['/', { accept: 'application/vnd.elasticsearch+json; compatible-with=8,text/plain' }],
    ['/', { accept: BROWSER, authorization: 'Basic YTpi' }],
    ['/alerts', { authorization: 'ApiKey eDp5' }],
    ['/logs-a-default', {}],
    ['/_license', { accept: BROWSER }],
    ['/logs-a-default/_bulk', { accept: BROWSER }],
    ['/api/alerts', { accept: BROWSER }],
    ['/index.html', {}],
  ])('leaves GET %s with %j to the API', async (p, headers) => {
    expect((await get(p, headers)).text).toBe('NEXT');
  });

  it('answers HEAD like GET, and never POST with the page', async () => {
    expect((await get('/', { accept: BROWSER }, 'HEAD')).status).toBe(200);
    expect((await get('/', {}, 'HEAD')).status).toBe(404);
    expect((await get('/alerts', { accept: BROWSER }, 'POST')).text).toBe('NEXT');
  });

  it('serves built assets to anyone', async () => {
    expect((await get('/assets/a.js', {})).text).toBe('ASSET');
    expect((await get('/assets/a.js', { authorization: 'Basic YTpi' })).text).toBe('ASSET');
    // Vite names some chunks with a leading underscore: they are assets, not Elasticsearch paths
    expect((await get('/assets/_typography-c0ffee.js', {})).text).toBe('CHUNK');
  });

  it('knows every top-level route of the web app', () => {
    const source = readFileSync(path.join(repoRoot, 'apps', 'web', 'src', 'app', 'app.tsx'), 'utf8');
    const tops = new Set([...source.matchAll(/<Route\s+path="(\/[^/"]+)/g)].map((m) => m[1]));
    expect(tops.size).toBeGreaterThan(0);
    for (const top of tops) expect(WEB_APP_ROUTES, `${top} (apps/web/src/app/app.tsx)`).toContain(top);
  });
});

describe('pickEncoding', () => {
  const both = ['br', 'gzip'] as const;
  it.each([
    ['gzip, deflate, br, zstd', both, 'br'],
    ['gzip, deflate', both, 'gzip'],
    ['br;q=0.5, gzip;q=0.8', both, 'gzip'],
    ['br;q=0.8, gzip;q=0.8', both, 'br'],
    ['br;q=0, gzip', both, 'gzip'],
    ['br;q=0, gzip;q=0', both, null],
    ['*', both, 'br'],
    ['gzip;q=0.4, *;q=0.5', both, 'br'],
    ['*;q=0', both, null],
    ['identity', both, null],
    ['deflate', both, null],
    ['br;q=0.3, identity;q=0.9', both, null],
    ['x-gzip', both, 'gzip'],
    ['BR', both, 'br'],
    ['br', ['gzip'], null],
    ['br, gzip', ['gzip'], 'gzip'],
    ['', both, null],
  ] as const)('%j with %j available -> %s', (header, available, expected) => {
    expect(pickEncoding(header, available)).toBe(expected);
  });
  it('sends identity when the client says nothing', () => {
    expect(pickEncoding(undefined, ['br', 'gzip'])).toBeNull();
  });
});

describe('staticWeb: precompressed assets', () => {
  const js = `export const big = ${JSON.stringify('x'.repeat(5000))};\n`;
  let dir: string;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-static-enc-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<html><head></head><body>PAGE</body></html>');
    writeFileSync(path.join(dir, 'assets', 'app-1a2b.js'), js);
    writeFileSync(path.join(dir, 'assets', 'app-1a2b.js.br'), brotliCompressSync(js));
    writeFileSync(path.join(dir, 'assets', 'app-1a2b.js.gz'), gzipSync(js));
    // a build may leave out an encoding (too small to gain): gzip only here, nothing at all for the css
    writeFileSync(path.join(dir, 'assets', 'only-gz-3c4d.js'), js);
    writeFileSync(path.join(dir, 'assets', 'only-gz-3c4d.js.gz'), gzipSync(js));
    writeFileSync(path.join(dir, 'assets', 'plain-5e6f.css'), 'body{}');
    const app = express();
    app.use(staticWeb(dir));
    app.use((_req, res) => void res.status(404).send('NEXT'));
    server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // a TCP listener's address
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A raw request (fetch would decode the body and hide what was sent). */
  const raw = (p: string, headers: Record<string, string>, method = 'GET') =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request(`${url}${p}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  it('sends brotli to a browser that accepts it, with the type of the original and immutable caching', async () => {
    const res = await raw('/assets/app-1a2b.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.etag).toBeTruthy();
    expect(res.headers['last-modified']).toBeTruthy();
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(js.length / 10);
    expect(brotliDecompressSync(res.body).toString()).toBe(js);
  });

  it('sends gzip when brotli is not accepted, or weighs less', async () => {
    for (const ae of ['gzip, deflate', 'br;q=0.2, gzip;q=0.9']) {
      const res = await raw('/assets/app-1a2b.js', { 'accept-encoding': ae });
      expect(res.headers['content-encoding'], ae).toBe('gzip');
      expect(gunzipSync(res.body).toString()).toBe(js);
    }
  });

  it('sends the file as is without Accept-Encoding, for identity, or when every encoding is refused', async () => {
    const cases: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }];
    for (const headers of cases) {
      const res = await raw('/assets/app-1a2b.js', headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined();
      expect(res.headers.vary).toMatch(/Accept-Encoding/i);
      expect(res.headers['cache-control']).toMatch(/immutable/);
      expect(res.body.toString()).toBe(js);
    }
  });

  it('falls back to what exists when a precompressed file is missing', async () => {
    const gzOnly = await raw('/assets/only-gz-3c4d.js', { 'accept-encoding': 'br, gzip' });
    expect(gzOnly.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzOnly.body).toString()).toBe(js);
    const brOnlyClient = await raw('/assets/only-gz-3c4d.js', { 'accept-encoding': 'br' });
    expect(brOnlyClient.headers['content-encoding']).toBeUndefined();
    expect(brOnlyClient.body.toString()).toBe(js);
    const none = await raw('/assets/plain-5e6f.css', { 'accept-encoding': 'br, gzip' });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.headers['content-type']).toMatch(/^text\/css/);
    expect(none.body.toString()).toBe('body{}');
    expect((await raw('/assets/missing-0000.js', { 'accept-encoding': 'br' })).body.toString()).toBe('NEXT');
  });

  it('answers HEAD with the headers of the chosen encoding and no body', async () => {
    const get = await raw('/assets/app-1a2b.js', { 'accept-encoding': 'br' });
    const head = await raw('/assets/app-1a2b.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers.etag).toBe(get.headers.etag);
  });

  it('gives each encoding its own ETag, and answers a matching If-None-Match with 304', async () => {
    const br = await raw('/assets/app-1a2b.js', { 'accept-encoding': 'br' });
    const gz = await raw('/assets/app-1a2b.js', { 'accept-encoding': 'gzip' });
    const id = await raw('/assets/app-1a2b.js', {});
    expect(new Set([br.headers.etag, gz.headers.etag, id.headers.etag]).size).toBe(3);
    const again = await raw('/assets/app-1a2b.js', { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('serves a Range of the file as is, whatever the client accepts', async () => {
    const res = await raw('/assets/app-1a2b.js', { 'accept-encoding': 'br, gzip', range: 'bytes=0-9' });
    expect(res.status).toBe(206);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-range']).toBe(`bytes 0-9/${js.length}`);
    expect(res.body.toString()).toBe(js.slice(0, 10));
  });

  it('never sends index.html precompressed, nor with long caching', async () => {
    writeFileSync(path.join(dir, 'index.html.br'), brotliCompressSync('<html>OLD</html>'));
    const res = await raw('/alerts', { accept: 'text/html', 'accept-encoding': 'br' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body.toString()).toContain('PAGE');
  });
});
