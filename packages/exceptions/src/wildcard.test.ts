import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkWildcardPattern, compileWildcard, hasWildcard, MAX_WILDCARD_PATTERN_LENGTH, MAX_WILDCARD_STARS, type WildcardStepMeter } from './wildcard';

/** The RegExp compilation the matcher replaced: the reference semantics (backtracking, so only for small inputs). */
function referenceRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) {
      i++;
      source += escapeRegExpChar(pattern[i]);
    } else if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else source += escapeRegExpChar(ch);
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'iu' : 'u');
}

function escapeRegExpChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(ch) ? `\\${ch}` : ch;
}

function stepsOf(pattern: string, value: string, caseInsensitive = false): { matched: boolean; steps: number } {
  const meter: WildcardStepMeter = { steps: 0 };
  const matched = compileWildcard(pattern, caseInsensitive, meter)(value);
  return { matched, steps: meter.steps };
}

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
    ['', '', true],
    ['', 'a', false],
    ['line*', 'line1\nline2', true],
    ['a\\', 'a\\', true],
    ['?', '\u{1F600}', true],
    ['??', '\u{1F600}', false],
  ])('%j against %j -> %s', (pattern, value, expected) => {
    expect(compileWildcard(pattern)(value)).toBe(expected);
  });

  it('folds case only when asked, with Unicode simple case folding', () => {
    expect(compileWildcard('*RUNNER*')('ci-runner-1')).toBe(false);
    expect(compileWildcard('*RUNNER*', true)('ci-runner-1')).toBe(true);
    expect(compileWildcard('*k*', true)('\u212A')).toBe(true);
    expect(compileWildcard('\u017F', true)('S')).toBe(true);
    expect(compileWildcard('\u03A3', true)('\u03C2')).toBe(true);
    expect(compileWildcard('i', true)('\u0130')).toBe(false);
    expect(hasWildcard('a\\*b')).toBe(false);
    expect(hasWildcard('a*b')).toBe(true);
  });

  it('compiles any pattern and matches any literal pattern against itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const literal = s.replace(/[\\*?]/g, (c) => `\\${c}`);
        expect(compileWildcard(literal)(s)).toBe(true);
        expect(compileWildcard(literal, true)(s)).toBe(true);
        expect(() => compileWildcard(s)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  describe('agrees with the RegExp it replaced', () => {
    const patternUnit = fc.constantFrom('a', 'b', 'A', 'k', 's', '*', '?', '\\', '.', '\u212A', '\u017F', '\u00E9', '\u00C9', '\uD83D', '\uDE00', '\n');
    const valueUnit = fc.constantFrom('a', 'b', 'A', 'B', 'k', 'K', 's', 'S', '*', '?', '\\', '.', '\u212A', '\u017F', '\u00E9', '\u00C9', '\uD83D', '\uDE00', '\n');
    const patterns = fc.string({ unit: patternUnit, maxLength: 8 });
    const values = fc.string({ unit: valueUnit, maxLength: 12 });

    it.each([false, true])('on small random patterns and values, on both paths (case-insensitive: %s)', (ci) => {
      fc.assert(
        fc.property(patterns, values, (pattern, value) => {
          const expected = referenceRegExp(pattern, ci).test(value);
          expect(compileWildcard(pattern, ci)(value)).toBe(expected);
          expect(compileWildcard(pattern, ci, { steps: 0 })(value)).toBe(expected);
        }),
        { numRuns: 3000 },
      );
    });

    it.each([false, true])('on ASCII text, where the faster path runs (case-insensitive: %s)', (ci) => {
      const unit = fc.constantFrom('a', 'b', 'A', 'B', 'x', '*', '?', '\\', '.');
      fc.assert(
        fc.property(fc.string({ unit, maxLength: 10 }), fc.string({ unit, maxLength: 16 }), (pattern, value) => {
          const expected = referenceRegExp(pattern, ci).test(value);
          expect(compileWildcard(pattern, ci)(value)).toBe(expected);
          expect(compileWildcard(pattern, ci, { steps: 0 })(value)).toBe(expected);
        }),
        { numRuns: 3000 },
      );
    });

    it.each([false, true])('on arbitrary Unicode text (case-insensitive: %s)', (ci) => {
      const text = fc.string({ unit: 'binary', maxLength: 10 });
      fc.assert(
        fc.property(text, text, fc.array(fc.constantFrom('*', '?'), { maxLength: 3 }), (pattern, value, extra) => {
          const p = pattern + extra.join('');
          expect(compileWildcard(p, ci)(value)).toBe(referenceRegExp(p, ci).test(value));
          const self = pattern.replace(/[\\*?]/g, (c) => `\\${c}`);
          const upper = value.toUpperCase();
          expect(compileWildcard(self, ci)(upper)).toBe(referenceRegExp(self, ci).test(upper));
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('cost', () => {
    it('never takes more than (value length + 2) x (pattern length + 1) steps', () => {
      const unit = fc.constantFrom('a', 'b', '*', '?');
      fc.assert(
        fc.property(fc.string({ unit, maxLength: 20 }), fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 60 }), (pattern, value) => {
          const { steps } = stepsOf(pattern, value);
          expect(steps).toBeLessThanOrEqual((value.length + 2) * (pattern.length + 1));
        }),
        { numRuns: 2000 },
      );
    });

    it('matches the pattern that froze the RegExp against 100,000 characters in linear steps', () => {
      const pattern = '*?*?*?*?*?*?*?X';
      const value = 'a'.repeat(100_000);
      const miss = stepsOf(pattern, value);
      expect(miss.matched).toBe(false);
      expect(miss.steps).toBeLessThan(4 * value.length);
      expect(stepsOf(pattern, value, true).matched).toBe(false);
      expect(compileWildcard(pattern)(value)).toBe(false);
      expect(compileWildcard(pattern, true)(value)).toBe(false);
      expect(compileWildcard(pattern)(`\u{1F600}${value}`)).toBe(false);
      expect(compileWildcard(pattern)(`${value}X`)).toBe(true);
      expect(compileWildcard(pattern, true)(`${value}x`)).toBe(true);
      expect(compileWildcard(pattern)('aaaaaaX')).toBe(false);
    });

    it('stays linear with the most stars the cap allows', () => {
      const pattern = `${'*a'.repeat(MAX_WILDCARD_STARS - 1)}*b`;
      expect(checkWildcardPattern(pattern)).toBeNull();
      const value = 'a'.repeat(100_000);
      const { matched, steps } = stepsOf(pattern, value, true);
      expect(matched).toBe(false);
      expect(steps).toBeLessThan(3 * value.length);
      expect(compileWildcard(pattern)(value)).toBe(false);
      expect(compileWildcard(pattern)(`${value}b`)).toBe(true);
    });
  });

  it('no character outside ASCII folds onto an ASCII non-letter (the shortcut in foldEquals)', () => {
    const asciiNonLetters = /^[\0-@[-`{-\x7f]$/iu;
    const offenders: number[] = [];
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (asciiNonLetters.test(String.fromCodePoint(cp))) offenders.push(cp);
    }
    expect(offenders).toEqual([]);
  });
});

describe('checkWildcardPattern', () => {
  it('accepts ordinary patterns', () => {
    expect(checkWildcardPattern('*/runner-*')).toBeNull();
    expect(checkWildcardPattern('x'.repeat(MAX_WILDCARD_PATTERN_LENGTH))).toBeNull();
    expect(checkWildcardPattern(`${'\\*'.repeat(100)}`)).toBeNull();
  });

  it('refuses patterns beyond the length or star cap, saying why', () => {
    expect(checkWildcardPattern('x'.repeat(MAX_WILDCARD_PATTERN_LENGTH + 1))).toBe(
      `wildcard pattern is ${MAX_WILDCARD_PATTERN_LENGTH + 1} characters long; at most ${MAX_WILDCARD_PATTERN_LENGTH} are allowed`,
    );
    expect(checkWildcardPattern('*'.repeat(MAX_WILDCARD_STARS + 1))).toBe(
      `wildcard pattern has ${MAX_WILDCARD_STARS + 1} unescaped * wildcards; at most ${MAX_WILDCARD_STARS} are allowed`,
    );
  });
});
