import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, EqlSyntaxError, parse } from './index';

/** Queries shaped like detection rules, written for these tests. */
const SEEDS = [
  'process where process.name : ("bash", "sh") and not process.args : "-c*"',
  'sequence by host.id with maxspan=30s [process where event.type == "start"] by process.pid [network where true] by process.pid until [process where event.type == "end"] by process.pid',
  'sample by host.id [file where file.path like~ "/etc/*"] [process where ?process.parent.name in~ ("sshd")]',
  'any where length(process.command_line) > 200 and stringContains~(process.command_line, "base64") | head 5',
  'registry where registry.path regex~ """HKLM\\\\.*\\\\Run""" and process.pid % 2 == 0 /* comment */',
  'sequence with maxspan=1m [a where true] ![b where cidrMatch(source.ip, "10.0.0.0/8")] [c where `weird name` != null] with runs=2',
];

const TOKENS = [
  ' ', '\n', 'where', 'and', 'or', 'not', 'in', 'in~', 'like', 'regex~', ':', '==', '!=', '<', '>=', '=', '(', ')', '[', ']', '![',
  ',', '.', '|', 'head', 'tail', 'sequence', 'sample', 'by', 'with', 'maxspan', '=5s', 'runs', 'until', 'any', 'process', 'a.b', '?x',
  '"str"', '"""raw"""', '"\\u{41}"', '"\\', '`q`', '1', '2.5', '-', '+', '*', '/', '%', 'true', 'null', 'concat', 'between~', '/*', '*/',
  '//', "'", '~', '@timestamp', '\u00e9', '\ud83d',
];

function expectOnlySyntaxErrors(query: string): void {
  try {
    const ast = parse(query);
    // whatever parses must also compile (regex patterns are checked there)
    compile(ast);
  } catch (err) {
    if (!(err instanceof EqlSyntaxError)) throw err;
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.column).toBeGreaterThanOrEqual(1);
  }
}

describe('parser fuzzing', () => {
  it('seeds parse', () => {
    for (const q of SEEDS) expect(() => parse(q)).not.toThrow();
  });

  it('random strings only ever raise EqlSyntaxError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), expectOnlySyntaxErrors), { numRuns: 800 });
  });

  it('random token soups only ever raise EqlSyntaxError', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), (parts) => expectOnlySyntaxErrors(parts.join(' '))),
      { numRuns: 1500 },
    );
  });

  it('mutated rule-like queries only ever raise EqlSyntaxError', () => {
    const mutation = fc.record({
      seed: fc.constantFrom(...SEEDS),
      edits: fc.array(
        fc.record({ at: fc.nat(), del: fc.nat({ max: 6 }), ins: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 3 })) }),
        { minLength: 1, maxLength: 5 },
      ),
    });
    fc.assert(
      fc.property(mutation, ({ seed, edits }) => {
        let q = seed;
        for (const e of edits) {
          const at = e.at % (q.length + 1);
          q = q.slice(0, at) + e.ins + q.slice(at + e.del);
        }
        expectOnlySyntaxErrors(q);
      }),
      { numRuns: 2000 },
    );
  });

  it('parse time grows linearly with input size (8x input, well under 8x squared time)', () => {
    const unit = ' or process.name : ("a*", "b") and (pid + 1) * 2 > 3';
    const build = (n: number): string => `any where true${unit.repeat(n)}`;
    const best = (q: string): number => {
      let min = Infinity;
      for (let i = 0; i < 25; i++) {
        const t0 = performance.now();
        parse(q);
        min = Math.min(min, performance.now() - t0);
      }
      return min;
    };
    // sizes that stay within the young generation, so garbage collection does not masquerade as complexity
    best(build(100));
    best(build(800));
    const small = best(build(100));
    const large = best(build(800));
    // linear growth is ~8x and quadratic ~64x; the generous bound absorbs a loaded machine's noise
    expect(large / small).toBeLessThan(32);
  });

  it('deep nesting, long strings and long lists stay fast and safe', () => {
    expect(() => parse(`any where ${'not '.repeat(150)}true`)).not.toThrow();
    expect(() => parse(`any where ${'not '.repeat(1000)}true`)).toThrow(EqlSyntaxError);
    expect(() => parse(`any where ${'-'.repeat(1000)}1 == 1`)).toThrow(EqlSyntaxError);
    expect(() => parse(`any where a : "${'x*'.repeat(5000)}"`)).not.toThrow();
    expect(() => parse(`any where a in (${Array.from({ length: 5000 }, (_, i) => `"v${i}"`).join(',')})`)).not.toThrow();
  });
});
