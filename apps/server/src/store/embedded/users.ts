import type { ApiKeyRecord, SessionRecord, ThrottleState, UserRecord, UserStore } from '../ports';
import type { Db } from './db';

const parse = <T>(text: string): T => JSON.parse(text) as T; // rows hold what this module wrote

/** Users, API keys, browser sessions, failed sign-in counters and the sign-in throttle. */
export function createUserStore(db: Db): UserStore {
  const recordFailure = db.transaction((key: string, at: number, windowMs: number): number => {
    db.prepare('DELETE FROM auth_failures WHERE key = ? AND at <= ?').run(key, at - windowMs);
    db.prepare('INSERT INTO auth_failures (key, at) VALUES (?, ?)').run(key, at);
    return db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM auth_failures WHERE key = ? AND at > ?').get(key, at - windowMs)?.n ?? 0;
  });
  const readThrottle = db.prepare<[string], ThrottleState>('SELECT count, last_at FROM auth_throttle WHERE key = ?');
  const writeThrottle = db.prepare('INSERT INTO auth_throttle (key, count, last_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET count = excluded.count, last_at = excluded.last_at');
  const deleteThrottle = db.prepare('DELETE FROM auth_throttle WHERE key = ?');
  const readUser = db.prepare<[string], { doc: string }>('SELECT doc FROM users WHERE username = ?');
  const writeUser = db.prepare('UPDATE users SET doc = ? WHERE username = ?');
  // One SQLite transaction on the only connection: nothing else runs between the read and the write.
  const replacePasswordHash = db.transaction((username: string, expected: string, next: string, at: number): boolean => {
    const row = readUser.get(username);
    const user = row ? parse<UserRecord>(row.doc) : null;
    if (!user || user.password_hash !== expected) return false;
    writeUser.run(JSON.stringify({ ...user, password_hash: next, updated_at: at }), username);
    return true;
  });
  return {
    async get(username) {
      const row = db.prepare<[string], { doc: string }>('SELECT doc FROM users WHERE username = ?').get(username);
      return row ? parse<UserRecord>(row.doc) : null;
    },
    async list() {
      return db.prepare<[], { doc: string }>('SELECT doc FROM users ORDER BY username').all().map((r) => parse<UserRecord>(r.doc));
    },
    async count() {
      return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users').get()?.n ?? 0;
    },
    async put(user) {
      db.prepare('INSERT INTO users (username, doc) VALUES (?, ?) ON CONFLICT (username) DO UPDATE SET doc = excluded.doc').run(user.username, JSON.stringify(user));
    },
    async getApiKey(id) {
      const row = db.prepare<[string], { doc: string }>('SELECT doc FROM api_keys WHERE id = ?').get(id);
      return row ? parse<ApiKeyRecord>(row.doc) : null;
    },
    async listApiKeys(username) {
      const rows = username === undefined
        ? db.prepare<[], { doc: string }>('SELECT doc FROM api_keys ORDER BY created_at, id').all()
        : db.prepare<[string], { doc: string }>('SELECT doc FROM api_keys WHERE username = ? ORDER BY created_at, id').all(username);
      return rows.map((r) => parse<ApiKeyRecord>(r.doc));
    },
    async putApiKey(key) {
      db.prepare(
        'INSERT INTO api_keys (id, username, created_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET username = excluded.username, created_at = excluded.created_at, doc = excluded.doc',
      ).run(key.id, key.username, key.created_at, JSON.stringify(key));
    },
    async getSession(idHash) {
      const row = db.prepare<[string], { doc: string }>('SELECT doc FROM sessions WHERE id_hash = ?').get(idHash);
      return row ? parse<SessionRecord>(row.doc) : null;
    },
    async putSession(s) {
      db.transaction(() => {
        // Expired sessions are useless: drop them while writing a new one.
        db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(Math.min(s.created_at, s.last_seen_at) - 86_400_000);
        db.prepare(
          'INSERT INTO sessions (id_hash, username, expires_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id_hash) DO UPDATE SET username = excluded.username, expires_at = excluded.expires_at, doc = excluded.doc',
        ).run(s.id_hash, s.username, s.expires_at, JSON.stringify(s));
      })();
    },
    async deleteSession(idHash) {
      db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
    },
    async recordFailure(key, at, windowMs) {
      return recordFailure(key, at, windowMs);
    },
    async failures(key, since) {
      return db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM auth_failures WHERE key = ? AND at >= ?').get(key, since)?.n ?? 0;
    },
    async clearFailures(key) {
      db.prepare('DELETE FROM auth_failures WHERE key = ?').run(key);
    },
    async replacePasswordHash(username, expected, next, at) {
      return replacePasswordHash(username, expected, next, at);
    },
    async updateThrottle(key, update) {
      return db.transaction(() => {
        const out = update(readThrottle.get(key) ?? null);
        if (out.next === null) deleteThrottle.run(key);
        else if (out.next !== undefined) writeThrottle.run(key, out.next.count, out.next.last_at);
        return out.result;
      })();
    },
    async pruneThrottle(before) {
      db.prepare('DELETE FROM auth_throttle WHERE last_at < ?').run(before);
    },
  };
}
