import { describe, expect, it } from 'vitest';
import { EqlSyntaxError, parse } from './index';

function syntaxError(query: string): EqlSyntaxError {
  try {
    parse(query);
  } catch (err) {
    if (err instanceof EqlSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected a syntax error for ${query}`);
}

describe('parse: query shapes', () => {
  it('parses an event query with its category and condition', () => {
    const ast = parse('process where process.name == "bash"');
    expect(ast.type).toBe('event');
    if (ast.type !== 'event') return;
    expect(ast.filter.category).toBe('process');
    expect(ast.filter.condition).toMatchObject({ type: 'compare', op: '==', left: { type: 'field', path: 'process.name' }, right: { type: 'literal', value: 'bash' } });
  });

  it('reads any, quoted categories and backquoted field names', () => {
    const any = parse('any where true');
    expect(any.type === 'event' && any.filter.category).toBe(null);
    const quoted = parse('"my category" where `sequence` == 1 and `weird field`.x == 2');
    if (quoted.type !== 'event') throw new Error('event expected');
    expect(quoted.filter.category).toBe('my category');
    expect(quoted.filter.condition).toMatchObject({ type: 'and', left: { left: { path: 'sequence' } }, right: { left: { path: 'weird field.x' } } });
  });

  it('gives not a tighter binding than and/or, and comparison tighter than not', () => {
    const ast = parse('any where not a == 1 and b == 2 or c == 3');
    if (ast.type !== 'event') throw new Error('event expected');
    expect(ast.filter.condition).toMatchObject({ type: 'or', left: { type: 'and', left: { type: 'not', arg: { type: 'compare' } } } });
  });

  it('parses arithmetic with the usual precedence and folds negative numbers', () => {
    const ast = parse('any where a + 2 * 3 == -1.5');
    if (ast.type !== 'event') throw new Error('event expected');
    expect(ast.filter.condition).toMatchObject({
      left: { type: 'arith', op: '+', right: { type: 'arith', op: '*' } },
      right: { type: 'literal', value: -1.5, isDecimal: true },
    });
  });

  it('parses predicates: in, not in, in~, :, like~, regex with lists', () => {
    const ast = parse('any where a in ("x", 1) and b not in~ ("y") and c : ("*.exe", "a?") and d like~ "Q*" and e regex "[0-9]+"');
    if (ast.type !== 'event') throw new Error('event expected');
    const text = JSON.stringify(ast.filter.condition);
    expect(text).toContain('"type":"in","arg":{"type":"field","path":"a"');
    expect(text).toContain('"caseInsensitive":true,"negated":true');
    expect(text).toContain('"kind":"seq","caseInsensitive":true');
    expect(text).toContain('"kind":"like","caseInsensitive":true');
    expect(text).toContain('"kind":"regex","caseInsensitive":false');
  });

  it('parses functions case-insensitively by name, with ~ forms', () => {
    const ast = parse('any where CONCAT(a, "b") == "x" and startsWith~(c, "d")');
    if (ast.type !== 'event') throw new Error('event expected');
    expect(JSON.stringify(ast)).toContain('"name":"concat"');
    expect(JSON.stringify(ast)).toContain('"name":"startsWith","caseInsensitive":true');
  });

  it('parses optional fields', () => {
    const ast = parse('any where ?x.y == null');
    if (ast.type !== 'event') throw new Error('event expected');
    expect(ast.filter.condition).toMatchObject({ left: { type: 'field', path: 'x.y', optional: true } });
  });

  it('decodes string escapes, unicode escapes and raw strings', () => {
    const ast = parse('any where a == "C:\\\\Windows\\t\\"q\\" \\u{41}" and b == """raw \\d "quoted" """');
    if (ast.type !== 'event') throw new Error('event expected');
    expect(ast.filter.condition).toMatchObject({
      left: { right: { value: 'C:\\Windows\t"q" A' } },
      right: { right: { value: 'raw \\d "quoted" ' } },
    });
  });

  it('skips line and block comments', () => {
    const ast = parse('process where // first\n /* block\n comment */ true');
    expect(ast.type).toBe('event');
  });

  it('parses sequences with by, maxspan units, per-term keys, runs, missing events and until', () => {
    const ast = parse(`sequence by host.id with maxspan=2m
      [process where true] by process.pid with runs=2
      ![file where true] by process.pid
      [network where true] by process.pid
    until [process where event.type == "end"] by process.pid
    | head 3 | tail 1`);
    if (ast.type !== 'sequence') throw new Error('sequence expected');
    expect(ast.maxspanMs).toBe(120_000);
    expect(ast.terms).toHaveLength(4);
    expect(ast.terms.map((t) => t.missing)).toEqual([false, false, true, false]);
    expect(ast.keys).toHaveLength(1);
    expect(ast.terms[0].keys).toHaveLength(1);
    expect(ast.until?.filter.category).toBe('process');
    expect(ast.pipes).toEqual([{ kind: 'head', count: 3 }, { kind: 'tail', count: 1 }]);
  });

  it('converts every maxspan unit to milliseconds', () => {
    const span = (u: string): number | null => {
      const a = parse(`sequence with maxspan=3${u} [a where true] [b where true]`);
      return a.type === 'sequence' ? a.maxspanMs : null;
    };
    expect([span('ms'), span('s'), span('m'), span('h'), span('d')]).toEqual([3, 3000, 180_000, 10_800_000, 259_200_000]);
  });

  it('parses samples with keys', () => {
    const ast = parse('sample by host [a where true] by x [b where true] by y');
    if (ast.type !== 'sample') throw new Error('sample expected');
    expect(ast.terms).toHaveLength(2);
    expect(ast.keys).toHaveLength(1);
  });
});

describe('parse: errors name line, column and what was expected', () => {
  it('reports a missing where', () => {
    const err = syntaxError('process true');
    expect(err.line).toBe(1);
    expect(err.column).toBe(9);
    expect(err.message).toContain("expected 'where'");
  });

  it('reports the line and column on later lines', () => {
    const err = syntaxError('process where\n  a == ');
    expect(err.line).toBe(2);
    expect(err.message).toContain('expected an expression');
  });

  it.each([
    ["process where a == 'single'", 'double quotes'],
    ['process where a = 1', 'use =='],
    ['process where nosuch(a)', 'unknown function'],
    ['process where add(1)', 'takes 2 arguments'],
    ['process where add~(1, 2)', 'no case-insensitive'],
    ['process where a == "unterminated', 'unterminated string'],
    ['process where a == "bad \\q escape"', 'invalid escape'],
    ['sequence [a where true]', 'at least 2 terms'],
    ['sequence with maxspan=5 [a where true] [b where true]', 'no time unit'],
    ['sequence with maxspan=5y [a where true] [b where true]', 'unknown time unit'],
    ['sequence with maxspan=5s by x [a where true] [b where true]', 'before [with]'],
    ['sample by x [a where true] ![b where true]', 'only supported in sequences'],
    ['process where true | sort a', 'not supported'],
    ['process where true | head -1', 'non-negative'],
    ['join [a where true] [b where true]', 'join is not supported'],
    ['process where a.b[0] == 1', 'array indexes'],
    ['process where true /* open', 'unterminated comment'],
    ['process where a == 1 extra', "expected 'and', 'or', '|' or <EOF>"],
    ['sequence [a where true] [b where true] with runs=0', 'runs must be between'],
    ['sequence ![a where true] ![b where true]', 'not a missing event'],
    ['sequence [a where true] by x [b where true]', 'same number of join keys'],
    ['sample [a where true] by x, y [b where true] by z', 'same number of join keys'],
  ])('%s -> %s', (query, fragment) => {
    expect(syntaxError(query).message).toContain(fragment);
  });

  it('rejects absurd nesting with a syntax error instead of a stack overflow', () => {
    expect(syntaxError(`any where ${'('.repeat(5000)}true${')'.repeat(5000)}`).message).toContain('nested too deeply');
  });
});
