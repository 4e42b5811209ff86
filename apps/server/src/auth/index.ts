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
import { createPasswordHasher, type PasswordHasher, type PasswordHasherOptions } from './passwords';
import { authRoutes } from './routes/index';
import { securityHeaders } from './security-headers';
import { createSessionManager } from './sessions';
import { createSourceIp, trustedProxiesFromEnv } from './source-ip';
import type { AuthStore } from './store';

export { policy, abilitiesFor, roleAbilities } from './policy';
export { MIN_PASSWORD_LENGTH, DEFAULT_SCRYPT_PARAMS } from './passwords';
export { verifyAuditChain } from './audit-chain';
export { TRUSTED_PROXIES_ENV } from './source-ip';
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
  /**
   * Failed sign-ins per user and per address before further attempts wait (defaults: 5 and 20), the first wait
   * and its cap (1 s doubling up to 15 min), and how long an idle counter lasts (1 h).
   */
  loginRateLimit?: { maxPerUser?: number; maxPerAddress?: number; baseDelayMs?: number; maxDelayMs?: number; forgetAfterMs?: number };
  /**
   * Reverse proxies (addresses, CIDR ranges) whose `X-Forwarded-For` names the client; read from
   * EXECWATCH_TRUSTED_PROXIES when not given. Without them the TCP peer is the client.
   */
  trustedProxies?: readonly string[];
  /** scrypt cost and concurrency (default: OWASP's N=2^17, r=8, p=1, two at a time). Tests lower the cost. */
  passwordHashing?: PasswordHasherOptions;
}

export interface AuthDeps {
  /** Any store; access control uses its users, audit and settings ports. */
  store: Store | AuthStore;
  log: Logger;
  now?: () => number;
  config: AuthConfig;
  /** Hashes and checks passwords (default: scrypt as `config.passwordHashing` says); tests count checks through it. */
  passwordHasher?: PasswordHasher;
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
  const sourceIp = createSourceIp(deps.config.trustedProxies ?? trustedProxiesFromEnv(process.env));
  const accounts = createAccounts(store, now, deps.passwordHasher ?? createPasswordHasher(deps.config.passwordHashing));
  const sessions = createSessionManager(store, {
    idleMs: deps.config.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS,
    maxMs: deps.config.sessionMaxMs ?? DEFAULT_SESSION_MAX_MS,
    now,
  });
  const apiKeys = createApiKeyManager(store, now);
  const throttle = createLoginThrottle(store.users, { ...defaultThrottle, ...deps.config.loginRateLimit, now });
  const auditor = createAuditor(store.audit, deps.log, now, sourceIp);
  const authorize = createAuthorize();
  const authenticate = createAuthenticate({ accounts, sessions, apiKeys, throttle, auditor, sourceIp, secureCookies: deps.config.secureCookies, now });
  const parts: AuthParts = { store, accounts, sessions, apiKeys, throttle, auditor, authenticate, authorize, sourceIp, secureCookies: deps.config.secureCookies, now };

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
      // A reset password ends the user's API keys as a change through the API does.
      for (const id of await apiKeys.invalidateAllFor(user.username)) {
        await auditor.record(null, null, { action: 'api_key.invalidate', target: { type: 'api_key', id }, before: { invalidated: false }, after: { invalidated: true, reason: 'password_changed' } });
      }
      await auditor.record(null, null, { action: 'user.ensure', target: { type: 'user', id: user.username }, after: { username: user.username, roles: user.roles } });
    },
    async createApiKey(username, name, expiresInMs) {
      const created = await apiKeys.create(username, name, expiresInMs);
      await auditor.record(null, null, { action: 'api_key.create', target: { type: 'api_key', id: created.id }, after: { id: created.id, name, username } });
      return created;
    },
  };
}
