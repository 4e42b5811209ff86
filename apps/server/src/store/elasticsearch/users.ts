import type { ApiKeyRecord, SessionRecord, UserRecord, UserStore } from '../ports';
import type { EsContext } from './context';
import { allDocs, countDocs, deleteDoc, getDoc, putDoc } from './documents';
import { withRetry } from './retry';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Users, API keys, sessions and sign-in failure counters in one index, so that a session or a
 * rate limit works whichever server instance a request reaches (reads by id are real-time).
 */
export function createUserStore(ctx: EsContext): UserStore {
  const index = ctx.names.users;

  async function deleteFailures(key: string, before?: number): Promise<void> {
    const filter = [{ term: { type: 'failure' } }, { term: { key } }, ...(before !== undefined ? [{ range: { at: { lt: iso(before) } } }] : [])];
    await withRetry('delete sign-in failures', () => ctx.client.deleteByQuery({ index, query: { bool: { filter } }, conflicts: 'proceed', refresh: true }), ctx.retry, ctx.log);
  }

  const countFailures = (key: string, since: number) => countDocs(ctx, index, 'failure', [{ term: { key } }, { range: { at: { gte: iso(since) } } }]);

  return {
    get: (username) => getDoc<UserRecord>(ctx, index, `user:${username}`),
    list: () => allDocs<UserRecord>(ctx, index, 'user', 'username'),
    count: () => countDocs(ctx, index, 'user'),
    put: (user) => putDoc(ctx, index, `user:${user.username}`, { type: 'user', keys: { username: user.username }, body: user }),
    getApiKey: (id) => getDoc<ApiKeyRecord>(ctx, index, `api_key:${id}`),
    listApiKeys: (username) => allDocs<ApiKeyRecord>(ctx, index, 'api_key', 'id', username === undefined ? [] : [{ term: { username } }]),
    putApiKey: (key) =>
      putDoc(ctx, index, `api_key:${key.id}`, {
        type: 'api_key',
        keys: { id: key.id, username: key.username, ...(key.expires_at !== null ? { expires_at: iso(key.expires_at) } : {}) },
        body: key,
      }),
    getSession: (idHash) => getDoc<SessionRecord>(ctx, index, `session:${idHash}`),
    putSession: (session) =>
      putDoc(ctx, index, `session:${session.id_hash}`, {
        type: 'session',
        keys: { username: session.username, expires_at: iso(session.expires_at) },
        body: session,
      }),
    deleteSession: (idHash) => deleteDoc(ctx, index, `session:${idHash}`),
    async recordFailure(key, at, windowMs) {
      await withRetry(
        'record sign-in failure',
        () => ctx.client.index({ index, document: { type: 'failure', key, at: iso(at), body: { key, at } }, refresh: true }),
        ctx.retry,
        ctx.log,
      );
      // Old failures no longer count; dropping them keeps the index small.
      await deleteFailures(key, at - windowMs);
      return countFailures(key, at - windowMs);
    },
    failures: (key, since) => countFailures(key, since),
    clearFailures: (key) => deleteFailures(key),
  };
}
