import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compile } from '@execwatch/eql';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { SEED_RULE_QUERY } from '../contract/fixtures';
import type { Doc } from '../ports';
import { openDatabase, type Db } from './db';
import { createDocPrep, preparedDoc, STORED_NAMES, STORED_WIDTH } from './doc-prep';
import { likePattern, prefilterToSql } from './prefilter-sql';
import { projectionSql } from './projection';

let dir: string;
let db: Db;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-prefilter-'));
  db = openDatabase(dir, silentLogger);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const QUERIES = [
  SEED_RULE_QUERY,
  'process where process.name : "BASH*"',
  'process where event.type in ("start", "exec") and user.id == "0"',
  'process where process.args : "*ls*" or process.interactive == false',
  'any where not process.interactive == true',
  'process where process.entry_leader.entry_meta.type : "CONTAINER" and container.id != null',
];

/** Values that exercise SQL's blind spots: arrays, case, numbers as strings, booleans as text, objects in arrays. */
const scalar = fc.oneof(
  fc.constantFrom('start', 'exec', 'end', 'bash', 'BASH', 'Bash-5', 'sh', 'ls -la', 'container', 'Container', 'init', '0', '1', 'true', 'false', 'é', 'É'),
  fc.boolean(),
  fc.integer({ min: -1, max: 2 }),
  fc.constant(null),
);
const value = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const leader = fc.record({
  same_as_process: maybe(value),
  entry_meta: maybe(fc.oneof(fc.record({ type: maybe(value) }), fc.array(fc.record({ type: maybe(value) }), { maxLength: 2 }))),
});
const processObj = fc.record({ name: maybe(value), args: maybe(value), interactive: maybe(value), entry_leader: maybe(fc.oneof(leader, fc.array(leader, { maxLength: 2 }))) });
const doc = fc.record({
  // event is usually an object with a category (EQL's `process where`), sometimes an array of objects.
  event: maybe(fc.oneof(fc.record({ category: fc.constantFrom<unknown>('process', ['process'], ['file', 'process'], 'file', 'Process', null), type: maybe(value) }), fc.array(fc.record({ type: maybe(value) }), { maxLength: 2 }))),
  process: maybe(fc.oneof(processObj, fc.array(processObj, { maxLength: 2 }))),
  container: maybe(fc.oneof(fc.record({ id: maybe(value) }), fc.array(fc.record({ id: maybe(value) }), { maxLength: 2 }))),
  user: maybe(fc.record({ id: maybe(value) })),
});

/** Near-matches: a document the seed rule matches, with each field kept (mostly) or replaced. */
const keep = <T>(original: T) => fc.oneof({ weight: 3, arbitrary: fc.constant<unknown>(original) }, { weight: 1, arbitrary: value });
const nearMatch = fc
  .record({
    category: keep(['process']),
    type: keep(['start']),
    containerId: keep('c1'),
    name: keep('bash'),
    args: keep(['ls', '-la']),
    interactive: keep(true),
    same: keep(true),
    metaType: keep('container'),
    userId: keep('0'),
    wrap: fc.constantFrom('none', 'none', 'none', 'process', 'leader', 'meta'),
  })
  .map((r) => {
    const meta = { type: r.metaType };
    const leader = { same_as_process: r.same, entry_meta: r.wrap === 'meta' ? [meta] : meta };
    const proc = { name: r.name, args: r.args, interactive: r.interactive, entry_leader: r.wrap === 'leader' ? [leader] : leader };
    return {
      event: { category: r.category, type: r.type },
      container: { id: r.containerId },
      process: r.wrap === 'process' ? [proc] : proc,
      user: { id: r.userId },
    };
  });

