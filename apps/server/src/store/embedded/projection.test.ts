import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFieldReader } from '@execwatch/exceptions';
import { leanProjectionSql, leanValuesSql, projectionSql } from './projection';

const db = new Database(':memory:');
db.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, doc BLOB NOT NULL)');
afterAll(() => db.close());

// `x` is both a field and the parent of one: it is projected whole, so `x.y` is not read on its own.
const FIELDS = ['a.b', 'a.c.d', 'e', 'f.g.h', 'x', 'x.y'];
const READ_ALONE = FIELDS.filter((f) => f !== 'x.y');
const readers = FIELDS.map((f) => ({ field: f, read: compileFieldReader(f) }));

/** Documents where any object on a field's path may be missing, a scalar, an object or an array of objects. */
const leaf = fc.oneof(fc.constantFrom('v', 'w', ''), fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.constant(null), fc.array(fc.constantFrom('v', 1), { maxLength: 2 }));
const node = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), fc.array(tie('object'), { maxLength: 2 })),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'x', 'y'), tie('value'), { maxKeys: 4 }),
})).object;

/** The value at a dotted path through plain objects, or undefined. */
function plainValue(d: unknown, field: string): unknown {
  let n = d;
  for (const part of field.split('.')) {
    if (typeof n !== 'object' || n === null || Array.isArray(n)) return undefined;
    n = (n as Record<string, unknown>)[part]; // checked: a non-array object
  }
  return n;
}

/** True when an array stands on the path of one of `fields` (a plain JSON path cannot get through it). */
function arrayOnPath(d: unknown, fields: string[]): boolean {
  return fields.some((field) => {
    const parts = field.split('.');
    for (let i = 1; i < parts.length; i++) {
      const parent = plainValue(d, parts.slice(0, i).join('.'));
      if (Array.isArray(parent)) return true;
      if (typeof parent !== 'object' || parent === null) return false;
    }
    return false;
  });
}

function insert(doc: unknown): number {
  db.exec('DELETE FROM events');
  return Number(db.prepare('INSERT INTO events (doc) VALUES (jsonb(?))').run(JSON.stringify(doc)).lastInsertRowid);
}

function select(sql: string, params: (string | number)[], seq: number): string {
  const row = db.prepare<unknown[], { p: string }>(`SELECT ${sql} AS p FROM events WHERE seq = ?`).get(...params, seq);
  if (!row) throw new Error('row not found');
  return row.p;
}

describe('leanProjectionSql', () => {
  it('marks the rows where an array hides a value, and reads every field of the others as the document holds it', () => {
    const lean = leanProjectionSql(FIELDS);
    const plain = projectionSql(FIELDS);
    let marked = 0;
    fc.assert(
      fc.property(node, (doc) => {
        const seq = insert(doc);
        const text = select(lean.sql, lean.params, seq);
        const hidden = arrayOnPath(doc, READ_ALONE);
        expect(lean.hidesValues(text), JSON.stringify(doc)).toBe(hidden);
        if (hidden) {
          marked++;
          return;
        }
        const projected: unknown = JSON.parse(text);
        for (const { field, read } of readers) expect(read(projected), `${field} of ${JSON.stringify(doc)}`).toEqual(read(doc));
        if (!arrayOnPath(doc, FIELDS)) expect(projected).toEqual(JSON.parse(select(plain.sql, plain.params, seq)));
      }),
      { numRuns: 400 },
    );
    // The generator must reach documents with arrays on a path, or the property says little.
    expect(marked).toBeGreaterThan(0);
  });

  it('projects nothing to an empty object', () => {
    const lean = leanProjectionSql([]);
    expect(select(lean.sql, lean.params, insert({ a: 1 }))).toBe('{}');
  });
});

describe('leanValuesSql', () => {
  it('gives each field its value in order (null where absent), or marks the row when an array hides one', () => {
    const values = leanValuesSql(FIELDS);
    let read = 0;
    fc.assert(
      fc.property(node, (doc) => {
        const text = select(values.sql, values.params, insert(doc));
        const hidden = arrayOnPath(doc, FIELDS);
        expect(values.hidesValues(text), JSON.stringify(doc)).toBe(hidden);
        if (hidden) return;
        read++;
        expect(JSON.parse(text)).toEqual(FIELDS.map((f) => plainValue(doc, f) ?? null));
      }),
      { numRuns: 400 },
    );
    expect(read).toBeGreaterThan(0);
  });

  it('rejects field names that are not plain dotted names', () => {
    expect(() => leanValuesSql(['a."b']).sql).toThrow(/invalid field name/);
  });
});
