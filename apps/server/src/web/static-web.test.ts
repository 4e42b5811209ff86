import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../config';
import { injectNonce, staticWeb, WEB_APP_ROUTES } from './static-web';

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
