import { describe, expect, it } from 'vitest';
import { applyFilterPath, parseFilterPath } from './filter-path';

const bulk = {
  took: 3,
  errors: true,
  items: [
    { create: { _index: 'logs-a-default', _id: '1', status: 201, result: 'created' } },
    { create: { _index: 'logs-a-default', _id: null, status: 400, error: { type: 'document_parsing_exception', reason: 'bad' } } },
  ],
};

const filter = (expression: string, body: unknown = bulk) => {
  const parsed = parseFilterPath(expression);
  if (!parsed) throw new Error(`no filter in ${expression}`);
  return applyFilterPath(body, parsed);
};

describe('filter_path', () => {
  it.each([
    ['took', { took: 3 }],
    ['errors,items.*.error', { errors: true, items: [{ create: { error: { type: 'document_parsing_exception', reason: 'bad' } } }] }],
    ['items.*.status', { items: [{ create: { status: 201 } }, { create: { status: 400 } }] }],
    ['items.create._i*', { items: [{ create: { _index: 'logs-a-default', _id: '1' } }, { create: { _index: 'logs-a-default', _id: null } }] }],
    ['**.reason', { items: [{ create: { error: { reason: 'bad' } } }] }],
    ['**.took', { took: 3 }],
    ['nothing.here', {}],
  ])('includes %s', (expression, expected) => {
    expect(filter(expression)).toEqual(expected);
  });

  it('excludes first, then includes', () => {
    expect(filter('-items')).toEqual({ took: 3, errors: true });
    expect(filter('-**.error,-took')).toEqual({ errors: true, items: [bulk.items[0], { create: { _index: 'logs-a-default', _id: null, status: 400 } }] });
    expect(filter('items.*.error,-items.*.error.reason')).toEqual({ items: [{ create: { error: { type: 'document_parsing_exception' } } }] });
  });

  it('keeps whole arrays and scalars a path names, and ignores empty parts', () => {
    expect(filter('tags,,', { tags: ['a', 'b'], n: 1 })).toEqual({ tags: ['a', 'b'] });
    expect(parseFilterPath(' , ')).toBeNull();
    expect(parseFilterPath(undefined)).toBeNull();
    expect(parseFilterPath(['took', 'errors'])).toEqual({ include: [['took'], ['errors']], exclude: [] });
  });

  it('stays linear with many wildcards', () => {
    const wide = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${'a'.repeat(50)}${i}`, { v: i }]));
    const started = performance.now();
    filter(`${'*'.repeat(40)}b,**.**.**.v`, wide);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
