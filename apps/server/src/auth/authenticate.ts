import { createHmac, randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ErrorIds } from '@execwatch/api';
import type { AuthContext, Authorize } from '../http/context';
import { HttpError, rateLimited } from '../http/errors';
import type { UserRecord } from '../store/ports';
import type { Accounts } from './accounts';
import { outlivedCredentials, type ApiKeyManager } from './api-keys';
import type { Auditor } from './auditor';
import { clearedSessionCookie, readCookie, SESSION_COOKIE } from './cookies';
import { parseAuthorization } from './credentials';
import type { LoginThrottle } from './login-throttle';
import { abilitiesFor } from './policy';
import type { SessionManager } from './sessions';
import type { SourceIp } from './source-ip';

/** Header a cookie-authenticated state-changing request must carry (as Kibana's `kbn-xsrf`). */
export const XSRF_HEADER = 'execwatch-xsrf';
/** Kibana's own header, taken the same way, so scripts written for Kibana work unchanged. */
export const KIBANA_XSRF_HEADER = 'kbn-xsrf';

/** Whether a request carries an xsrf header: `execwatch-xsrf` or Kibana's `kbn-xsrf` (any value, as Kibana). */
export function hasXsrfHeader(req: Pick<Request, 'headers'>): boolean {
  return req.headers[XSRF_HEADER] !== undefined || req.headers[KIBANA_XSRF_HEADER] !== undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for methods that may change state. */
export const isStateChanging = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/**
 * 401. The Basic challenge is left out for browsers (any `Mozilla/` user agent, or the web app's xsrf header),
 * where it would pop up the browser's own password dialog over the app's login page; shippers, scripts and curl
 * get it, as from Elasticsearch.
 */
export function authenticationRequired(req: Request, message = 'authentication required'): HttpError {
  const fromBrowser = /^Mozilla\//.test(req.headers['user-agent'] ?? '') || hasXsrfHeader(req);
  const headers: Record<string, string> = fromBrowser ? {} : { 'WWW-Authenticate': 'Basic realm="execwatch", charset="UTF-8"' };
  return new HttpError(401, ErrorIds.unauthenticated, message, undefined, headers);
}

/** 400 `xsrf_header_missing`: a cookie-authenticated state change without the `execwatch-xsrf` header. */
export const xsrfMissing = () =>
  new HttpError(400, ErrorIds.xsrfMissing, `state-changing requests authenticated by the session cookie need the header ${XSRF_HEADER} (or kbn-xsrf)`);

/** The request context for a signed-in user. */
export function authContext(user: UserRecord, method: AuthContext['method'], apiKeyId?: string): AuthContext {
  return { username: user.username, roles: [...user.roles], abilities: abilitiesFor(user.roles), method, ...(apiKeyId ? { apiKeyId } : {}) };
}

export interface AuthenticateDeps {
  accounts: Accounts;
  sessions: SessionManager;
  apiKeys: ApiKeyManager;
  throttle: LoginThrottle;
  auditor: Auditor;
  sourceIp: SourceIp;
  secureCookies: boolean;
  now: () => number;
}

const BASIC_CACHE_TTL_MS = 60_000;
const BASIC_CACHE_MAX = 1000;

/**
 * Remembers recently verified Basic credentials (by hash, with the password hash they matched) so that shippers
 * sending Basic auth on every request do not pay for scrypt each time; a password change invalidates the entry.
 * Concurrent requests with the same credentials share one verification.
 */
function createBasicCache(now: () => number) {
  const entries = new Map<string, { passwordHash: string; until: number }>();
  const inflight = new Map<string, Promise<UserRecord | null>>();
  // Keyed with a per-process secret so that the cache never holds a plain, crackable digest of a password.
  const secret = randomBytes(32);
  const keyOf = (username: string, password: string) => createHmac('sha256', secret).update(`${username}\u0000${password}`).digest('hex');
  return {
    hit(username: string, password: string, user: UserRecord): boolean {
      const key = keyOf(username, password);
      const entry = entries.get(key);
      if (!entry) return false;
      if (entry.until <= now() || entry.passwordHash !== user.password_hash) {
        entries.delete(key);
        return false;
      }
      return true;
    },
    /** The verification running for these exact credentials, if any. */
    running(username: string, password: string): Promise<UserRecord | null> | undefined {
      return inflight.get(keyOf(username, password));
    },
    /** Runs `verify` once for concurrent identical credentials; `first` is true for the request that ran it. */
    async verifyOnce(username: string, password: string, verify: () => Promise<UserRecord | null>): Promise<{ user: UserRecord | null; first: boolean }> {
      const key = keyOf(username, password);
      const running = inflight.get(key);
      if (running) return { user: await running, first: false };
      const started = verify().finally(() => inflight.delete(key));
      inflight.set(key, started);
      return { user: await started, first: true };
    },
    remember(username: string, password: string, user: UserRecord): void {
      if (entries.size >= BASIC_CACHE_MAX) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(keyOf(username, password), { passwordHash: user.password_hash, until: now() + BASIC_CACHE_TTL_MS });
    },
  };
}

/** The authentication middleware: Authorization header (Basic or ApiKey) first, then the session cookie. */
export function createAuthenticate(deps: AuthenticateDeps): RequestHandler {
  const basicCache = createBasicCache(deps.now);

  async function viaBasic(req: Request, username: string, password: string): Promise<AuthContext> {
    const known = await deps.accounts.activeUser(username);
    // Credentials verified a moment ago are the right password, not a guess: they are let in while the user waits
    // out a guesser's delay, and so is a request that joins the check already running for the same credentials.
    if (known && basicCache.hit(username, password, known)) return authContext(known, 'basic');
    const running = basicCache.running(username, password);
    if (running) {
      const user = await running;
      if (!user) throw authenticationRequired(req, 'invalid username or password');
      return authContext(user, 'basic');
    }
    const attempt = await deps.throttle.begin(username, deps.sourceIp(req));
    if (!attempt.granted) throw rateLimited(attempt.retryAfterS);
    let checked: { user: UserRecord | null; first: boolean };
    try {
      checked = await basicCache.verifyOnce(username, password, () => deps.accounts.verifyCredentials(username, password));
    } catch (err) {
      await attempt.settle('not_checked');
      throw err;
    }
    const { user, first } = checked;
    if (!user) {
      // A request that shared another's check made no guess of its own.
      const reached = await attempt.settle(first ? 'failure' : 'not_checked');
      if (first) await deps.auditor.signInFailed(req, { action: 'auth.authenticate', target: { type: 'user', id: username }, method: 'basic', reason: 'invalid_credentials' }, reached);
      throw authenticationRequired(req, 'invalid username or password');
    }
    await attempt.settle('success');
    if (first) basicCache.remember(username, password, user);
    return authContext(user, 'basic');
  }

  async function viaApiKey(req: Request, id: string, secret: string): Promise<AuthContext> {
    const key = await deps.apiKeys.verify(id, secret);
    const user = key ? await deps.accounts.activeUser(key.username) : null;
    if (key && user && !outlivedCredentials(key, user)) return authContext(user, 'api_key', key.id);
    // Keys cannot be guessed; failures are counted per address only so that a flood of bad keys cannot fill the
    // audit log. A valid key is never refused because of its address.
    const { retryAfterS, reached } = await deps.throttle.rejectKey(deps.sourceIp(req));
    if (retryAfterS !== null) throw rateLimited(retryAfterS);
    await deps.auditor.signInFailed(req, { action: 'auth.authenticate', target: { type: 'api_key', id: id.slice(0, 64) }, method: 'api_key', reason: 'invalid_api_key' }, reached);
    throw authenticationRequired(req, 'invalid, expired or invalidated api key');
  }

  async function viaSession(req: Request, token: string): Promise<AuthContext | null> {
    const session = await deps.sessions.resolve(token);
    const user = session ? await deps.accounts.activeUser(session.username) : null;
    return user ? authContext(user, 'session') : null;
  }

  return async (req, res, next) => {
    if (req.auth) return next();
    const credentials = parseAuthorization(req.headers.authorization);
    if (credentials) {
      if (credentials.kind === 'invalid') throw authenticationRequired(req, credentials.reason);
      req.auth =
        credentials.kind === 'basic'
          ? await viaBasic(req, credentials.username, credentials.password)
          : await viaApiKey(req, credentials.id, credentials.key);
      return next();
    }
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token === undefined) throw authenticationRequired(req);
    const context = await viaSession(req, token);
    if (!context) {
      res.append('Set-Cookie', clearedSessionCookie(deps.secureCookies));
      throw authenticationRequired(req, 'session expired or signed out');
    }
    if (isStateChanging(req.method) && !hasXsrfHeader(req)) throw xsrfMissing();
    req.auth = context;
    next();
  };
}

/** `authorize(ability)`: 403 naming the missing ability unless the signed-in user has it. */
export function createAuthorize(): Authorize {
  return (ability) => (req, _res, next) => {
    if (!req.auth) throw authenticationRequired(req);
    if (!req.auth.abilities[ability]) {
      throw new HttpError(403, ErrorIds.forbidden, `this action requires the [${ability}] ability, which roles [${req.auth.roles.join(', ')}] do not grant`, { ability });
    }
    next();
  };
}
