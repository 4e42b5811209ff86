import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from './index';

type Tri = boolean | null;
type Cond = { atom: number; field: 'a' | 'b' } | { op: 'and' | 'or'; left: Cond; right: Cond } | { op: 'not'; arg: Cond };

/** Atoms as EQL text and as a reference evaluation written directly from Elasticsearch's null rules. */
const ATOMS: { text: (f: string) => string; eval: (values: number[] | null) => Tri }[] = [
  { text: (f) => `${f} == 1`, eval: (v) => (v === null ? null : v.includes(1)) },
  { text: (f) => `${f} > 1`, eval: (v) => (v === null ? null : v.some((x) => x > 1)) },
  { text: (f) => `${f} != 2`, eval: (v) => (v === null ? null : !v.includes(2)) },
  { text: (f) => `${f} == null`, eval: (v) => v === null },
  { text: (f) => `${f} in (1, 3)`, eval: (v) => (v === null ? null : v.some((x) => x === 1 || x === 3)) },
  { text: (f) => `${f} not in (2)`, eval: (v) => (v === null ? null : !v.includes(2)) },
  { text: (f) => `length(string(${f})) == 1`, eval: (v) => (v === null ? null : String(v[0]).length === 1) },
];

const cond: fc.Arbitrary<Cond> = fc.letrec<{ c: Cond }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ atom: fc.nat({ max: ATOMS.length - 1 }), field: fc.constantFrom<'a' | 'b'>('a', 'b') }),
    fc.record({ op: fc.constantFrom<'and' | 'or'>('and', 'or'), left: tie('c'), right: tie('c') }),
    fc.record({ op: fc.constant<'not'>('not'), arg: tie('c') }),
  ),
})).c;

const fieldValue = fc.constantFrom<unknown>(undefined, null, 1, 2, 3, [1, 2], [2, 3], [], [null]);

function text(c: Cond): string {
  if ('atom' in c) return ATOMS[c.atom].text(c.field);
  if (c.op === 'not') return `not (${text(c.arg)})`;
  return `(${text(c.left)}) ${c.op} (${text(c.right)})`;
}

function values(v: unknown): number[] | null {
  const list = (Array.isArray(v) ? v : [v]).filter((x): x is number => typeof x === 'number');
  return list.length === 0 ? null : list;
}

function reference(c: Cond, doc: Record<string, unknown>): Tri {
  if ('atom' in c) return ATOMS[c.atom].eval(values(doc[c.field]));
  if (c.op === 'not') {
    const t = reference(c.arg, doc);
    return t === null ? null : !t;
  }
  const l = reference(c.left, doc);
  const r = reference(c.right, doc);
  if (c.op === 'and') return l === false || r === false ? false : l === null || r === null ? null : true;
  return l === true || r === true ? true : l === null || r === null ? null : false;
}

describe('boolean logic against a reference evaluation', () => {
  it('compiled conditions follow three-valued logic over multi-valued and missing fields, in any evaluation order', () => {
    fc.assert(
      fc.property(cond, fieldValue, fieldValue, (c, a, b) => {
        const doc: Record<string, unknown> = {};
        if (a !== undefined) doc.a = a;
        if (b !== undefined) doc.b = b;
        expect(compile(`any where ${text(c)}`).matches(doc)).toBe(reference(c, doc) === true);
      }),
      { numRuns: 3000 },
    );
  });
});
