import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { auditEvent, alertDoc, createOps, execEvent, T0 } from '../contract/fixtures';
import type { AlertPatch, Store } from '../ports';
import { openDatabase } from './db';
import { DB_FILE, createEmbeddedStore } from './index';
import { openDescriptors } from './testing/os-files';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-embedded-'));
  store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('embedded store file', () => {
  it('uses WAL, 64 kB pages and records each migration once', async () => {
    await store.close();
    store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
    const db = new Database(path.join(dir, DB_FILE), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('page_size', { simple: true })).toBe(65536);
      const versions = db.prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version);
      expect(versions).toEqual([...new Set(versions)]);
      expect(versions.length).toBeGreaterThanOrEqual(4);
    } finally {
      db.close();
    }
  });

  it.runIf(process.platform === 'linux')('leaves no descriptor of its file open once closed (drop-behind keeps one of its own)', async () => {
    const file = path.join(dir, DB_FILE);
    await store.events.bulk(createOps(Array.from({ length: 50 }, (_, i) => execEvent({ id: `e${i}` }))), T0); // starts the checkpoint thread
    await new Promise((r) => setTimeout(r, 1500)); // an idle second checkpoints
    expect(openDescriptors(file)).toBeGreaterThanOrEqual(2); // SQLite's and drop-behind's
    await store.close();
    expect(openDescriptors(file)).toBe(0);
  });

  it('keeps the page size of a store created with smaller pages, and sizes the automatic checkpoint in bytes', async () => {
    const older = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-pages-'));
    try {
      const created = new Database(path.join(older, DB_FILE));
      created.pragma('page_size = 16384');
      created.pragma('journal_mode = WAL');
      created.exec('CREATE TABLE kept (x)');
      created.close();
      const db = openDatabase(older, silentLogger);
      try {
        expect(db.pragma('page_size', { simple: true })).toBe(16384);
        expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(32768); // 512 MB of 16 kB pages
      } finally {
        db.close();
      }
      const fresh = openDatabase(path.join(older, 'fresh'), silentLogger);
      try {
        expect(fresh.pragma('page_size', { simple: true })).toBe(65536);
        expect(fresh.pragma('wal_autocheckpoint', { simple: true })).toBe(8192); // 512 MB of 64 kB pages
      } finally {
        fresh.close();
      }
    } finally {
      fs.rmSync(older, { recursive: true, force: true });
    }
  });

  it('keeps data across close and reopen', async () => {
    await store.events.bulk(createOps([execEvent({ id: 'a' }), execEvent({ id: 'b' })]), T0);
    await store.alerts.createMany([alertDoc('x')]);
    await store.close();
    store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
    expect(await store.events.count()).toBe(2);
    expect((await store.alerts.get('x'))?.id).toBe('x');
  });

  it('the audit table refuses UPDATE and DELETE', async () => {
    await store.audit.append(auditEvent('a1', T0, 'alice', 'login'));
    const db = new Database(path.join(dir, DB_FILE));
    try {
      expect(() => db.prepare("UPDATE audit_log SET action = 'x'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
    expect((await store.audit.search({ page: 1, size: 10 })).total).toBe(1);
  });

  it('user text never becomes SQL: hostile filter values, field names and queries', async () => {
    await store.alerts.createMany([alertDoc('a1'), alertDoc('a2', { namespace: "x'); DROP TABLE alerts; --" })]);
    const search = (filter: Parameters<Store['alerts']['search']>[0]['filter']) =>
      store.alerts.search({ filter, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 10 });
    expect((await search({ namespace: ["x'); DROP TABLE alerts; --"] })).alerts.map((a) => a.id)).toEqual(['a2']);
    expect((await search({ query: '"\'; DELETE FROM alerts; --"' })).total).toBe(0);
    await expect(search({ fields: { "a') OR 1=1 --": 'x' } })).rejects.toThrow(/invalid field/);
    await expect(search({ query: 'bad"field:x' })).rejects.toThrow();
    await expect(store.events.relatedEvents('x") OR 1=1 --', 'v', { from: 0, to: T0 }, 5)).rejects.toThrow(/invalid field/);
    expect((await search({})).total).toBe(2);
  });

  it('explicit ids are unique per index; generated ids are distinct', async () => {
    const res = await store.events.bulk(createOps(Array.from({ length: 50 }, (_, i) => execEvent({ id: `g${i}` }))), T0);
    expect(new Set(res.map((r) => r._id)).size).toBe(50);
    const other = await store.events.bulk(createOps([execEvent()], 'logs-other.process-default', ['same']), T0);
    const again = await store.events.bulk(createOps([execEvent()], PROCESS, ['same']), T0);
    expect(other[0]?.status).toBe(201);
    expect(again[0]?.status).toBe(201);
  });
});

const PROCESS = 'logs-cloud_defend.process-default';

describe('alert patches', () => {
  it('bulk updates (SQL) and single updates (JS) write the same documents', async () => {
    const tag = fc.constantFrom('a', 'b', 'c', 'd');
    const patchArb = fc.record(
      {
        status: fc.constantFrom('open' as const, 'acknowledged' as const, 'closed' as const),
        reason: fc.constantFrom('false_positive' as const, 'duplicate' as const, null),
        reason_text: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
        assignees: fc.array(tag, { maxLength: 3 }),
        tags: fc.array(tag, { maxLength: 3 }),
        add_tags: fc.array(tag, { maxLength: 3 }),
        remove_tags: fc.array(tag, { maxLength: 2 }),
        add_assignees: fc.array(tag, { maxLength: 2 }),
        remove_assignees: fc.array(tag, { maxLength: 2 }),
      },
      { requiredKeys: [] },
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(tag, { maxLength: 3 }), patchArb, async (initialTags, p) => {
        n++;
        const patch: AlertPatch = { ...p, user: 'alice', at: T0 + n };
        await store.alerts.createMany([alertDoc(`js${n}`, { tags: initialTags }), alertDoc(`sql${n}`, { tags: initialTags })]);
        const viaJs = await store.alerts.update(`js${n}`, patch);
        expect(await store.alerts.updateMany({ ids: [`sql${n}`] }, patch)).toEqual({ updated: 1 });
        const viaSql = await store.alerts.get(`sql${n}`);
        const strip = (d: unknown) => JSON.parse(JSON.stringify(d).replaceAll(`sql${n}`, 'X').replaceAll(`js${n}`, 'X')) as unknown;
        expect(strip(viaSql?.doc)).toEqual(strip(viaJs?.doc));
        const filterFor = (id: string) => store.alerts.search({ filter: { query: `kibana.alert.uuid:${id}`, tag: ['a'] }, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 1 });
        expect((await filterFor(`js${n}`)).total).toBe((await filterFor(`sql${n}`)).total);
      }),
      { numRuns: 60 },
    );
  });
});
