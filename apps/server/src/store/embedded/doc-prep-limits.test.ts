import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DottedKeyConflict, expandDottedKeys } from '../../ingest/expand-dotted';
import { createDocPrep } from './doc-prep';
import { objectTooDeep } from './jsonb-fields';

const db = new Database(':memory:');
const jsonb = db.prepare<[string], Buffer>('SELECT jsonb(?)').pluck();
const AT = '2026-11-23T12:00:00.000Z';

/** `{"a":{"a":...leaf}}` with `depth` objects in all. */
const nested = (depth: number, key = 'a', leaf = '1') => `${`{"${key}":`.repeat(depth - 1)}{"x":${leaf}}${'}'.repeat(depth - 1)}`;

type Json = null | number | string | Json[] | { [k: string]: Json };

/** The keys to the first object deeper than `limit` (document order), as objectTooDeep should find them. */
function reference(v: Json, limit: number): string[] | null {
  const path: string[] = [];
  const visit = (x: Json, depth: number): boolean => {
    if (Array.isArray(x)) return x.some((e) => visit(e, depth));
    if (x === null || typeof x !== 'object') return false;
    if (depth > limit) return true;
    for (const [k, e] of Object.entries(x)) {
      path.push(k);
      if (visit(e, depth + 1)) return true;
      path.pop();
    }
    return false;
  };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  // the document itself is depth 1: its fields' objects are depth 2
  for (const [k, e] of Object.entries(v)) {
    path.push(k);
    if (visit(e, 2)) return path;
    path.pop();
  }
  return null;
}

const { json } = fc.letrec<{ json: Json; object: { [k: string]: Json } }>((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null), fc.array(tie('json'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.stringMatching(/^[a-c]{1,2}$/), tie('json'), { maxKeys: 3 }),
}));

describe('objectTooDeep (index.mapping.depth.limit)', () => {
  it('takes objects nested to the limit, and names the first one past it', () => {
    expect(objectTooDeep(jsonb.get(nested(20)) as Buffer, 20)).toBeNull();
    expect(objectTooDeep(jsonb.get(nested(21)) as Buffer, 20)).toEqual(Array<string>(20).fill('a'));
    expect(objectTooDeep(jsonb.get('{"a":{"b":1}}') as Buffer, 1)).toEqual(['a']);
    expect(objectTooDeep(jsonb.get('{"a":1}') as Buffer, 1)).toBeNull();
  });

  it('counts no depth for arrays, and none for documents that are no objects', () => {
    expect(objectTooDeep(jsonb.get(`{"a":${'['.repeat(900)}{"b":{}}${']'.repeat(900)}}`) as Buffer, 3)).toBeNull();
    expect(objectTooDeep(jsonb.get(`{"a":[[{"b":[{"c":{}}]}]]}`) as Buffer, 3)).toEqual(['a', 'b', 'c']);
    expect(objectTooDeep(jsonb.get(`[${nested(30)}]`) as Buffer, 3)).toBeNull();
    expect(objectTooDeep(Buffer.alloc(0), 3)).toBeNull();
  });

  it('fuzz: finds what a plain recursive walk finds', () => {
    fc.assert(
      fc.property(fc.tuple(json, fc.integer({ min: 1, max: 5 })), ([doc, limit]) => {
        expect(objectTooDeep(jsonb.get(JSON.stringify(doc)) as Buffer, limit)).toEqual(reference(doc, limit));
      }),
      { numRuns: 1000 },
    );
  });

  it('fuzz: dotted keys count as the objects they expand to, in the expansion as in the stored document', () => {
    const dottedObject = fc.letrec<{ json: Json; object: { [k: string]: Json } }>((tie) => ({
      json: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.array(tie('json'), { maxLength: 2 }), tie('object')),
      object: fc.dictionary(fc.stringMatching(/^[a-c](\.[a-c]){0,3}$/), tie('json'), { maxKeys: 3 }),
    })).object;
    fc.assert(
      fc.property(fc.tuple(dottedObject, fc.integer({ min: 1, max: 6 })), ([doc, limit]) => {
        const line = JSON.stringify(doc);
        let expanded: string;
        try {
          expanded = expandDottedKeys(line, 1000);
        } catch (e) {
          if (e instanceof DottedKeyConflict) return; // a conflict of its own, not the depth's
          throw e;
        }
        let refused = false;
        try {
          expandDottedKeys(line, limit);
        } catch (e) {
          if (!(e instanceof DottedKeyConflict)) throw e;
          refused = true;
          expect(e.message).toMatch(new RegExp(`^Limit of mapping depth \\[${limit}\\] has been exceeded due to object field \\[`));
        }
        expect(refused).toBe(objectTooDeep(jsonb.get(expanded) as Buffer, limit) !== null);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('document preparation with the depth limit', () => {
  it('fails documents nested too deep, plainly or through dotted keys, each alone; the others are prepared', () => {
    const prepare = createDocPrep(db);
    const lines = [
      nested(20),
      nested(21),
      `{"${Array.from({ length: 21 }, () => 'k').join('.')}":1}`,
      `{"${Array.from({ length: 20 }, () => 'k').join('.')}":1}`,
      nested(10_000, 'p.q'),
      `{"a.b":${'['.repeat(5000)}1${']'.repeat(5000)}}`,
      '{"ok":true}',
    ].map((l) => Buffer.from(l));
    const p = prepare(lines, AT);
    expect(p.errors[0]).toBeNull();
    expect(p.errors[1]).toEqual({ kind: 'mapping', message: `Limit of mapping depth [20] has been exceeded due to object field [${Array<string>(20).fill('a').join('.')}]` });
    expect(p.errors[2]).toEqual({ kind: 'mapping', message: `Limit of mapping depth [20] has been exceeded due to object field [${Array<string>(20).fill('k').join('.')}]` });
    expect(p.errors[3]).toBeNull();
    expect(p.errors[4]).toMatchObject({ kind: 'mapping', message: expect.stringMatching(/^Limit of mapping depth \[20\] has been exceeded due to object field \[p\.q\.p\.q/) as unknown });
    expect(p.errors[5]).toMatchObject({ kind: 'malformed' });
    expect(p.errors[6]).toBeNull();
  });

  it('takes another limit', () => {
    const p = createDocPrep(db, undefined, { depthLimit: 2 })([Buffer.from('{"a":{"b":1}}'), Buffer.from('{"a":{"b":{}}}'), Buffer.from('{"a.b.c":1}')], AT);
    expect(p.errors.map((e) => e?.kind ?? null)).toEqual([null, 'mapping', 'mapping']);
  });
});
