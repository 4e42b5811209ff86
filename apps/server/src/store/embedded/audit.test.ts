import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_CHAIN_GENESIS, chainHash, verifyAuditChain } from '../../auth/audit-chain';
import { silentLogger } from '../../log';
import { auditEvent, T0 } from '../contract/fixtures';
import type { Store } from '../ports';
import { createAuditChainReader } from './audit';
import { DB_FILE, createEmbeddedStore } from './index';
import { migrations } from './migrations';

let dir: string;
let store: Store | null;

const open = () => {
  store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
  return store;
};
const closeStore = async () => {
  await store?.close();
  store = null;
};
/** Runs SQL on the file directly, as someone with access to it would: the append-only triggers dropped first. */
function tamper(sql: string, ...params: unknown[]): void {
  const db = new Database(path.join(dir, DB_FILE));
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS audit_chain_head_no_delete; DROP TRIGGER IF EXISTS audit_chain_head_forward');
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

async function appendFive(s: Store): Promise<void> {
  for (let i = 1; i <= 5; i++) await s.audit.append(auditEvent(`e${i}`, T0 + i, i % 2 ? 'alice' : 'bob', 'alert.update'));
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-audit-'));
});
afterEach(async () => {
  await closeStore();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('embedded audit chain', () => {
  it('chains every record to the one before it, from the genesis value, and keeps the head', async () => {
    const s = open();
    await appendFive(s);
    const records = await s.audit.readChain({ from: 1, to: 100 });
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]?.prev_hash).toBe(AUDIT_CHAIN_GENESIS);
    for (let i = 1; i < records.length; i++) expect(records[i]?.prev_hash).toBe(records[i - 1]?.hash);
    expect(records[2]?.hash).toBe(chainHash(records[1]?.hash ?? '', 3, auditEvent('e3', T0 + 3, 'alice', 'alert.update')));
    expect(await s.audit.chainHead()).toEqual({ seq: 5, hash: records[4]?.hash });
    expect(await verifyAuditChain(s.audit)).toMatchObject({ verified: 5, total: 5, broken: null });
  });

  it('refuses a record without its hashes, even written straight into the table', async () => {
    const s = open();
    await appendFive(s);
    await closeStore();
    const db = new Database(path.join(dir, DB_FILE));
    try {
      expect(() => db.prepare("INSERT INTO audit_log (id, ts, user, action, doc) VALUES ('x', 1, NULL, 'forged', '{}')").run()).toThrow(/chained/);
      expect(() => db.prepare("UPDATE audit_log SET hash = 'x' WHERE seq = 2").run()).toThrow(/append-only/);
      expect(() => db.prepare('UPDATE audit_chain_head SET seq = 1').run()).toThrow(/forward/);
    } finally {
      db.close();
    }
  });

  it('finds a record changed in the file at its position', async () => {
    await appendFive(open());
    await closeStore();
    tamper(`UPDATE audit_log SET doc = json_set(doc, '$.action', 'nothing.to.see') WHERE seq = 3`);
    const verdict = await verifyAuditChain(open().audit);
    expect(verdict.broken).toEqual({ seq: 3, id: 'e3', reason: 'its content was changed (the hash does not match)' });
    expect(verdict.verified).toBe(2);
  });

  it('finds a record whose hash was recomputed after a change: the next link breaks', async () => {
    const s = open();
    await appendFive(s);
    const records = await s.audit.readChain({ from: 1, to: 10 });
    await closeStore();
    const changed = { ...auditEvent('e2', T0 + 2, 'bob', 'alert.update'), user: 'mallory' };
    tamper('UPDATE audit_log SET doc = ?, user = ?, hash = ? WHERE seq = 2', JSON.stringify(changed), 'mallory', chainHash(records[0]?.hash ?? '', 2, changed));
    expect((await verifyAuditChain(open().audit)).broken).toMatchObject({ seq: 3, reason: 'its prev_hash is not the hash of record 2' });
  });

  it('finds a deleted record', async () => {
    await appendFive(open());
    await closeStore();
    tamper('DELETE FROM audit_log WHERE seq = 2');
    expect(await verifyAuditChain(open().audit)).toMatchObject({ verified: 1, total: 4, broken: { seq: 2, id: null, reason: 'record 2 is missing (the next stored record is 3)' } });
  });

  it('finds records cut off the end through the head', async () => {
    await appendFive(open());
    await closeStore();
    tamper('DELETE FROM audit_log WHERE seq >= 4');
    expect((await verifyAuditChain(open().audit)).broken).toEqual({ seq: 4, id: null, reason: 'record 4 is missing (the recorded head is record 5)' });
  });

  it('finds a record cut off the end together with the head against a head kept elsewhere', async () => {
    const s = open();
    await appendFive(s);
    const kept = await s.audit.chainHead();
    const fourth = (await s.audit.readChain({ from: 4, to: 5 }))[0];
    await closeStore();
    tamper('DELETE FROM audit_log WHERE seq = 5');
    tamper('UPDATE audit_chain_head SET seq = 4, hash = ?', fourth?.hash ?? '');
    const reopened = open();
    expect((await verifyAuditChain(reopened.audit)).broken).toBeNull();
    if (!kept) throw new Error('no head');
    expect((await verifyAuditChain(reopened.audit, { anchor: kept })).broken).toEqual({ seq: 5, id: null, reason: 'record 5 is missing (the given --head is record 5)' });
  });

  it('finds a searchable column changed without its record', async () => {
    await appendFive(open());
    await closeStore();
    tamper("UPDATE audit_log SET user = 'carol' WHERE seq = 4");
    expect((await verifyAuditChain(open().audit)).broken).toEqual({ seq: 4, id: 'e4', reason: 'its indexed user differs from the stored event' });
  });

  it('chains records written before the chain existed at the next start, in order, with the same hashes', async () => {
    const s = open();
    await appendFive(s);
    const chained = await s.audit.readChain({ from: 1, to: 10 });
    await closeStore();
    // The file as the previous version left it: no hashes, no head.
    tamper('UPDATE audit_log SET prev_hash = NULL, hash = NULL');
    tamper('DELETE FROM audit_chain_head');
    const reopened = open();
    expect(await reopened.audit.readChain({ from: 1, to: 10 })).toEqual(chained);
    await reopened.audit.append(auditEvent('e6', T0 + 6, 'alice', 'alert.update'));
    expect(await verifyAuditChain(reopened.audit)).toMatchObject({ verified: 6, broken: null, head: { seq: 6 } });
  });

  it('migrates a file written before the chain: its records are chained at first start and appends go on from them', async () => {
    const db = new Database(path.join(dir, DB_FILE));
    try {
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      // The schema as it was before the chain (migration 10).
      for (const m of migrations.filter((x) => x.version < 10)) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, 0);
      }
      const insert = db.prepare('INSERT INTO audit_log (id, ts, user, action, doc) VALUES (?, ?, ?, ?, ?)');
      for (let i = 1; i <= 3; i++) {
        const e = auditEvent(`old${i}`, T0 + i, 'alice', 'user.create');
        insert.run(e.id, T0 + i, e.user, e.action, JSON.stringify(e));
      }
    } finally {
      db.close();
    }
    const s = open();
    await s.audit.append(auditEvent('new1', T0 + 10, 'bob', 'alert.update'));
    expect(await verifyAuditChain(s.audit)).toMatchObject({ verified: 4, total: 4, broken: null, head: { seq: 4 } });
    expect((await s.audit.search({ page: 1, size: 10 })).events.map((e) => e.id)).toEqual(['new1', 'old3', 'old2', 'old1']);
  });

  it('reads the chain through a read-only connection', async () => {
    await appendFive(open());
    await closeStore();
    const db = new Database(path.join(dir, DB_FILE), { readonly: true, fileMustExist: true });
    try {
      expect(await verifyAuditChain(createAuditChainReader(db))).toMatchObject({ verified: 5, broken: null });
    } finally {
      db.close();
    }
  });
});
