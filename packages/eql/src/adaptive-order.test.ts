import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptiveAll, adaptiveJunction, type Part } from './adaptive-order';
import { WHOLE_MATCH_SITES } from './match-sites';
import { greedyOrder, orderCost, type Profile } from './order-planning';
import { compile } from './index';

/** A policy that profiles after a handful of documents and again every few, so orders change within one run. */
const RESTLESS = { window: 3, period: 4 };

/** Conditions written for these tests over nested, dotted, multi-valued and missing fields. */
const ATOMS = [
  'a == 1',
  'a != 2',
  'a > 1',
  'a == null',
  'a != null',
  'b : "x*"',
  'b == "X"',
  'b in~ ("x", "y")',
  'b like "?"',
  'c.d == true',
  'c.d != false',
  'c.e.f in (1, 3)',
  'c.e.f <= 2',
  'length(b) == 1',
  'true',
  'false',
  'null == null',
];

type Cond = { atom: number } | { op: 'and' | 'or'; left: Cond; right: Cond } | { op: 'not'; arg: Cond };

const cond: fc.Arbitrary<Cond> = fc.letrec<{ c: Cond }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ atom: fc.nat({ max: ATOMS.length - 1 }) }),
    fc.record({ op: fc.constantFrom<'and' | 'or'>('and', 'or'), left: tie('c'), right: tie('c') }),
    fc.record({ op: fc.constant<'not'>('not'), arg: tie('c') }),
  ),
})).c;

function text(c: Cond): string {
  if ('atom' in c) return ATOMS[c.atom];
  if (c.op === 'not') return `not (${text(c.arg)})`;
  return `(${text(c.left)}) ${c.op} (${text(c.right)})`;
}

const scalar = fc.constantFrom<unknown>(null, 0, 1, 2, 3, '1', 'x', 'X', 'xy', 'y', true, false);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.constant([]), fc.constant([null, [1, 'x']]));

/** Documents holding each field nested, as a dotted key, inside an array of objects, or not at all. */
const doc: fc.Arbitrary<object> = fc
  .record({
    cat: fc.constantFrom<unknown>(undefined, 'process', ['process', 'file'], 'file', null),
    a: fc.option(value, { nil: undefined }),
    b: fc.option(value, { nil: undefined }),
    d: fc.option(value, { nil: undefined }),
    f: fc.option(value, { nil: undefined }),
    shape: fc.constantFrom('nested', 'dotted', 'array', 'mixed'),
  })
  .map(({ cat, a, b, d, f, shape }) => {
    const out: Record<string, unknown> = {};
    if (cat !== undefined) out.event = { category: cat };
    if (a !== undefined) out.a = a;
    if (b !== undefined) out.b = b;
    const e = f === undefined ? undefined : { f };
    if (shape === 'nested') out.c = { d, e };
    else if (shape === 'dotted') Object.assign(out, d === undefined ? {} : { 'c.d': d }, f === undefined ? {} : { 'c.e.f': f });
    else if (shape === 'array') out.c = [{ d }, { e }];
    else out.c = { d, 'e.f': f };
    return out;
  });

