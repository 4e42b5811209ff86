import { describe, expect, it } from 'vitest';
import { compileQueryDsl, resolveDateMath } from './index';

const now = Date.parse('2024-05-01T12:00:00.000Z');
const docs = [
  { id: 1, '@timestamp': '2024-05-01T11:58:00.000Z', user: { name: 'alice' }, tags: ['a', 'b'], msg: 'Interactive exec into pod', n: 5 },
  { id: 2, '@timestamp': '2024-05-01T11:00:00.000Z', user: { name: 'Bob' }, tags: 'c', n: 50 },
  { id: 3, '@timestamp': '2024-04-30T12:00:00.000Z', 'user.name': 'carol', n: '7' },
];

function ids(filter: unknown, mappings?: object): number[] {
  const f = compileQueryDsl(filter, { now, mappings });
  return docs.filter(f).map((d) => d.id);
}

describe('compileQueryDsl', () => {
  it('term, terms (any value of multi-valued fields), case_insensitive', () => {
    expect(ids({ term: { 'user.name': 'alice' } })).toEqual([1]);
    expect(ids({ term: { 'user.name': { value: 'bob', case_insensitive: true } } })).toEqual([2]);
    expect(ids({ terms: { tags: ['b', 'c'] } })).toEqual([1, 2]);
    expect(ids({ term: { 'user.name': 'carol' } })).toEqual([3]);
  });

  it('range on numbers and on dates with date math', () => {
    expect(ids({ range: { n: { gte: 5, lt: 50 } } })).toEqual([1, 3]);
    expect(ids({ range: { '@timestamp': { gte: 'now-5m' } } })).toEqual([1]);
    expect(ids({ range: { '@timestamp': { gte: 'now-1d/d', lte: 'now' } } })).toEqual([1, 2, 3]);
    expect(ids({ range: { '@timestamp': { gt: '2024-05-01T11:00:00Z' } } })).toEqual([1]);
  });

  it('bool: must, filter, should with minimum_should_match, must_not', () => {
    expect(ids({ bool: { should: [{ term: { n: 5 } }, { term: { n: 50 } }] } })).toEqual([1, 2]);
    expect(ids({ bool: { filter: [{ exists: { field: 'tags' } }], must_not: { term: { tags: 'c' } } } })).toEqual([1]);
    expect(ids({ bool: { must: [{ exists: { field: 'n' } }], should: [{ term: { n: 5 } }], minimum_should_match: 1 } })).toEqual([1]);
    expect(ids({ bool: {} })).toEqual([1, 2, 3]);
  });

  it('match_phrase, wildcard, prefix, exists, match_all, match_none', () => {
    expect(ids({ match_phrase: { msg: 'exec into' } })).toEqual([1]);
    expect(ids({ wildcard: { 'user.name': { value: 'B*', case_insensitive: true } } })).toEqual([2]);
    expect(ids({ wildcard: { 'user.name': 'a?ice' } })).toEqual([1]);
    expect(ids({ prefix: { 'user.name': 'car' } })).toEqual([3]);
    expect(ids({ exists: { field: 'msg' } })).toEqual([1]);
    expect(ids({ match_all: {} })).toEqual([1, 2, 3]);
    expect(ids({ match_none: {} })).toEqual([]);
  });

  it('accepts an array of filters as a conjunction', () => {
    expect(ids([{ exists: { field: 'n' } }, { range: { n: { gt: 6 } } }])).toEqual([2, 3]);
  });

  it('rejects unsupported or malformed queries with a clear error', () => {
    expect(() => compileQueryDsl({ script: { source: 'x' } })).toThrow(/not supported/);
    expect(() => compileQueryDsl({ term: {} })).toThrow(/exactly one field/);
    expect(() => compileQueryDsl({ range: { '@timestamp': { gte: 'yesterday' } } })).toThrow(/cannot parse date/);
  });

  it('resolves date math with rounding', () => {
    expect(resolveDateMath('now-1h', now)).toBe(now - 3_600_000);
    expect(resolveDateMath('now/d', now)).toBe(Date.parse('2024-05-01T00:00:00Z'));
    expect(resolveDateMath('now/d', now, true)).toBe(Date.parse('2024-05-02T00:00:00Z') - 1);
    expect(resolveDateMath('2024-01-01||+1d', now)).toBe(Date.parse('2024-01-02T00:00:00Z'));
    expect(resolveDateMath('now-1x', now)).toBe(null);
  });
});
