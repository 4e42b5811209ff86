import type { ApiKeyRecord, SessionRecord, ThrottleState, UserRecord, UserStore } from '../ports';
import type { EsContext, Source } from './context';
import { allDocs, countDocs, deleteDoc, getDoc, putDoc } from './documents';
import { isConflict, isNotFound, withRetry } from './retry';

const iso = (ms: number) => new Date(ms).toISOString();

/** Read-modify-write rounds before giving up on a document other instances keep changing. */
const MAX_CAS_ATTEMPTS = 25;

interface Versioned<T> {
  body: T;
  seqNo: number;
  primaryTerm: number;
}

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

  async function getVersioned<T>(id: string): Promise<Versioned<T> | null> {
    try {
      const res = await withRetry('read document', () => ctx.client.get<{ body?: T }>({ index, id }), ctx.retry, ctx.log);
      const body = res._source?.body;
      if (!res.found || body === undefined || res._seq_no === undefined || res._primary_term === undefined) return null;
      return { body, seqNo: res._seq_no, primaryTerm: res._primary_term };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * Writes (or, with `document` null, deletes) `id` only if it is still at the version read, or still absent
   * (`op_type=create`); false when another instance changed it in between.
   */
  async function writeIfUnchanged(id: string, document: Source | null, version: Versioned<unknown> | null): Promise<boolean> {
    try {
      if (document === null) {
        if (version === null) return true;
        await withRetry('delete document', () => ctx.client.delete({ index, id, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm, refresh: true }), ctx.retry, ctx.log);
      } else if (version === null) {
        await withRetry('create document', () => ctx.client.create({ index, id, document, refresh: true }), ctx.retry, ctx.log);
      } else {
        await withRetry('write document', () => ctx.client.index({ index, id, document, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm, refresh: true }), ctx.retry, ctx.log);
      }
      return true;
    } catch (err) {
      if (isConflict(err) || (document === null && isNotFound(err))) return false;
      throw err;
    }
  }

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
    async replacePasswordHash(username, expected, next, at) {
      const id = `user:${username}`;
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = await getVersioned<UserRecord>(id);
        // A retried write whose first answer was lost finds its own hash in place.
        if (!current || current.body.password_hash !== expected) return current?.body.password_hash === next;
        const user: UserRecord = { ...current.body, password_hash: next, updated_at: at };
        if (await writeIfUnchanged(id, { type: 'user', username, body: user }, current)) return true;
      }
      return false;
    },
    async updateThrottle(key, update) {
      const id = `throttle:${key}`;
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = await getVersioned<ThrottleState>(id);
        const out = update(current?.body ?? null);
        if (out.next === undefined) return out.result;
        const document = out.next === null ? null : { type: 'throttle', key, at: iso(out.next.last_at), body: out.next };
        if (await writeIfUnchanged(id, document, current)) return out.result;
      }
      throw new Error(`sign-in throttle counter ${key} kept changing under ${MAX_CAS_ATTEMPTS} attempts to update it`);
    },
    async pruneThrottle(before) {
      const filter = [{ term: { type: 'throttle' } }, { range: { at: { lt: iso(before) } } }];
      await withRetry('prune sign-in throttle', () => ctx.client.deleteByQuery({ index, query: { bool: { filter } }, conflicts: 'proceed', refresh: true }), ctx.retry, ctx.log);
    },
  };
}
