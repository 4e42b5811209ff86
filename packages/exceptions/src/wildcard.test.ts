import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasWildcard, wildcardToRegExp } from './wildcard';

describe('wildcard patterns (Elasticsearch semantics)', () => {
  it.each([
    ['*/runner-*', 'registry.local/runner-7', true],
    ['*/runner-*', 'registry.local/builder', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a\\*c', 'a*c', true],
    ['a\\*c', 'abc', false],
    ['(x)[y]{1}.+$^|', '(x)[y]{1}.+$^|', true],
    ['*', '', true],
    ['line*', 'line1\nline2', true],
  ])('%j against %j -> %s', (pattern, value, expected) => {
    expect(wildcardToRegExp(pattern).test(value)).toBe(expected);
  });

  it('folds case only when asked', () => {
    expect(wildcardToRegExp('*RUNNER*').test('ci-runner-1')).toBe(false);
    expect(wildcardToRegExp('*RUNNER*', true).test('ci-runner-1')).toBe(true);
    expect(hasWildcard('a\\*b')).toBe(false);
    expect(hasWildcard('a*b')).toBe(true);
  });

  it('compiles any pattern and matches any literal pattern against itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const literal = s.replace(/[\\*?]/g, (c) => `\\${c}`);
        expect(wildcardToRegExp(literal).test(s)).toBe(true);
        expect(() => wildcardToRegExp(s)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
