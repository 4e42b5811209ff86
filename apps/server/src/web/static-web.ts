/**
 * Serves the built web app: static assets, and index.html (with the CSP nonce) to browsers loading one of its pages.
 * Everything else outside `/api` is the Elasticsearch-compatible API (features/es-compat), so the page goes only to
 * browser navigations: GET or HEAD without an Authorization header (Elastic clients and shippers always send one,
 * browsers never do for this app) that either prefers `text/html` in Accept (as every browser navigation does) or is
 * one of the app's own routes. `GET /` is both the app's start page and Elasticsearch's handshake: only the Accept
 * header tells them apart there.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Request } from 'express';

/** Execwatch's API, and Elasticsearch's (every path with a `_`-prefixed segment: `/_bulk`, `/_license`, `/x/_bulk`). */
const isServerPath = (p: string) => p === '/api' || p.startsWith('/api/') || p.split('/').some((segment) => segment.startsWith('_'));

/** The web app's client-side routes below `/` (apps/web/src/app/app.tsx), which get the page whatever Accept says. */
export const WEB_APP_ROUTES: readonly string[] = ['/alerts', '/rules', '/exceptions'];

const isWebAppRoute = (p: string) => WEB_APP_ROUTES.some((r) => p === r || p.startsWith(`${r}/`));

/** A browser loading a page of the app (see above): it gets index.html; any other request goes on to the API. */
export function isBrowserNavigation(req: Request): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.authorization !== undefined || isServerPath(req.path)) return false;
  return isWebAppRoute(req.path) || req.accepts(['application/json', 'text/html']) === 'text/html';
}

/** Puts the per-response nonce on every script tag and in `<meta property="csp-nonce">` (Emotion reads it). */
export function injectNonce(html: string, nonce: string): string {
  const withScripts = html.replace(/<script\b(?![^>]*\bnonce=)/g, `<script nonce="${nonce}"`);
  const meta = `<meta property="csp-nonce" content="${nonce}" />`;
  return /<head[^>]*>/i.test(withScripts) ? withScripts.replace(/<head[^>]*>/i, (m) => `${m}\n    ${meta}`) : `${meta}\n${withScripts}`;
}

/** Static files from `distDir` (GET/HEAD outside the APIs) and index.html for browser navigations. */
export function staticWeb(distDir: string): Router {
  const r = Router();
  const indexFile = path.join(distDir, 'index.html');
  let indexHtml: string | null = null;
  const loadIndex = (): string | null => {
    if (indexHtml === null && existsSync(indexFile)) indexHtml = readFileSync(indexFile, 'utf8');
    return indexHtml;
  };
  // built assets are files whatever their names (Vite names some chunks `_name-hash.js`)
  const wantsFile = (req: Request) => (req.method === 'GET' || req.method === 'HEAD') && (req.path.startsWith('/assets/') || !isServerPath(req.path)) && req.path !== '/index.html';

  const serveFiles = express.static(distDir, {
    index: false,
    fallthrough: true,
    // Vite names built assets by content hash, so they never change under the same name.
    setHeaders: (res, file) => res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  r.use((req, res, next) => (wantsFile(req) ? serveFiles(req, res, next) : next()));
  r.use((req, res, next) => {
    if (!isBrowserNavigation(req)) return next();
    const html = loadIndex();
    if (html === null) {
      res.status(503).type('text/plain').send('The web app is not built. Run `npm run build` (npm start and npm run demo do it for you).\n');
      return;
    }
    const nonce = typeof res.locals.cspNonce === 'string' ? res.locals.cspNonce : '';
    res.setHeader('Cache-Control', 'no-store');
    // the same path answers clients with JSON
    res.setHeader('Vary', 'Accept, Authorization');
    res.type('html').send(nonce ? injectNonce(html, nonce) : html);
  });
  return r;
}
