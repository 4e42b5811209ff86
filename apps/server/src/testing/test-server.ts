/**
 * A real Execwatch server for tests: the full app on 127.0.0.1:0 over an embedded store in a fresh temp dir,
 * real access control with known users, and a settable clock. `close()` stops it and removes the dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import http, { type RequestListener } from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../app';
import { createAuth, type AuthService } from '../auth/index';
import { testPasswordHashing } from '../auth/testing/auth-test-server';
import { silentLogger, type Logger } from '../log';
import { createServices, type Services, type ServicesOptions } from '../services/index';
import type { WebhookConfig } from '../features/notifications/webhook';
import type { RuleDefinition, RuleLoadError } from '../services/rules/rule-definition';
import { createEmbeddedStore } from '../store/embedded/index';
import type { Store } from '../store/ports';

export const testPasswords = { admin: 'admin-test-password-1', analyst: 'analyst-test-password-1', viewer: 'viewer-test-password-1' } as const;
export type TestUser = keyof typeof testPasswords;

/** Mutable clock shared by the store, the services and the routes. */
export interface TestClock {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

/** A clock that moves only when told to. */
export function testClock(start = Date.UTC(2026, 0, 1, 12)): TestClock {
  let t = start;
  return { now: () => t, set: (ms) => void (t = ms), advance: (ms) => void (t += ms) };
}

export interface TestServer {
  url: string;
  store: Store;
  services: Services;
  auth: AuthService;
  clock: TestClock;
  dataDir: string;
  /** `Authorization` header for a test user. */
  authHeader(user?: TestUser): string;
  /** fetch against the server as a user (JSON bodies are serialised). */
  request(method: string, pathname: string, opts?: { user?: TestUser | null; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> }): Promise<Response>;
  /** request() that parses JSON and returns status and body. */
  json<T = unknown>(method: string, pathname: string, opts?: { user?: TestUser | null; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> }): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  clock?: TestClock;
  /** Real wall clock instead of the test clock (child processes, benchmarks). */
  realTime?: boolean;
  rulesDir?: string;
  rules?: { rules: RuleDefinition[]; errors: RuleLoadError[] };
  webDist?: string | null;
  log?: Logger;
  dataDir?: string;
  /** Makes the HTTP server for the app (limits, load shedding: see main.ts); a plain one by default. */
  createServer?: (app: RequestListener) => http.Server | https.Server;
  /** The outbound notification webhook (none by default). */
  notifyWebhook?: WebhookConfig | null;
  /** Retention defaults and the disk guard (its free-space reader too); the guard watches the data dir. */
  storage?: ServicesOptions['storage'];
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** Starts a server; the scheduler does not run (tests trigger runs through the API or the engine). */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const clock = opts.clock ?? testClock();
  const now = opts.realTime ? () => Date.now() : clock.now;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'execwatch-test-'));
  const log = opts.log ?? silentLogger;
  const store = createEmbeddedStore({ dataDir, log, now });
  await store.init();
  // a cheap scrypt cost: the real one takes about a second per hash here, and every test server hashes three
  const auth = createAuth({ store, log, now, config: { secureCookies: false, adminPassword: testPasswords.admin, passwordHashing: testPasswordHashing } });
  await auth.bootstrap();
  await auth.ensureUser({ username: 'analyst', password: testPasswords.analyst, roles: ['analyst'] });
  await auth.ensureUser({ username: 'viewer', password: testPasswords.viewer, roles: ['viewer'] });
  const services = await createServices({ store, log, now, instanceId: 'test', rulesDir: opts.rulesDir, rules: opts.rules, notifyWebhook: opts.notifyWebhook ?? null, storage: { dataDir, ...opts.storage } });
  const app = createApp({ store, log, now, auth, services, webDist: opts.webDist ?? null, scheduling: false });
  const server = opts.createServer ? opts.createServer(app) : http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo; // TCP listeners report an AddressInfo
  const url = `http://127.0.0.1:${port}`;
  const authHeader = (user: TestUser = 'admin') => basic(user, testPasswords[user]);
  const request: TestServer['request'] = (method, pathname, o = {}) => {
    const headers: Record<string, string> = { ...(o.user === null ? {} : { authorization: authHeader(o.user ?? 'admin') }), ...o.headers };
    let body: string | Buffer | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    return fetch(`${url}${pathname}`, { method, headers, body });
  };
  return {
    url,
    store,
    services,
    auth,
    clock,
    dataDir,
    authHeader,
    request,
    async json<T>(method: string, pathname: string, o = {}) {
      const res = await request(method, pathname, o);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: the raw text is returned for the assertion to show
      }
      return { status: res.status, body: parsed as T }; // the caller names the shape it expects
    },
    async close() {
      await services.scheduler.stop();
      await services.webhook?.stop();
      await services.storage.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
