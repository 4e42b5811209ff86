/**
 * A real HTTP server on 127.0.0.1:0 with access control mounted as the app mounts it (security headers, JSON
 * parser, auth routes, global authenticate), plus two probe routes standing in for the rest of the API.
 * By default it runs over a real embedded SQLite store in a temp folder, removed at close.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { ErrorIds } from '@execwatch/api';
import { HttpError } from '../../http/errors';
import { silentLogger } from '../../log';
import { createAuth, type AuthConfig, type AuthService } from '../index';
import type { PasswordHasher } from '../passwords';
import type { AuthStore } from '../store';
import { openTempStore } from './temp-store';

export interface AuthTestServer {
  url: string;
  auth: AuthService;
  store: AuthStore;
  close(): Promise<void>;
}

/**
 * scrypt at a test cost (N=2^10 instead of 2^17), so that tests creating and signing in users stay fast; one test
 * in passwords.test.ts hashes at the real default.
 */
export const testPasswordHashing = { params: { N: 1024, r: 8, p: 1 } } as const;

/** Mutable clock for expiry and rate-limit tests. */
export function testClock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (err instanceof HttpError) {
    res.status(err.status).set(err.headers).json(err.toBody());
    return;
  }
  const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
  if (status === 413) res.status(413).json({ error: ErrorIds.payloadTooLarge, message: 'request body too large', status });
  else if (status >= 400 && status < 500) res.status(status).json({ error: ErrorIds.validation, message: 'malformed request', status });
  else res.status(500).json({ error: ErrorIds.internal, message: 'internal error', status: 500 });
};

/** Starts the server; `close()` stops it. */
export async function startAuthTestServer(opts: { store?: AuthStore; now?: () => number; config?: Partial<AuthConfig>; passwordHasher?: PasswordHasher } = {}): Promise<AuthTestServer> {
  const temp = opts.store ? null : await openTempStore(opts.now);
  const store = opts.store ?? temp?.store;
  if (!store) throw new Error('no store');
  const auth = createAuth({ store, log: silentLogger, now: opts.now, passwordHasher: opts.passwordHasher, config: { secureCookies: false, passwordHashing: testPasswordHashing, ...opts.config } });
  const app = express();
  app.disable('x-powered-by');
  app.use(auth.securityHeaders());
  app.use(express.json({ limit: '1mb' }));
  app.use(auth.routes());
  app.use(auth.authenticate);
  app.get('/api/probe', auth.authorize('alerts:read'), (req, res) => {
    res.json({ username: req.auth?.username, method: req.auth?.method });
  });
  app.post('/api/probe', auth.authorize('alerts:triage'), async (req, res) => {
    await auth.audit(req, { action: 'probe.change', target: { type: 'probe', id: '1' }, before: { v: 1 }, after: { v: 2, password: 'must-not-appear' } });
    res.json({ changed: true });
  });
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: ErrorIds.notFound, message: 'not found', status: 404 });
  });
  app.use(errorHandler);

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // listen() on a TCP port always yields an AddressInfo.
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    auth,
    store,
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
      await temp?.dispose();
    },
  };
}

/** `Authorization: Basic` header value. */
export const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** The `name=value` part of the session cookie a response set, if any. */
export function sessionCookieFrom(res: Response): string | undefined {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('execwatch_sid=') && !c.startsWith('execwatch_sid=;'));
  return cookie?.split(';')[0];
}

/** Signs in through POST /api/auth/login and returns the cookie to send back. */
export async function login(url: string, username: string, password: string, cookie?: string): Promise<{ res: Response; cookie: string | undefined }> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'execwatch-xsrf': 'true', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ username, password }),
  });
  return { res, cookie: sessionCookieFrom(res) };
}

/** A response's JSON body as the shape the test expects (the assertions that follow check it). */
export async function jsonOf<T>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}
