import { describe, expect, it } from 'vitest';
import { distinctValues, firstValue, isNullish, makeGetter, someValue } from './field-access';

describe('makeGetter', () => {
  it('reads nested objects, dotted keys and mixtures at every depth', () => {
    for (const path of ['a.b', 'a.b.c', 'a.b.c.d', 'a.b.c.d.e']) {
      const get = makeGetter(path);
      const segs = path.split('.');
      const nested = segs.reduceRight<unknown>((v, k) => ({ [k]: v }), 7);
      expect(get(nested as object)).toBe(7);
      expect(get({ [path]: 7 })).toBe(7);
      expect(get({ [segs[0]]: { [segs.slice(1).join('.')]: 7 } })).toBe(7);
      expect(get({ x: 1 })).toBe(undefined);
    }
  });

  it('collects values through arrays of objects and merges nested with dotted keys', () => {
    expect(makeGetter('a.b')({ a: [{ b: 1 }, { b: [2, 3] }, { c: 4 }] })).toEqual([1, 2, 3]);
    expect(makeGetter('a.b.c')({ 'a.b': [{ c: 1 }, { c: 2 }] })).toEqual([1, 2]);
    expect(makeGetter('a.b')({ a: { c: 1 }, 'a.b': 5 })).toBe(5);
  });

  it('does not mistake array properties for fields', () => {
    expect(makeGetter('a.length')({ a: [1, 2] })).toBe(undefined);
    expect(makeGetter('a.0')({ a: ['x'] })).toBe(undefined);
    expect(makeGetter('a.length')({ a: { length: 3 } })).toBe(3);
  });

  it('keeps explicit null apart from absence', () => {
    expect(makeGetter('a.b')({ a: { b: null } })).toBe(null);
    expect(makeGetter('a.b')({ a: {} })).toBe(undefined);
  });
});

describe('value helpers', () => {
  it('iterate, test and deduplicate multi-values, skipping nulls', () => {
    expect(someValue([null, [1, [2]]], (v) => v === 2)).toBe(true);
    expect(someValue(null, () => true)).toBe(false);
    expect(isNullish([null, [null]])).toBe(true);
    expect(isNullish([null, 0])).toBe(false);
    expect(distinctValues(['a', null, 'a', ['b']])).toEqual(['a', 'b']);
    expect(firstValue([null, [null, 'x'], 'y'])).toBe('x');
    expect(firstValue(undefined)).toBe(null);
  });
});
