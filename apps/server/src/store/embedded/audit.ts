import type { AuditEvent } from '@execwatch/api';
import { AUDIT_CHAIN_GENESIS, chainHash, storedForm } from '../../auth/audit-chain';
import type { AuditChainHead, AuditChainRecord, AuditLog, SettingsStore } from '../ports';
import type { Db } from './db';

interface ChainRow {
  seq: number;
  id: string;
  ts: number;
  user: string | null;
  action: string;
  doc: string;
  prev_hash: string | null;
  hash: string | null;
}

const BACKFILL_BATCH = 1000;

function parseDoc(doc: string): unknown {
  try {
    return JSON.parse(doc);
  } catch {
    return doc;
  }
}

/**
 * Reads the chain of an audit table (also from a read-only connection, for `npm run audit:verify`). Throws when
 * the file predates the chain (no `hash` column).
 */
export function createAuditChainReader(db: Db): Pick<AuditLog, 'readChain' | 'chainHead' | 'count'> {
  const range = db.prepare<[number, number], ChainRow>('SELECT seq, id, ts, user, action, doc, prev_hash, hash FROM audit_log WHERE seq >= ? AND seq < ? ORDER BY seq');
  const head = db.prepare<[], AuditChainHead>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_log');
  return {
    async readChain({ from, to }) {
      return range.all(from, to).map(
        (r): AuditChainRecord => ({
          seq: r.seq,
          event: parseDoc(r.doc),
          prev_hash: r.prev_hash,
          hash: r.hash,
          indexed: { id: r.id, '@timestamp': r.ts, user: r.user, action: r.action },
        }),
      );
    },
    async chainHead() {
      return head.get() ?? null;
    },
    async count() {
      return count.get()?.n ?? 0;
    },
  };
}

/**
 * The append-only audit log: triggers refuse UPDATE and DELETE (except filling in the hash of a record written
 * before the chain existed, once), and every record is chained to the one before it (see auth/audit-chain.ts).
 * The chain's head is kept in `audit_chain_head`, written in the same transaction as the record.
 */
export function createAuditLog(db: Db): AuditLog {
  const insert = db.prepare('INSERT INTO audit_log (seq, id, ts, user, action, doc, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const readHead = db.prepare<[], AuditChainHead>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
  const maxSeq = db.prepare<[], { n: number | null }>('SELECT max(seq) AS n FROM audit_log');
  const writeHead = db.prepare('INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash');

  // Records written before the chain existed get their hashes at first start, in order, in one transaction.
  db.transaction(() => {
    const unchained = db.prepare<[number, number], ChainRow>('SELECT seq, id, ts, user, action, doc, prev_hash, hash FROM audit_log WHERE hash IS NULL AND seq > ? ORDER BY seq LIMIT ?');
    const setHash = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?');
    let batch = unchained.all(0, BACKFILL_BATCH);
    if (batch.length === 0) return;
    const first = batch[0]?.seq ?? 0;
    let prev = db.prepare<[number], { hash: string }>('SELECT hash FROM audit_log WHERE seq < ? AND hash IS NOT NULL ORDER BY seq DESC LIMIT 1').get(first)?.hash ?? AUDIT_CHAIN_GENESIS;
    let last = 0;
    while (batch.length > 0) {
      for (const row of batch) {
        const hash = chainHash(prev, row.seq, parseDoc(row.doc));
        setHash.run(prev, hash, row.seq);
        prev = hash;
        last = row.seq;
      }
      batch = unchained.all(last, BACKFILL_BATCH);
    }
    writeHead.run(last, prev);
  })();

  const append = db.transaction((e: AuditEvent, ts: number) => {
    const stored = storedForm(e);
    const head = readHead.get() ?? { seq: 0, hash: AUDIT_CHAIN_GENESIS };
    // Normally head.seq is the last record; a row added behind the store's back must not make appends fail
    // (verification reports it).
    const seq = Math.max(head.seq, maxSeq.get()?.n ?? 0) + 1;
    const hash = chainHash(head.hash, seq, stored);
    insert.run(seq, e.id, ts, e.user, e.action, JSON.stringify(stored), head.hash, hash);
    writeHead.run(seq, hash);
  });

  const reader = createAuditChainReader(db);
  return {
    async append(e) {
      const ts = Date.parse(e['@timestamp']);
      if (Number.isNaN(ts)) throw new TypeError(`audit event @timestamp is not a date: ${e['@timestamp']}`);
      append(e, ts);
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
    readChain: reader.readChain,
    chainHead: reader.chainHead,
    count: reader.count,
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
