/** Serves the built web app: static assets, and index.html (with the CSP nonce) for client-side routes. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Request } from 'express';

const isApiPath = (p: string) => p === '/api' || p.startsWith('/api/') || p === '/_bulk' || p.endsWith('/_bulk');

/** Puts the per-response nonce on every script tag and in `<meta property="csp-nonce">` (Emotion reads it). */
export function injectNonce(html: string, nonce: string): string {
  const withScripts = html.replace(/<script\b(?![^>]*\bnonce=)/g, `<script nonce="${nonce}"`);
  const meta = `<meta property="csp-nonce" content="${nonce}" />`;
  return /<head[^>]*>/i.test(withScripts) ? withScripts.replace(/<head[^>]*>/i, (m) => `${m}\n    ${meta}`) : `${meta}\n${withScripts}`;
}

/** Static files from `distDir` and the SPA fallback for GET/HEAD of non-API paths. */
export function staticWeb(distDir: string): Router {
  const r = Router();
  const indexFile = path.join(distDir, 'index.html');
  let indexHtml: string | null = null;
  const loadIndex = (): string | null => {
    if (indexHtml === null && existsSync(indexFile)) indexHtml = readFileSync(indexFile, 'utf8');
    return indexHtml;
  };
  const wantsPage = (req: Request) => (req.method === 'GET' || req.method === 'HEAD') && !isApiPath(req.path);

  const serveFiles = express.static(distDir, {
    index: false,
    fallthrough: true,
    // Vite names built assets by content hash, so they never change under the same name.
    setHeaders: (res, file) => res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  r.use((req, res, next) => (wantsPage(req) && req.path !== '/index.html' ? serveFiles(req, res, next) : next()));
  r.use((req, res, next) => {
    if (!wantsPage(req)) return next();
    const html = loadIndex();
    if (html === null) {
      res.status(503).type('text/plain').send('The web app is not built. Run `npm run build` (npm start and npm run demo do it for you).\n');
      return;
    }
    const nonce = typeof res.locals.cspNonce === 'string' ? res.locals.cspNonce : '';
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(nonce ? injectNonce(html, nonce) : html);
  });
  return r;
}
