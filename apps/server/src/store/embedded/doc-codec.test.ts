import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEvents } from '@execwatch/simulator';
import { silentLogger } from '../../log';
import { SEED_RULE_QUERY, T0, createOps, execEvent } from '../contract/fixtures';
import type { Doc, Store } from '../ports';
import { DOC_SQL, DocCompressor, DocDecoder, buildDictionary, registerDocFunctions } from './doc-codec';
import { createDocPrep, STORED_NAMES } from './doc-prep';
import { STORED_COLUMNS, NESTED_ARRAYS_COLUMN, nestedArraysSql } from './hot-fields';
import { migrations } from './migrations';
import { DB_FILE, createEmbeddedStore } from './index';
import type { EmbeddedEventStore } from './events';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-codec-'));
  dirs.push(d);
  return d;
}

function open(dataDir: string, dictionaryAfter?: number): Store {
  const s = createEmbeddedStore({ dataDir, log: silentLogger, ...(dictionaryAfter === undefined ? {} : { dictionaryAfter }) });
  stores.push(s);
  return s;
}

/** A read-only connection to the store file that reads documents as the store does. */
function reader(dataDir: string): Database.Database {
  const db = new Database(path.join(dataDir, DB_FILE), { readonly: true });
  registerDocFunctions(db);
  return db;
}

const simulated = (n: number, seed: number): Doc[] => generateEvents(n, { seed, start: T0, end: T0 + 60_000 }) as Doc[];

/** Odd documents: non-ASCII text, a huge one, deep nesting, arrays of objects, empty containers. */
const odd: Doc[] = [
  { '@timestamp': new Date(T0).toISOString(), message: 'ünïcødé ✓ 日本語 🚀 \u0000 "quoted" \\ back', process: { name: 'ßash', args: ['ä', '😀'] } },
  { '@timestamp': new Date(T0).toISOString(), big: 'x'.repeat(300_000), list: Array.from({ length: 2000 }, (_, i) => ({ i, s: `v${i}` })) },
  { '@timestamp': new Date(T0).toISOString(), a: { b: { c: { d: { e: { f: { g: [1, [2, [3, { h: null }]]] } } } } } } },
  { '@timestamp': new Date(T0).toISOString(), process: [{ interactive: true }, { interactive: false }], event: { type: [] }, empty: {} },
  { '@timestamp': T0, n: 1.5e300, neg: -0.000001, t: true, f: false, z: null },
];

