/**
 * Serves the built web app: static assets, and index.html (with the CSP nonce) to browsers loading one of its pages.
 * Everything else outside `/api` is the Elasticsearch-compatible API (features/es-compat), so the page goes only to
 * browser navigations: GET or HEAD without an Authorization header (Elastic clients and shippers always send one,
 * browsers never do for this app) that either prefers `text/html` in Accept (as every browser navigation does) or is
 * one of the app's own routes. `GET /` is both the app's start page and Elasticsearch's handshake: only the Accept
 * header tells them apart there.
 *
 * Built assets come precompressed (the build writes `name.js.br` and `name.js.gz` beside `name.js`): the smallest
 * encoding the client accepts is sent as is, with `Content-Encoding` and `Vary: Accept-Encoding`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';

/** Execwatch's API, and Elasticsearch's (every path with a `_`-prefixed segment: `/_bulk`, `/_license`, `/x/_bulk`). */
const isServerPath = (p: string) => p === '/api' || p.startsWith('/api/') || p.split('/').some((segment) => segment.startsWith('_'));

/** The web app's client-side routes below `/` (apps/web/src/app/app.tsx), which get the page whatever Accept says. */
export const WEB_APP_ROUTES: readonly string[] = ['/alerts', '/rules', '/exceptions', '/admin'];

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

/** The precompressed encodings the build writes, in the server's order of preference, with their file suffix. */
export const PRECOMPRESSED = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const;
export type Precompressed = (typeof PRECOMPRESSED)[number]['coding'];

/** The q-values of an Accept-Encoding header, by lower-cased coding (`x-gzip` counts as `gzip`). */
function acceptEncodingWeights(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (m) q = Number(m[1]);
    }
    weights.set(coding === 'x-gzip' ? 'gzip' : coding, Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0);
  }
  return weights;
}

/**
 * The encoding to send from `available` (in preference order) for `acceptEncoding`, or null for identity: the
 * highest q-value wins, ties go to the earlier (smaller) encoding, `*` stands for codings not named, q=0 refuses,
 * and an explicit `identity` with a higher q than any of them keeps the file as is.
 */
export function pickEncoding(acceptEncoding: string | undefined, available: readonly Precompressed[]): Precompressed | null {
  if (!acceptEncoding) return null;
  const weights = acceptEncodingWeights(acceptEncoding);
  const other = weights.get('*') ?? 0;
  let best: Precompressed | null = null;
  let bestQ = 0;
  for (const coding of available) {
    const q = weights.get(coding) ?? other;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  const identity = weights.get('identity');
  return identity !== undefined && identity > bestQ ? null : best;
}

const YEAR_MS = 365 * 24 * 3_600_000;

/**
 * Sends the precompressed sibling of a built asset when the client accepts one; anything else (no sibling, no
 * accepted encoding, a Range request) goes on as identity. Ranges get the identity file because a byte range
 * of one encoding means nothing in another: a resumed download keeps working whatever was sent first.
 */
function precompressedAssets(distDir: string): (req: Request, res: Response, next: NextFunction) => void {
  const assetsDir = path.join(distDir, 'assets');
  // the build never changes a file under the same (hashed) name, so what exists is looked up once per name
  const siblings = new Map<string, Precompressed[]>();
  const availableFor = (name: string): Precompressed[] => {
    let found = siblings.get(name);
    if (!found) {
      found = existsSync(path.join(assetsDir, name)) ? PRECOMPRESSED.filter((p) => existsSync(path.join(assetsDir, `${name}${p.suffix}`))).map((p) => p.coding) : [];
      if (siblings.size > 10_000) siblings.clear();
      siblings.set(name, found);
    }
    return found;
  };
  return (req, res, next) => {
    // one file name straight under /assets/, nothing that could climb out of it
    const m = /^\/assets\/([A-Za-z0-9][\w.-]*)$/.exec(req.path);
    const name = m?.[1];
    if (!name || name.includes('..')) return next();
    const available = availableFor(name);
    if (available.length === 0) return next();
    res.setHeader('Vary', 'Accept-Encoding');
    const coding = req.headers.range === undefined ? pickEncoding(req.headers['accept-encoding'], available) : null;
    if (coding === null) return next();
    const suffix = PRECOMPRESSED.find((p) => p.coding === coding)?.suffix ?? '';
    res.setHeader('Content-Encoding', coding);
    res.type(path.extname(name));
    res.sendFile(`${name}${suffix}`, { root: assetsDir, dotfiles: 'deny', maxAge: YEAR_MS, immutable: true, lastModified: true, etag: true }, (err?: Error) => {
      if (!err || res.headersSent) return;
      // gone since it was looked up (a rebuild): forget it and serve what is there
      siblings.delete(name);
      res.removeHeader('Content-Encoding');
      res.removeHeader('Content-Type');
      next();
    });
  };
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
  const serveEncoded = precompressedAssets(distDir);
  r.use((req, res, next) => (wantsFile(req) ? serveEncoded(req, res, () => serveFiles(req, res, next)) : next()));
  r.use((req, res, next) => {
    if (!isBrowserNavigation(req)) return next();
    const html = loadIndex();
    if (html === null) {
      res.status(503).type('text/plain').send('The web app is not built. Run `npm run build` (npm start and npm run demo do it for you).\n');
      return;
    }
    const nonce = typeof res.locals.cspNonce === 'string' ? res.locals.cspNonce : '';
    // revalidated on every use, and with no validator to match, always answered afresh (with a new nonce)
    res.setHeader('Cache-Control', 'no-cache');
    // the same path answers clients with JSON
    res.setHeader('Vary', 'Accept, Authorization');
    res.type('html').send(nonce ? injectNonce(html, nonce) : html);
  });
  return r;
}
