import { describe, expect, it } from 'vitest';
import { setPaths } from './set-paths';

describe('setPaths', () => {
  it('replaces whole subtrees, creates parents, removes on null, and leaves the input alone', () => {
    const doc = { kubernetes: { audit: { user: { username: 'alice' }, auditID: 'a1' } }, keep: 1, execwatch: 'scalar' };
    const out = setPaths(doc, { 'kubernetes.audit': { auditID: 'b2' }, 'execwatch.attribution': { match: 'none' }, keep: null });
    expect(out).toEqual({ kubernetes: { audit: { auditID: 'b2' } }, execwatch: { attribution: { match: 'none' } } });
    expect(doc.kubernetes.audit.user.username).toBe('alice');
    expect(setPaths(out, { 'kubernetes.audit': null })).toEqual({ kubernetes: {}, execwatch: { attribution: { match: 'none' } } });
    expect(setPaths({ a: 1 }, { 'kubernetes.audit': null })).toEqual({ a: 1 });
  });
});
