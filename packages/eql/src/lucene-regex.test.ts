import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile } from './index';
import { compileLuceneRegex, intervalSource, MAX_REGEX_NESTING } from './lucene-regex';

const matches = (pattern: string, value: string, insensitive = false): boolean => compileLuceneRegex(pattern, insensitive)(value);

/** An EQL event query over one field `x`, with the pattern in a raw (triple-quoted) string. */
const eql = (op: 'regex' | 'regex~', pattern: string) => compile(`any where x ${op} """${pattern}"""`);

describe('Lucene regular expressions through RE2', () => {
  it.each([
    ['B[a-z]+', 'Bash', true],
    ['ab.*', 'abcde', true],
    ['abcd', 'abcde', false],
    ['a\\.b', 'a.b', true],
    ['a\\.b', 'axb', false],
    ['.', '\n', true],
    ['.', '\u{1F600}', true],
    ['..', '\u{1F600}', false],
    ['"a.b"', 'a.b', true],
    ['"a.b"', 'axb', false],
    ['john"@smith.com"', 'john@smith.com', true],
    ['@', 'anything at all', true],
    ['#', '', false],
    ['a#|b', 'b', true],
    ['()', '', true],
    ['', '', true],
    ['', 'a', false],
    ['^a$', '^a$', true],
    ['^a$', 'a', false],
    ['*a', '*a', true],
    ['|a', '|a', true],
    ['a{2,3}', 'aaa', true],
    ['a{2,3}', 'aaaa', false],
    ['a{2,}', 'aaaaa', true],
    ['(ab)+', 'ababab', true],
    ['[a-c]+', 'abcabc', true],
    ['[^a-c]', 'd', true],
    ['[^a-c]', 'b', false],
    ['[-a]', '-', true],
    ['[\\]]', ']', true],
    ['\\d\\s\\w', '1 _', true],
    ['\\s', '\f', false],
    ['\\s', '\r', true],
    ['\\S', '\f', true],
    ['\\D', 'x', true],
    ['\\W', '-', true],
    ['\\W', 'k', false],
    ['[\\Wa]', '-', true],
    ['[\\Wa]', 'a', true],
    ['[\\Wa]', 'b', false],
    ['[^\\Wa]', 'b', true],
    ['[^\\Wa]', 'a', false],
    ['[^\\Wa]', '-', false],
    ['[^\\s"]+', 'a-b', true],
    ['[^\\s"]+', 'a b', false],
    ['C:\\\\Program Files( \\(x86\\))?\\\\Steam\\\\.*', 'C:\\Program Files (x86)\\Steam\\steam.exe', true],
    ['.*[ʰ-˿ᴬ-ᶻ]+.*', 'cmd ᵃ', true],
  ])('%j against %j -> %s', (pattern, value, expected) => {
    expect(matches(pattern, value)).toBe(expected);
  });

  it.each([
    ['foo<1-100>', 'foo1', true],
    ['foo<1-100>', 'foo100', true],
    ['foo<1-100>', 'foo0100', true],
    ['foo<1-100>', 'foo101', false],
    ['foo<1-100>', 'foo', false],
    ['foo<100-1>', 'foo50', true],
    ['foo<01-100>', 'foo01', true],
    ['foo<01-10>', 'foo05', true],
    ['foo<01-10>', 'foo5', false],
    ['foo<01-10>', 'foo010', false],
    ['<0-0>', '000', false],
    ['<0-00>', '00', true],
    ['<0-10>', '000', true],
  ])('numeric interval %j against %j -> %s', (pattern, value, expected) => {
    expect(matches(pattern, value)).toBe(expected);
  });

  it('matches numeric intervals as Lucene defines them', () => {
    const bound = fc.nat({ max: 3000 });
    fc.assert(
      fc.property(bound, bound, fc.boolean(), fc.nat({ max: 4000 }), fc.nat({ max: 3 }), (a, b, fixed, n, zeros) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const high = String(max);
        const low = fixed ? String(min).padStart(high.length, '0') : String(min);
        // Lucene: the same number of digits on both sides fixes the width
        const digits = low.length === high.length ? low.length : 0;
        const source = intervalSource(min, max, digits);
        const pattern = `<${low}-${high}>`;
        const value = '0'.repeat(zeros) + String(n);
        const expected = n >= min && n <= max && (digits === 0 || value.length === digits);
        expect(matches(pattern, value), `${pattern} (${source}) on ${value}`).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('supports ~ and & where they combine whole-value matches, and ~ of one character anywhere', () => {
    expect(matches('@&~(abc.+)', 'abcd')).toBe(false);
    expect(matches('@&~(abc.+)', 'abd')).toBe(true);
    expect(matches('aaa.+&.+bbb', 'aaabbb')).toBe(true);
    expect(matches('aaa.+&.+bbb', 'aaabb')).toBe(false);
    expect(matches('ab&ab|cd', 'cd')).toBe(true);
    expect(matches('~(ab)|cd', 'x')).toBe(true);
    expect(matches('~(ab)|cd', 'ab')).toBe(false);
    expect(matches('~~(ab)', 'ab')).toBe(true);
    expect(matches('~(ab&cd)', 'ab')).toBe(true);
    expect(matches('a~bc', 'adc')).toBe(true);
    expect(matches('a~bc', 'ac')).toBe(true);
    expect(matches('a~bc', 'abbc')).toBe(true);
    expect(matches('a~bc', 'abc')).toBe(false);
    expect(matches('a~[bc]d', 'acd')).toBe(false);
    expect(matches('a~[^bc]d', 'acd')).toBe(true);
    expect(matches('a~[^bc]d', 'axd')).toBe(false);
    expect(matches('x~.', 'x')).toBe(true);
    expect(matches('x~.', 'xy')).toBe(false);
    expect(matches('x~#', 'xanything')).toBe(true);
    expect(matches('x~@', 'x')).toBe(false);
    expect(matches('x~()', 'x')).toBe(false);
    expect(matches('x~()', 'xy')).toBe(true);
    expect(matches('a~b', 'aB', true)).toBe(false);
  });

  it.each([
    ['a(b&c)', /operator \[&\] is supported only between whole-value alternatives/],
    ['(a&b)*', /operator \[&\]/],
    ['x~(ab)', /operator \[~\] is supported only on one character/],
    ['(~(ab))*', /operator \[~\]/],
    ['a{1001}', /repetition count 1001 is above 1000/],
    ['(a{1000}){1000}', /RE2 cannot compile/],
    ['a{3,2}', /out of order/],
    ['a{', /integer expected/],
    ['\\q', /invalid character class \\q/],
    ['<foo>', /named automata are not supported/],
    ['<1-2-3>', /interval syntax error/],
    ['<1-99999999999>', /interval syntax error/],
    ['a)', /end-of-string expected/],
    ['[a', /expected '\]'/],
    ['[z-a]', /invalid range/],
    ['"abc', /expected '"'/],
    ['a\\', /unexpected end-of-string/],
    ['a|', /unexpected end-of-string/],
    [`${'('.repeat(MAX_REGEX_NESTING + 1)}a${')'.repeat(MAX_REGEX_NESTING + 1)}`, /nest deeper than/],
    ['~'.repeat(MAX_REGEX_NESTING + 1), /nest deeper than/],
  ])('refuses %j when compiling', (pattern, message) => {
    expect(() => compileLuceneRegex(pattern, false)).toThrow(message);
  });

  it('reports a bad pattern as an EQL syntax error of the query', () => {
    expect(() => compile('any where x regex "a(b&c)"')).toThrow(/invalid regular expression \[a\(b&c\)\]: operator \[&\]/);
  });

  describe('case-insensitive (regex~)', () => {
    it('folds letters, ranges and Unicode case', () => {
      expect(matches('b.*', 'Bash', true)).toBe(true);
      expect(matches('[a-z]+', 'ABC', true)).toBe(true);
      expect(matches('k', '\u212A', true)).toBe(true);
      expect(matches('σ', 'ς', true)).toBe(true);
      expect(matches('"AbC"', 'aBc', true)).toBe(true);
      expect(matches('b.*', 'Bash', false)).toBe(false);
    });

    it('never folds predefined classes onto letters', () => {
      expect(matches('\\W', 'k', true)).toBe(false);
      expect(matches('\\W', 's', true)).toBe(false);
      expect(matches('\\S', 's', true)).toBe(true);
      expect(matches('[^\\Wa]', 'A', true)).toBe(false);
      expect(matches('[^\\Wa]', 'B', true)).toBe(true);
      expect(matches('[^\\sa]', 'A', true)).toBe(false);
    });
  });

  it('agrees with a JavaScript RegExp on the syntax both share', () => {
    const atom = fc.constantFrom('a', 'b', 'A', '.', '[ab]', '[^a]', '\\d', '1');
    const regex: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
      re: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.tuple(tie('re'), tie('re')).map(([x, y]) => `${x}${y}`),
        fc.tuple(tie('re'), tie('re')).map(([x, y]) => `(${x}|${y})`),
        fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '{1,2}')).map(([x, q]) => `(${x})${q}`),
      ),
    })).re;
    const value = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', '1', '\n'), maxLength: 8 });
    fc.assert(
      fc.property(regex, value, fc.boolean(), (pattern, v, ci) => {
        const js = new RegExp(`^(?:${pattern})$`, ci ? 'si' : 's');
        expect(matches(pattern, v, ci)).toBe(js.test(v));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('patterns that make backtracking engines take hours finish', () => {
  const n = 32_768;

  it('(a+)+ and friends on 32 kB values', () => {
    const as = 'a'.repeat(n);
    expect(eql('regex', '(a+)+b').matches({ x: as })).toBe(false);
    expect(eql('regex', '(a|aa)+c').matches({ x: as })).toBe(false);
    expect(eql('regex', '(a*)*b').matches({ x: as })).toBe(false);
    expect(eql('regex~', '(A+)+').matches({ x: as })).toBe(true);
    expect(eql('regex', '(.*a){12}b').matches({ x: as })).toBe(false);
    expect(eql('regex', '@&~((a+)+)').matches({ x: `${as}!` })).toBe(true);
  });

  it("Elastic's whitespace-padding and IP rules on 32 kB command lines", () => {
    const padded = eql('regex', '([^ ]+[ ]{3,}[^ ]*){3,}.*');
    expect(padded.matches({ x: 'a  b '.repeat(n / 5) })).toBe(false);
    expect(padded.matches({ x: `c   d   e   f ${'a  b '.repeat(n / 5)}` })).toBe(true);
    const ip = eql('regex', '.*[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}(:[0-9]{1,5})?\\/[^ ]+.*');
    expect(ip.matches({ x: '1.2.3 '.repeat(n / 6) })).toBe(false);
    const host = eql('regex', '.*[A-Za-z0-9][A-Za-z0-9\\-]*(\\.[A-Za-z0-9][A-Za-z0-9\\-]*)+(:[0-9]{1,5})?\\/[^ ]+.*');
    expect(host.matches({ x: 'a.'.repeat(n / 2) })).toBe(false);
  });
});