describe('adaptive ordering is invisible in results', () => {
  it('reordered matchers agree with the written-order evaluator on every document of a stream', () => {
    fc.assert(
      fc.property(cond, fc.constantFrom('any', 'process'), fc.array(doc, { minLength: 1, maxLength: 40 }), (c, category, docs) => {
        const query = `${category} where ${text(c)}`;
        const reference = compile(query, { adaptive: null });
        const adaptive = compile(query, { adaptive: RESTLESS });
        for (const d of docs) expect(adaptive.matches(d)).toBe(reference.matches(d));
      }),
      { numRuns: 400 },
    );
  });

  it('three-valued junctions give the same value in every order while they learn', () => {
    const tri = fc.constantFrom<boolean | null>(true, false, null);
    fc.assert(
      fc.property(fc.array(fc.array(tri, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 30 }), fc.constantFrom<'and' | 'or'>('and', 'or'), (rows, kind) => {
        // each part reads its own column of the current row
        const parts: Part[] = [0, 1, 2, 3].map((k) => ({ test: (d: object) => (d as { row: (boolean | null)[] }).row[k], work: k + 1, objects: [] }));
        const junction = adaptiveJunction(kind, parts, RESTLESS);
        const all = adaptiveAll(parts, RESTLESS);
        for (const row of rows) {
          const value = kind === 'and'
            ? row.includes(false) ? false : row.includes(null) ? null : true
            : row.includes(true) ? true : row.includes(null) ? null : false;
          expect(junction({ row })).toBe(value);
          expect(all({ row })).toBe(row.every((t) => t === true));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('copies of the per-document closure', () => {
  it('are identical, so that spreading whole matches over them changes nothing but where V8 keeps its feedback', () => {
    expect(WHOLE_MATCH_SITES.length).toBeGreaterThan(1);
    expect(new Set(WHOLE_MATCH_SITES.map(String)).size).toBe(1);
  });

  it('give every whole match its own parts and order, also when more matches than copies run interleaved', () => {
    const n = WHOLE_MATCH_SITES.length * 2 + 3;
    const matchers = Array.from({ length: n }, (_, i) => compile(`process where x == ${i} and y == 1`, { adaptive: RESTLESS }));
    for (let round = 0; round < 24; round++) {
      for (let i = 0; i < n; i++) {
        // every third round y rejects, otherwise x does for all but one matcher: the learned orders differ and change
        const x = (i + round) % n;
        const y = round % 3 === 0 ? 0 : 1;
        expect(matchers[i].matches({ event: { category: 'process' }, x, y })).toBe(x === i && y === 1);
        expect(matchers[i].matches({ event: { category: 'file' }, x: i, y: 1 })).toBe(false);
      }
    }
  });
});

/** A document whose fields count how often they are read. */
function counted(fields: Record<string, unknown>, reads: Map<string, number>): object {
  const out = {};
  for (const [k, v] of Object.entries(fields)) {
    Object.defineProperty(out, k, {
      enumerable: true,
      get: () => {
        reads.set(k, (reads.get(k) ?? 0) + 1);
        return v;
      },
    });
  }
  return out;
}

describe('adaptive ordering learns from the data', () => {
  it('tests the part that rejects most documents first, whatever the written order and including the category', () => {
    const q = compile('process where common == 1 and rare == 1', { adaptive: { window: 32, period: 1_000 } });
    const reads = new Map<string, number>();
    for (let i = 0; i < 32; i++) q.matches(counted({ event: { category: 'process' }, common: 1, rare: i % 16 === 0 ? 1 : 0 }, reads));
    reads.clear();
    expect(q.matches(counted({ event: { category: 'process' }, common: 1, rare: 0 }, reads))).toBe(false);
    expect(reads.get('rare')).toBe(1);
    expect(reads.has('common')).toBe(false);
    expect(reads.has('event')).toBe(false);
    // the learned order changes nothing about what matches
    expect(q.matches(counted({ event: { category: 'process' }, common: 1, rare: 1 }, reads))).toBe(true);
  });

  it('follows the data when it drifts, at the next profile', () => {
    const q = compile('any where x == 1 and y == 1', { adaptive: { window: 16, period: 64 } });
    const reads = new Map<string, number>();
    const feed = (x: number, y: number, n: number): void => {
      for (let i = 0; i < n; i++) q.matches(counted({ x, y }, reads));
    };
    feed(1, 0, 16);
    reads.clear();
    feed(1, 0, 1);
    expect(reads.has('x')).toBe(false);
    // now x rejects everything and y passes: after the next profile x goes first
    feed(0, 1, 64 + 16);
    reads.clear();
    feed(0, 1, 1);
    expect(reads.get('x')).toBe(1);
    expect(reads.has('y')).toBe(false);
  });

  it('stops an or at the part that is most often true', () => {
    const q = compile('any where (often == 1 or seldom == 1) and true', { adaptive: { window: 16, period: 1_000 } });
    const reads = new Map<string, number>();
    for (let i = 0; i < 16; i++) q.matches(counted({ seldom: 0, often: i % 8 === 0 ? 0 : 1 }, reads));
    reads.clear();
    expect(q.matches(counted({ seldom: 0, often: 1 }, reads))).toBe(true);
    expect(reads.has('seldom')).toBe(false);
  });

  it('rejects a policy that could not schedule profiles', () => {
    expect(() => compile('any where a == 1', { adaptive: { window: 0, period: 10 } })).toThrow(/adaptive.window/);
    expect(() => compile('any where a == 1', { adaptive: { window: 8, period: Number.NaN } })).toThrow(/adaptive.period/);
    expect(compile('any where a == 1 and b == 1', { adaptive: { window: 1, period: 0 } }).matches({ a: 1, b: 1 })).toBe(true);
  });

  it('keeps the written order without a policy', () => {
    const q = compile('any where common == 1 and rare == 1', { adaptive: null });
    const reads = new Map<string, number>();
    for (let i = 0; i < 300; i++) q.matches(counted({ common: 1, rare: 0 }, reads));
    expect(reads.get('common')).toBe(300);
  });
});

function profileOf(rows: number[][]): Profile {
  const parts = rows[0]?.length ?? 0;
  return { parts, samples: rows.length, stopped: Uint8Array.from(rows.flat()), objects: [] };
}

describe('greedy ordering', () => {
  const part = (work: number, objects: string[]): Part => ({ test: () => true, work, objects });

  it('counts objects shared with earlier parts once, so a part on an object already read comes next', () => {
    // part 0 rejects most; part 1 shares its object, part 2 needs two objects of its own; 1 and 2 reject alike
    const parts = [part(1, ['process']), part(1, ['event', 'event.type']), part(1, ['process', 'process.entry_leader'])];
    const rows = Array.from({ length: 100 }, (_, s) => [s % 10 === 0 ? 0 : 1, s % 2, s % 2]);
    const profile = { ...profileOf(rows), objects: parts.map((p) => p.objects) };
    expect(greedyOrder(parts, profile)).toEqual([0, 2, 1]);
    expect(orderCost([0, 2, 1], parts, profile)).toBeLessThan(orderCost([1, 2, 0], parts, profile));
  });

  it('judges a part on the documents the earlier parts let through', () => {
    // parts 0 and 1 reject the same documents; part 2 rejects fewer overall but others than 0 does
    const parts = [part(1, []), part(1, []), part(1, [])];
    const rows = Array.from({ length: 100 }, (_, s) => (s < 50 ? [1, 1, 0] : s < 80 ? [0, 0, 1] : [0, 0, 0]));
    const profile = { ...profileOf(rows), objects: parts.map((p) => p.objects) };
    expect(greedyOrder(parts, profile)).toEqual([0, 2, 1]);
  });
});