/** Inserts a document the way the event store does: prepared, with its stored columns. Returns its seq. */
function insertDoc(id: string, json: string): number {
  const p = createDocPrep(db)([json], '1970-01-01T00:00:00.000Z');
  if (p.errors[0]) throw new Error(JSON.stringify(p.errors[0]));
  const cols = p.columns.slice(0, STORED_WIDTH);
  const stmt = db.prepare(`INSERT INTO events (idx, id, explicit_id, ingested, ts, doc, ${STORED_NAMES.join(', ')}) VALUES (?, ?, 0, 0, 0, ?, ${STORED_NAMES.map(() => '?').join(', ')})`);
  return Number(stmt.run('i', id, preparedDoc(p, 0), ...cols).lastInsertRowid);
}

/** JSON round trip: drops undefined keys the way stored documents never have them. */
const clean = (d: unknown): Doc => JSON.parse(JSON.stringify(d)) as Doc;

describe('prefilterToSql', () => {
  it.each(QUERIES)('is a superset of the exact matcher: %s', (query) => {
    const compiled = compile(query);
    const where = prefilterToSql(compiled.prefilter);
    const select = db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM events WHERE seq = ? AND (${where.sql})`);
    let matched = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(doc, nearMatch), { minLength: 1, maxLength: 20 }), (raw) => {
        db.exec('DELETE FROM events');
        for (const d of raw.map(clean)) {
          const seq = insertDoc('x', JSON.stringify(d));
          if (!compiled.matches(d)) continue;
          matched++;
          expect(select.get(seq, ...where.params)?.n, JSON.stringify(d)).toBe(1);
        }
      }),
      { numRuns: 150 },
    );
    // The generator must reach matching documents, or the property says nothing.
    expect(matched).toBeGreaterThan(0);
  });

  it.each(QUERIES)('the projected fields decide like the whole document: %s', (query) => {
    const compiled = compile(query);
    const proj = projectionSql(compiled.fields);
    const select = db.prepare<unknown[], { p: string }>(`SELECT ${proj.sql} AS p FROM events WHERE seq = ?`);
    fc.assert(
      fc.property(fc.array(fc.oneof(doc, nearMatch), { minLength: 1, maxLength: 10 }), (raw) => {
        db.exec('DELETE FROM events');
        for (const d of raw.map(clean)) {
          const seq = insertDoc('x', JSON.stringify(d));
          const projected = JSON.parse(select.get(...proj.params, seq)?.p ?? 'null') as Doc;
          expect(compiled.matches(projected), JSON.stringify(d)).toBe(compiled.matches(d));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('filters: rows that cannot match are left out by SQL', () => {
    const compiled = compile(SEED_RULE_QUERY);
    const where = prefilterToSql(compiled.prefilter);
    db.exec('DELETE FROM events');
    insertDoc('a', JSON.stringify({ event: { category: ['process'], type: ['start'] }, container: { id: 'c' }, process: { interactive: false, entry_leader: { same_as_process: true, entry_meta: { type: 'container' } } } }));
    insertDoc('b', JSON.stringify({ event: { category: ['process'], type: ['start'] }, container: { id: 'c' }, process: { interactive: true, entry_leader: { same_as_process: true, entry_meta: { type: 'container' } } } }));
    const ids = db.prepare<unknown[], { id: string }>(`SELECT id FROM events WHERE ${where.sql}`).all(...where.params).map((r) => r.id);
    expect(ids).toEqual(['b']);
  });

  it('uses the window index without reading documents for the hot fields', () => {
    const where = prefilterToSql(compile(SEED_RULE_QUERY).prefilter);
    const plan = db
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN SELECT seq FROM events WHERE coalesce(ingested, ts) >= ? AND coalesce(ingested, ts) < ? AND (${where.sql})`)
      .all(0, 1, ...where.params)
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/events_override_time/);
  });

  it.each([
    ['a*b', 'a%b'],
    ['a?b', 'a_b'],
    ['50%_off\\', '50\\%\\_off\\\\'],
  ])('likePattern(%j) = %j', (input, expected) => {
    expect(likePattern(input)).toBe(expected);
  });
});
