import type { SessionRecord } from '../store/ports';
import { randomToken, sha256Hex } from './secrets';
import type { AuthStore } from './store';

export interface SessionOptions {
  /** A session unused for this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  maxMs: number;
  now: () => number;
}

export interface SessionManager {
  /** Starts a session; the token goes into the cookie, only its hash is stored. */
  create(username: string): Promise<{ token: string; record: SessionRecord }>;
  /** The live session for a token, or null (unknown, expired, idle or revoked). Refreshes its idle clock. */
  resolve(token: string): Promise<SessionRecord | null>;
  revoke(token: string): Promise<void>;
  /** Ends every session of a user started before now (password change, disabling). */
  revokeAllFor(username: string): Promise<void>;
}

const MAX_TOKEN_LENGTH = 256;
const revokedBeforeKey = (username: string) => `auth.sessions_revoked_before.${username}`;

/** Server-side sessions with idle and absolute expiry; ids are random 32-byte tokens stored as sha256. */
export function createSessionManager(store: AuthStore, opts: SessionOptions): SessionManager {
  // Writing last_seen_at on every request would make each read a write; a coarse clock is enough for idle expiry.
  const touchEveryMs = Math.min(60_000, Math.max(1, Math.floor(opts.idleMs / 10)));

  return {
    async create(username) {
      const token = randomToken(32);
      const at = opts.now();
      const record: SessionRecord = { id_hash: sha256Hex(token), username, created_at: at, last_seen_at: at, expires_at: at + opts.maxMs };
      await store.users.putSession(record);
      return { token, record };
    },

    async resolve(token) {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
      const idHash = sha256Hex(token);
      const session = await store.users.getSession(idHash);
      if (!session) return null;
      const at = opts.now();
      if (at >= session.expires_at || at - session.last_seen_at >= opts.idleMs) {
        await store.users.deleteSession(idHash);
        return null;
      }
      const revokedBefore = await store.settings.get<number>(revokedBeforeKey(session.username));
      if (typeof revokedBefore === 'number' && session.created_at < revokedBefore) {
        await store.users.deleteSession(idHash);
        return null;
      }
      if (at - session.last_seen_at >= touchEveryMs) {
        const touched = { ...session, last_seen_at: at };
        await store.users.putSession(touched);
        return touched;
      }
      return session;
    },

    async revoke(token) {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return;
      await store.users.deleteSession(sha256Hex(token));
    },

    async revokeAllFor(username) {
      // The store cannot list sessions by user; a per-user cut-off time does the same job on the next request.
      await store.settings.set(revokedBeforeKey(username), opts.now());
    },
  };
}
