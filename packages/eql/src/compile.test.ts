import { describe, expect, it } from 'vitest';
import { compile, type Prefilter } from './index';

const SEED_RULE = `process where container.id : "*" and event.type== "start" and
/* use of kubectl exec to enter a container */
process.entry_leader.entry_meta.type : "container" and
/* process is the inital process run in a container */
process.entry_leader.same_as_process== true and
/* interactive process */
process.interactive == true`;

const seedEvent = {
  '@timestamp': '2023-03-20T16:03:59.520Z',
  container: { id: 'nginx_1' },
  event: { category: ['process'], type: ['start'], action: 'exec' },
  process: { interactive: true, name: 'bash', entry_leader: { entry_meta: { type: 'container' }, same_as_process: true } },
};

describe('compile', () => {
  it('matches the seed rule on a full event and on a partial flat document of its fields', () => {
    const q = compile(SEED_RULE);
    expect(q.kind).toBe('event');
    expect(q.matches(seedEvent)).toBe(true);
    const partial: Record<string, unknown> = {};
    for (const f of q.fields) {
      const v = f.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), seedEvent);
      partial[f] = v;
    }
    expect(q.matches(partial)).toBe(true);
    expect(q.matches({ ...partial, 'process.interactive': false })).toBe(false);
    expect(q.matches({ ...seedEvent, container: {} })).toBe(false);
  });

  it('lists every field read, including the category field and keys, once', () => {
    expect([...compile(SEED_RULE).fields].sort()).toEqual([
      'container.id',
      'event.category',
      'event.type',
      'process.entry_leader.entry_meta.type',
      'process.entry_leader.same_as_process',
      'process.interactive',
    ]);
    const seq = compile('sequence by host.id [process where a == 1] by pid [file where true] by pid');
    expect([...seq.fields].sort()).toEqual(['a', 'event.category', 'host.id', 'pid']);
  });

  it('throws from matches() for sequence and sample queries', () => {
    expect(() => compile('sequence [a where true] [b where true]').matches({})).toThrow(/search/);
    expect(compile('sample [a where true] [b where true]').kind).toBe('sample');
  });

  it('accepts a parsed AST', async () => {
    const { parse } = await import('./index');
    expect(compile(parse('x where true')).matches({ event: { category: 'x' } })).toBe(true);
  });
});

describe('prefilter', () => {
  it('turns the seed rule into a conjunction of category, wildcard, equality and boolean checks', () => {
    const p = compile(SEED_RULE).prefilter;
    expect(p).toEqual({
      kind: 'and',
      args: [
        { kind: 'eq', field: 'event.category', values: ['process'], caseInsensitive: false },
        { kind: 'wildcard', field: 'container.id', patterns: ['*'], caseInsensitive: true },
        { kind: 'eq', field: 'event.type', values: ['start'], caseInsensitive: false },
        { kind: 'eq', field: 'process.entry_leader.entry_meta.type', values: ['container'], caseInsensitive: true },
        { kind: 'eq', field: 'process.entry_leader.same_as_process', values: [true, 'true'], caseInsensitive: false },
        { kind: 'eq', field: 'process.interactive', values: [true, 'true'], caseInsensitive: false },
      ],
    } satisfies Prefilter);
  });

  it('gives true for not, functions and anything it cannot express; or with a true side is true', () => {
    expect(compile('any where not a == 1').prefilter).toEqual({ kind: 'true' });
    expect(compile('any where length(a) > 1').prefilter).toEqual({ kind: 'true' });
    expect(compile('any where a == 1 or startsWith(b, "x")').prefilter).toEqual({ kind: 'true' });
    expect(compile('any where a > 1').prefilter).toEqual({ kind: 'exists', field: 'a' });
    expect(compile('any where a != null').prefilter).toEqual({ kind: 'exists', field: 'a' });
  });

  it('covers every term of a sequence (including missing and until terms) with an or', () => {
    const p = compile('sequence [a where x == 1] ![b where true] [c where y in~ ("Q", "r")] until [d where true]').prefilter;
    expect(p.kind).toBe('or');
    if (p.kind !== 'or') return;
    expect(p.args).toHaveLength(4);
    expect(p.args[2]).toEqual({
      kind: 'and',
      args: [
        { kind: 'eq', field: 'event.category', values: ['c'], caseInsensitive: false },
        { kind: 'eq', field: 'y', values: ['Q', 'r'], caseInsensitive: true },
      ],
    });
  });

  it('leaves fields with a null_value unfiltered (explicit nulls can match)', () => {
    const mappings = { properties: { tag: { type: 'keyword', null_value: 'NULL' } } };
    expect(compile('any where tag == "NULL"', { mappings }).prefilter).toEqual({ kind: 'true' });
  });

  it('names aliased fields by their target path', () => {
    const mappings = { properties: { event_type: { type: 'keyword' }, event: { properties: { category: { type: 'alias', path: 'event_type' } } } } };
    expect(compile('proc where true', { mappings }).prefilter).toEqual({ kind: 'eq', field: 'event_type', values: ['proc'], caseInsensitive: false });
  });

  it('is a superset: every document that matches satisfies it', () => {
    const q = compile('any where (a == 5 or b : "x*") and c like "Y?"');
    const docs = [{ a: 5, c: 'Yz' }, { a: '5', c: 'Ya' }, { b: 'XYZ', c: 'Yb' }];
    const holds = (p: Prefilter, d: Record<string, unknown>): boolean => {
      switch (p.kind) {
        case 'true':
          return true;
        case 'and':
          return p.args.every((x) => holds(x, d));
        case 'or':
          return p.args.some((x) => holds(x, d));
        case 'exists':
          return d[p.field] !== undefined && d[p.field] !== null;
        case 'eq':
          return p.values.some((v) => (p.caseInsensitive ? String(v).toLowerCase() === String(d[p.field]).toLowerCase() : v === d[p.field]));
        case 'wildcard':
          return typeof d[p.field] === 'string';
      }
    };
    for (const d of docs) {
      expect(q.matches(d)).toBe(true);
      expect(holds(q.prefilter, d)).toBe(true);
    }
  });
});
