import { describe, expect, it } from 'vitest';
import type { ExceptionItemForMatching } from '../ports';
import { createMatcherCache } from './matcher-cache';

const T = Date.parse('2026-01-01T00:00:00Z');
const item = (id: string, namespace: string, expire?: number): ExceptionItemForMatching => ({
  id,
  item_id: id,
  list_id: 'l',
  entries: [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: namespace }],
  ...(expire === undefined ? {} : { expire_time: new Date(expire).toISOString() }),
});
const doc = (namespace: string) => ({ orchestrator: { namespace } });

describe('createMatcherCache', () => {
  it('reuses the compiled matcher for the same items, recompiles for other items', () => {
    const cached = createMatcherCache();
    const a = cached([item('a', 'ci')], T);
    expect(cached([item('a', 'ci')], T + 1000)).toBe(a);
    const b = cached([item('a', 'dev')], T);
    expect(b).not.toBe(a);
    expect(b.match(doc('dev'))).toBe('a');
    expect(b.match(doc('ci'))).toBeNull();
  });

  it('stops using a matcher once one of its items expires', () => {
    const cached = createMatcherCache();
    const items = [item('soon', 'ci', T + 60_000), item('later', 'web', T + 3_600_000)];
    const before = cached(items, T);
    expect(before.match(doc('ci'))).toBe('soon');
    expect(cached(items, T + 59_999)).toBe(before);
    const after = cached(items, T + 60_000);
    expect(after).not.toBe(before);
    expect(after.match(doc('ci'))).toBeNull();
    expect(after.match(doc('web'))).toBe('later');
  });

  it('reuses a matcher for equal items in fresh objects, never for items changed in place', () => {
    const cached = createMatcherCache();
    const items = [item('a', 'ci'), item('b', 'web')];
    const first = cached(items, T);
    expect(cached(JSON.parse(JSON.stringify(items)) as ExceptionItemForMatching[], T)).toBe(first);
    items[1].entries = [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'dev' }];
    const changed = cached(items, T);
    expect(changed).not.toBe(first);
    expect(changed.match(doc('dev'))).toBe('b');
    expect(changed.match(doc('web'))).toBeNull();
    expect(cached([items[1], items[0]], T)).not.toBe(changed);
  });

  it('keeps at most maxEntries matchers', () => {
    const cached = createMatcherCache(2);
    const first = cached([item('1', 'a')], T);
    cached([item('2', 'b')], T);
    cached([item('3', 'c')], T);
    expect(cached([item('1', 'a')], T)).not.toBe(first);
  });
});
