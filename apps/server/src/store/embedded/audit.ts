import type { AuditEvent } from '@execwatch/api';
import type { AuditLog, SettingsStore } from '../ports';
import type { Db } from './db';

/** The append-only audit log (a trigger refuses UPDATE and DELETE on the table). */
export function createAuditLog(db: Db): AuditLog {
  const append = db.prepare('INSERT INTO audit_log (id, ts, user, action, doc) VALUES (?, ?, ?, ?, ?)');
  return {
    async append(e) {
      const ts = Date.parse(e['@timestamp']);
      if (Number.isNaN(ts)) throw new TypeError(`audit event @timestamp is not a date: ${e['@timestamp']}`);
      append.run(e.id, ts, e.user, e.action, JSON.stringify(e));
    },
    async search(opts) {
      const conds: string[] = [];
      const params: (string | number)[] = [];
      if (opts.from !== undefined) {
        conds.push('ts >= ?');
        params.push(opts.from);
      }
      if (opts.to !== undefined) {
        conds.push('ts <= ?');
        params.push(opts.to);
      }
      if (opts.user !== undefined) {
        conds.push('user = ?');
        params.push(opts.user);
      }
      if (opts.action !== undefined) {
        conds.push('action = ?');
        params.push(opts.action);
      }
      const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
      const total = db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM audit_log ${where}`).get(...params)?.n ?? 0;
      const rows = db
        .prepare<unknown[], { doc: string }>(`SELECT doc FROM audit_log ${where} ORDER BY ts DESC, seq DESC LIMIT ? OFFSET ?`)
        .all(...params, opts.size, Math.max(opts.page - 1, 0) * opts.size);
      return { total, events: rows.map((r) => JSON.parse(r.doc) as AuditEvent) }; // rows hold what append wrote
    },
  };
}

/** Small JSON settings by key. */
export function createSettingsStore(db: Db): SettingsStore {
  return {
    async get<T>(key: string) {
      const row = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key);
      return row ? (JSON.parse(row.value) as T) : null; // the caller names the type it stored
    },
    async set<T>(key: string, value: T) {
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
    },
  };
}
