import { ErrorIds, loginSchema, type MeResponse } from '@execwatch/api';
import { HttpError, rateLimited } from '../../http/errors';
import { routes, type Route } from '../../http/route';
import type { UserRecord } from '../../store/ports';
import { presentUser } from '../accounts';
import { authContext, hasXsrfHeader, isStateChanging, xsrfMissing } from '../authenticate';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../cookies';
import type { AuthParts } from '../internals';

function meResponse(user: UserRecord, authentication: MeResponse['authentication']): MeResponse {
  return { user: presentUser(user), abilities: authContext(user, authentication).abilities, authentication };
}

const route = routes<AuthParts>();

/** POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me. */
export const sessionRoutes: Route<AuthParts>[] = [
  route({
    method: 'POST',
    path: '/api/auth/login',
    requires: 'public',
    summary: 'signs in with `{ username, password }`; sets the session cookie',
    // A JSON body cannot be sent cross-site without a CORS preflight, which this server never grants: no login CSRF.
    jsonOnly: true,
    body: loginSchema,
    bodyLimit: '4kb',
    audit: ['auth.login'],
    handler: async ({ body: { username, password }, req, res }, parts) => {
      const target = { type: 'user', id: username };

      // The attempt is counted before the password is checked, so parallel guesses cannot all slip past the limit.
      const attempt = await parts.throttle.begin(username, parts.sourceIp(req));
      if (!attempt.granted) throw rateLimited(attempt.retryAfterS);
      let user: UserRecord | null;
      try {
        user = await parts.accounts.verifyCredentials(username, password);
      } catch (err) {
        await attempt.settle('not_checked');
        throw err;
      }
      if (!user) {
        const reached = await attempt.settle('failure');
        await parts.auditor.signInFailed(req, { action: 'auth.login', target, method: 'session', reason: 'invalid_credentials' }, reached);
        throw new HttpError(401, ErrorIds.unauthenticated, 'invalid username or password');
      }
      await attempt.settle('success');

      // A new session id at every sign-in; whatever session the browser held before is ended (no fixation).
      const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (previous !== undefined) await parts.sessions.revoke(previous);
      const { token, record } = await parts.sessions.create(user.username);
      res.append('Set-Cookie', sessionCookie(token, parts.secureCookies));
      await parts.auditor.record(req, user.username, {
        action: 'auth.login',
        target: { type: 'user', id: user.username },
        after: { method: 'session', expires_at: new Date(record.expires_at).toISOString() },
      });
      return meResponse(user, 'session');
    },
  }),
  route({
    method: 'POST',
    path: '/api/auth/logout',
    requires: 'public',
    summary: 'ends the browser session',
    audit: ['auth.logout'],
    handler: async ({ req, res }, parts) => {
      const token = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (token !== undefined) {
        if (isStateChanging(req.method) && !hasXsrfHeader(req)) throw xsrfMissing();
        const session = await parts.sessions.resolve(token);
        await parts.sessions.revoke(token);
        if (session) await parts.auditor.record(req, session.username, { action: 'auth.logout', target: { type: 'user', id: session.username } });
      }
      res.append('Set-Cookie', clearedSessionCookie(parts.secureCookies));
      return { logged_out: true };
    },
  }),
  route({
    method: 'GET',
    path: '/api/auth/me',
    requires: 'authenticated',
    summary: "the caller's user, abilities and how they signed in",
    handler: async ({ auth }, parts) => {
      // The user record is read again for its current profile.
      const user = auth ? await parts.accounts.activeUser(auth.username) : null;
      if (!auth || !user) throw new HttpError(401, ErrorIds.unauthenticated, 'authentication required');
      return meResponse(user, auth.method);
    },
  }),
];
