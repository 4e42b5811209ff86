/**
 * Access control: who may sign in (session cookie, HTTP Basic, API keys), what each role may do (the policy
 * table), the audit log, and the security headers. The app mounts `routes()` before the global `authenticate`.
 */
import type { RequestHandler, Router } from 'express';
import { mountRoutes } from '../http/route';
import type { CreateApiKeyResponse, Role } from '@execwatch/api';
import type { AuditFn, Authorize, RouteContext } from '../http/context';
import type { Logger } from '../log';
import type { Store } from '../store/ports';
import { createAccounts } from './accounts';
import { createApiKeyManager } from './api-keys';
import { createAuditor } from './auditor';
import { createAuthenticate, createAuthorize } from './authenticate';
import type { AuthParts } from './internals';
import { createLoginThrottle, defaultThrottle } from './login-throttle';
import { authRoutes } from './routes/index';
import { securityHeaders } from './security-headers';
import { createSessionManager } from './sessions';
import type { AuthStore } from './store';

export { policy, abilitiesFor, roleAbilities } from './policy';
export { MIN_PASSWORD_LENGTH } from './passwords';
export { XSRF_HEADER } from './authenticate';
export { SESSION_COOKIE } from './cookies';
export { loadTlsOptions } from './tls';

/** Default idle expiry of a browser session (as Kibana's default idle timeout). */
export const DEFAULT_SESSION_IDLE_MS = 8 * 60 * 60_000;
/** Default absolute lifetime of a browser session. */
export const DEFAULT_SESSION_MAX_MS = 24 * 60 * 60_000;

export interface AuthConfig {
  /** Adds `Secure` to the session cookie and HSTS to responses (serving HTTPS). */
  secureCookies: boolean;
  /** Password of the bootstrap `admin` (EXECWATCH_ADMIN_PASSWORD); random when absent. */
  adminPassword?: string;
  sessionIdleMs?: number;
  sessionMaxMs?: number;
  /** Failed sign-ins allowed per user and per address within a window (defaults: 5 and 20 in 15 minutes). */
  loginRateLimit?: { maxPerUser?: number; maxPerAddress?: number; windowMs?: number };
}

export interface AuthDeps {
  /** Any store; access control uses its users, audit and settings ports. */
  store: Store | AuthStore;
  log: Logger;
  now?: () => number;
  config: AuthConfig;
}

export interface AuthService {
  /** Session cookie, `Authorization: Basic`, or `Authorization: ApiKey base64(id:key)`; sets `req.auth` or 401. */
  authenticate: RequestHandler;
  /** `(ability) => middleware`: 403 naming the missing ability. */
  authorize: Authorize;
  /** Appends an audit event attributed to the request's user and address. */
  audit: AuditFn;
  /** Sign-in, identity, users, API keys and audit routes; authenticates its own routes (except login and logout). */
  routes(ctx?: RouteContext): Router;
  /** Security headers on every response; a fresh CSP nonce in `res.locals.cspNonce`. */
  securityHeaders(): RequestHandler;
  /** First start with no users: creates `admin` (the caller prints a generated password once). */
  bootstrap(): Promise<{ username: string; password: string; generated: boolean } | null>;
  /** Creates or resets a user (demo users). */
  ensureUser(u: { username: string; password: string; roles: Role[]; full_name?: string }): Promise<void>;
  /** Creates an API key for a user (e.g. the demo's ingest key); the secret is in the result only. */
  createApiKey(username: string, name: string, expiresInMs?: number): Promise<CreateApiKeyResponse>;
}

/** Builds the access-control service over a store. */
export function createAuth(deps: AuthDeps): AuthService {
  const now = deps.now ?? Date.now;
  const store: AuthStore = deps.store;
  const accounts = createAccounts(store, now);
  const sessions = createSessionManager(store, {
    idleMs: deps.config.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS,
    maxMs: deps.config.sessionMaxMs ?? DEFAULT_SESSION_MAX_MS,
    now,
  });
  const apiKeys = createApiKeyManager(store, now);
  const throttle = createLoginThrottle(store.users, { ...defaultThrottle, ...deps.config.loginRateLimit, now });
  const auditor = createAuditor(store.audit, deps.log, now);
  const authorize = createAuthorize();
  const authenticate = createAuthenticate({ accounts, sessions, apiKeys, throttle, auditor, secureCookies: deps.config.secureCookies, now });
  const parts: AuthParts = { store, accounts, sessions, apiKeys, throttle, auditor, authenticate, authorize, secureCookies: deps.config.secureCookies, now };

  return {
    authenticate,
    authorize,
    audit: auditor.audit,
    routes() {
      return mountRoutes(authRoutes, parts, { authenticate, authorize, audit: auditor.audit });
    },
    securityHeaders: () => securityHeaders({ hsts: deps.config.secureCookies }),
    async bootstrap() {
      const created = await accounts.bootstrap(deps.config.adminPassword);
      if (created) {
        deps.log.info('created the bootstrap admin user', { username: created.username, generated_password: created.generated });
        await auditor.record(null, null, { action: 'user.create', target: { type: 'user', id: created.username }, after: { username: created.username, roles: ['admin'], bootstrap: true } });
      }
      return created;
    },
    async ensureUser(u) {
      const user = await accounts.ensure(u);
      await sessions.revokeAllFor(user.username);
      await auditor.record(null, null, { action: 'user.ensure', target: { type: 'user', id: user.username }, after: { username: user.username, roles: user.roles } });
    },
    async createApiKey(username, name, expiresInMs) {
      const created = await apiKeys.create(username, name, expiresInMs);
      await auditor.record(null, null, { action: 'api_key.create', target: { type: 'api_key', id: created.id }, after: { id: created.id, name, username } });
      return created;
    },
  };
}