describe('stored document compression', () => {
  it('round-trips any JSONB document through a dictionary built from events', () => {
    const db = new Database(':memory:');
    const toJsonb = db.prepare<[string], Buffer>('SELECT jsonb(?)').pluck();
    const samples = simulated(200, 3).map((e) => toJsonb.get(JSON.stringify(e)) as Buffer);
    const dict = buildDictionary(samples);
    expect(dict.length).toBeGreaterThan(64 * 1024);
    const compressor = new DocCompressor(7, dict);
    const decoder = new DocDecoder();
    decoder.add(7, dict);
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue()), (obj) => {
        const jsonb = toJsonb.get(JSON.stringify(obj)) as Buffer;
        const frame = Buffer.from(compressor.compress(jsonb));
        expect(decoder.decode(frame, 7).equals(jsonb)).toBe(true);
      }),
      { numRuns: 300 },
    );
    for (const doc of [...odd, ...simulated(20, 9)]) {
      const jsonb = toJsonb.get(JSON.stringify(doc)) as Buffer;
      expect(decoder.decode(Buffer.from(compressor.compress(jsonb)), 7).equals(jsonb)).toBe(true);
    }
    // events compress to a small share of their JSONB against a dictionary of their own kind
    const jsonb = toJsonb.get(JSON.stringify(simulated(1, 77)[0])) as Buffer;
    expect(compressor.compress(jsonb).length).toBeLessThan(jsonb.length * 0.3);
    db.close();
  });

  it('stores documents compressed once the dictionary exists, and reads odd ones back exactly', async () => {
    const dir = tempDir();
    const store = open(dir, 100);
    const events = simulated(150, 1);
    expect((await store.events.bulk(createOps(events), T0)).every((r) => r.status === 201)).toBe(true);
    const oddIds = odd.map((_, i) => `odd-${i}`);
    expect((await store.events.bulk(createOps(odd, undefined, oddIds), T0)).every((r) => r.status === 201)).toBe(true);
    const db = reader(dir);
    try {
      expect(db.prepare<[], number>('SELECT count(*) FROM doc_dictionaries').pluck().get()).toBe(1);
      const rows = db.prepare<[string], { fmt: number; doc: string }>(`SELECT fmt, json(${DOC_SQL}) AS doc FROM events WHERE id = ?`);
      odd.forEach((doc, i) => {
        const row = rows.get(`odd-${i}`);
        const stored = JSON.parse(row?.doc ?? 'null') as Doc & { event?: { ingested?: string } };
        const ingested = stored.event?.ingested;
        expect(typeof ingested).toBe('string');
        // what was sent, with event.ingested set (as the ingest pipeline does)
        const expected = JSON.parse(JSON.stringify(doc)) as Doc;
        const event = (typeof expected.event === 'object' && expected.event !== null && !Array.isArray(expected.event) ? expected.event : {}) as Record<string, unknown>;
        expected.event = { ...event, ingested };
        expect(stored).toEqual(expected);
      });
      expect(rows.get('odd-1')?.fmt).toBeGreaterThan(0); // the huge one is compressed
      // the first rows were stored plain; the background upkeep re-stores them compressed
      expect(db.prepare<[], number>('SELECT count(*) FROM events WHERE fmt = 0').pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    const before = await store.events.searchRule({ query: SEED_RULE_QUERY, index: ['logs-cloud_defend*'], window: { from: 0, to: Date.now() + 60_000 }, timestampOverride: 'event.ingested', exceptions: [], size: 1000 });
    while ((store.events as EmbeddedEventStore).recompress(50) > 0);
    const after = await store.events.searchRule({ query: SEED_RULE_QUERY, index: ['logs-cloud_defend*'], window: { from: 0, to: Date.now() + 60_000 }, timestampOverride: 'event.ingested', exceptions: [], size: 1000 });
    expect(after.total).toBe(before.total);
    expect(after.events).toEqual(before.events);
    const check = reader(dir);
    try {
      expect(check.prepare<[], number>(`SELECT count(*) FROM events WHERE fmt = 0 AND idx NOT GLOB 'logs-kubernetes.audit_logs-*'`).pluck().get()).toBeLessThanOrEqual(1); // only a tiny one may stay plain
    } finally {
      check.close();
    }
  });

  it('keeps the stored hot columns equal to what the document holds, read as the rule reads it', async () => {
    const dir = tempDir();
    const store = open(dir, 50);
    const docs = [...simulated(120, 4), ...odd, execEvent({ id: 'a', eventType: 'start', entryLeader: 'L1', leaderStart: '2025-06-01T11:00:00.000Z' }), execEvent({ id: 'b', containerId: null })];
    await store.events.bulk(createOps(docs), T0);
    await store.events.bulk(createOps(docs), T0);
    const db = reader(dir);
    try {
      expect(db.prepare<[], number>('SELECT count(*) FROM events WHERE fmt > 0').pluck().get()).toBeGreaterThan(100);
      const recomputed = [...STORED_COLUMNS.map((c) => `(${c.sql(DOC_SQL)}) IS ${c.name}`), `(${nestedArraysSql(DOC_SQL, (n) => n)}) IS ${NESTED_ARRAYS_COLUMN}`];
      expect(STORED_NAMES.length).toBe(recomputed.length);
      const mismatches = db.prepare<[], number>(`SELECT count(*) FROM events WHERE NOT (${recomputed.join(' AND ')})`).pluck().get();
      expect(mismatches).toBe(0);
    } finally {
      db.close();
    }
  });

  it('reads rows stored before compression (a store migrated from version 11) beside compressed ones', async () => {
    const dir = tempDir();
    // a store file as the code before migration 12 left it, with one event written the way it wrote them
    const old = new Database(path.join(dir, DB_FILE));
    old.pragma('page_size = 65536');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of migrations.filter((x) => x.version < 12)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, 0);
    }
    const legacy = [execEvent({ id: 'old-1', entryLeader: 'S1', timestamp: T0 }), execEvent({ id: 'old-2', entryLeader: 'S1', timestamp: T0 + 1 })];
    const prepared = createDocPrep(old)(legacy.map((d) => JSON.stringify(d)), new Date(T0).toISOString());
    const insert = old.prepare(`INSERT INTO events (idx, id, explicit_id, ingested, ts, doc, ${STORED_NAMES.join(', ')}) VALUES (?, ?, 0, ?, ?, ?, ${STORED_NAMES.map(() => '?').join(', ')})`);
    legacy.forEach((_, i) => {
      const start = prepared.docStarts[i] as number;
      const doc = Buffer.from(prepared.docs.subarray(start, prepared.docStarts[i + 1]));
      insert.run('logs-cloud_defend.process-default', `old-${i + 1}`, T0, prepared.ts[i], doc, ...prepared.columns.slice(i * STORED_NAMES.length, (i + 1) * STORED_NAMES.length));
    });
    old.exec("INSERT INTO event_indices (name) VALUES ('logs-cloud_defend.process-default')");
    old.close();

    const store = open(dir, 60);
    // new events of the same session, enough for a dictionary and then compressed ones
    await store.events.bulk(createOps(Array.from({ length: 80 }, (_, i) => execEvent({ id: `new-${i}`, entryLeader: 'S1', timestamp: T0 + 10 + i }))), T0);
    await store.events.bulk(createOps(Array.from({ length: 20 }, (_, i) => execEvent({ id: `late-${i}`, entryLeader: 'S1', timestamp: T0 + 100 + i }))), T0);
    const db = reader(dir);
    try {
      expect(db.prepare<[], number>("SELECT fmt FROM events WHERE id = 'old-1'").pluck().get()).toBe(0);
      expect(db.prepare<[], number>(`SELECT count(*) FROM events WHERE ${DOC_SQL} ->> '$.event.id' LIKE 'late-%' AND fmt > 0`).pluck().get()).toBe(20);
    } finally {
      db.close();
    }
    const session = await store.events.sessionEvents('S1', 1000);
    expect(session.events).toHaveLength(102);
    expect(session.events[0]?._source).toMatchObject({ event: { id: 'old-1' }, process: { entry_leader: { entity_id: 'S1' } } });
    const facts = await store.events.sessionProcesses('S1', 1000);
    expect(facts.processes.map((p) => p.entity_id)).toContain('proc-old-2');
    expect(facts.processes.map((p) => p.entity_id)).toContain('proc-late-3');
    const related = await store.events.relatedEvents('event.id', 'old-2', { from: T0 - 1, to: T0 + 1000 }, 10);
    expect(related.total).toBe(1);
    const relatedNew = await store.events.relatedEvents('event.id', 'late-5', { from: T0 - 1, to: T0 + 1000 }, 10);
    expect(relatedNew.events[0]?._source).toMatchObject({ process: { entity_id: 'proc-late-5' } });
    const rule = await store.events.searchRule({ query: SEED_RULE_QUERY, index: ['logs-cloud_defend*'], window: { from: T0 - 1, to: T0 + 1000 }, timestampOverride: null, exceptions: [], size: 1000 });
    expect(rule.total).toBe(102);
  });

  it('stores a large request in parts, in order, with explicit ids checked across parts', async () => {
    const dir = tempDir();
    const store = open(dir, 500);
    const n = 2600;
    const docs = Array.from({ length: n }, (_, i) => execEvent({ id: `p${i}`, timestamp: T0 + i }));
    const ids = docs.map((_, i) => (i === 2500 ? 'dup' : i === 10 ? 'dup' : undefined));
    const results = await store.events.bulk(createOps(docs, undefined, ids), T0);
    expect(results).toHaveLength(n);
    expect(results[10]?.status).toBe(201);
    expect(results[2500]?.status).toBe(409); // created in the first part, refused in the third
    expect(results.filter((r) => r.status === 201)).toHaveLength(n - 1);
    expect(await store.events.count()).toBe(n - 1);
    const db = reader(dir);
    try {
      // each result names the row stored for its own operation
      const byId = db.prepare<[string], string>(`SELECT ${DOC_SQL} ->> '$.event.id' FROM events WHERE id = ?`).pluck();
      for (const k of [0, 1023, 1024, 2047, 2048, 2599]) expect(byId.get(results[k]?._id ?? '')).toBe(`p${k}`);
    } finally {
      db.close();
    }
    // with the dictionary in place, the preparation thread compresses the parts of the next request
    const again = await store.events.bulk(createOps(docs.map((d) => ({ ...d, again: true }))), T0);
    const check = reader(dir);
    try {
      const row = check.prepare<[string], { fmt: number; id: string | null; again: number | null }>(
        `SELECT fmt, ${DOC_SQL} ->> '$.event.id' AS id, ${DOC_SQL} ->> '$.again' AS again FROM events WHERE id = ?`,
      );
      for (const k of [0, 1500, 2599]) expect(row.get(again[k]?._id ?? '')).toEqual({ fmt: 1, id: `p${k}`, again: 1 });
    } finally {
      check.close();
    }
  });
});
