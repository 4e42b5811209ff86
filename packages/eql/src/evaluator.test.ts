import { describe, expect, it } from 'vitest';
import { compile } from './index';

/** Does the event query match this document? */
function m(query: string, doc: object, mappings?: object): boolean {
  return compile(query, { mappings }).matches(doc);
}

const doc = {
  '@timestamp': '2024-01-01T00:00:00.000Z',
  event: { category: ['process'], type: ['start', 'info'] },
  process: { name: 'Bash', pid: 42, args: ['bash', '-c', 'id'], interactive: true, exit_code: null as number | null, ratio: 2.5 },
  'host.name': 'node-1',
  user: { id: '0' },
};

describe('categories', () => {
  it('matches when any value of the category field equals the category, case-sensitively', () => {
    expect(m('process where true', doc)).toBe(true);
    expect(m('Process where true', doc)).toBe(false);
    expect(m('file where true', doc)).toBe(false);
    expect(m('any where true', {})).toBe(true);
  });

  it('reads the category from a custom field through compile options', () => {
    const q = compile('alert where true', { eventCategoryField: 'kind' });
    expect(q.matches({ kind: 'alert' })).toBe(true);
    expect(q.matches({ event: { category: 'alert' } })).toBe(false);
  });
});

describe('comparison and case rules', () => {
  it('== and != are case-sensitive', () => {
    expect(m('any where process.name == "Bash"', doc)).toBe(true);
    expect(m('any where process.name == "bash"', doc)).toBe(false);
    expect(m('any where process.name != "bash"', doc)).toBe(true);
  });

  it(': is case-insensitive, with wildcards and lists', () => {
    expect(m('any where process.name : "bash"', doc)).toBe(true);
    expect(m('any where process.name : "B*"', doc)).toBe(true);
    expect(m('any where process.name : "b?sh"', doc)).toBe(true);
    expect(m('any where process.name : ("zsh", "*ASH")', doc)).toBe(true);
    expect(m('any where process.name : "sh"', doc)).toBe(false);
  });

  it('wildcards only work with : and like; == compares them literally', () => {
    expect(m('any where process.name == "B*"', doc)).toBe(false);
    expect(m('any where x == "B*"', { x: 'B*' })).toBe(true);
  });

  it('like is case-sensitive, like~ is not', () => {
    expect(m('any where process.name like "B*"', doc)).toBe(true);
    expect(m('any where process.name like "b*"', doc)).toBe(false);
    expect(m('any where process.name like~ "b*"', doc)).toBe(true);
    expect(m('any where process.name like~ ("x", "BA?H")', doc)).toBe(true);
  });

  it('regex matches the whole value (Lucene syntax); regex~ ignores case', () => {
    expect(m('any where process.name regex "B[a-z]+"', doc)).toBe(true);
    expect(m('any where process.name regex "as"', doc)).toBe(false);
    expect(m('any where process.name regex "b.*"', doc)).toBe(false);
    expect(m('any where process.name regex~ "b.*"', doc)).toBe(true);
    expect(m('any where process.name regex ("x", "Ba(sh|zz)")', doc)).toBe(true);
    expect(m('any where x regex "a\\\\.b"', { x: 'a.b' })).toBe(true);
    expect(m('any where x regex "a\\\\.b"', { x: 'axb' })).toBe(false);
  });

  it('in is case-sensitive, in~ is not, not in negates', () => {
    expect(m('any where process.name in ("Bash", "zsh")', doc)).toBe(true);
    expect(m('any where process.name in ("bash")', doc)).toBe(false);
    expect(m('any where process.name in~ ("BASH")', doc)).toBe(true);
    expect(m('any where process.name not in ("zsh")', doc)).toBe(true);
    expect(m('any where process.pid in (1, 42)', doc)).toBe(true);
    expect(m('any where process.pid in (process.pid)', doc)).toBe(true);
  });

  it('orders numbers numerically and strings by code point', () => {
    expect(m('any where process.pid > 41 and process.pid <= 42', doc)).toBe(true);
    expect(m('any where process.name < "a"', doc)).toBe(true);
    expect(m('any where process.name >= "bash"', doc)).toBe(false);
  });
});

describe('null semantics', () => {
  it('a comparison with a missing field is null, and not null is still null', () => {
    expect(m('any where missing > 0', doc)).toBe(false);
    expect(m('any where not (missing > 0)', doc)).toBe(false);
    expect(m('any where missing != 1', doc)).toBe(false);
    expect(m('any where process.exit_code >= 0', doc)).toBe(false);
  });

  it('== null and != null test for absence', () => {
    expect(m('any where missing == null', doc)).toBe(true);
    expect(m('any where process.exit_code == null', doc)).toBe(true);
    expect(m('any where process.name == null', doc)).toBe(false);
    expect(m('any where process.name != null', doc)).toBe(true);
    expect(m('any where null == (missing > 1)', doc)).toBe(true);
  });

  it('null and false is false; null or true is true', () => {
    expect(m('any where (missing > 0) or true', doc)).toBe(true);
    expect(m('any where not ((missing > 0) and false)', doc)).toBe(true);
    expect(m('any where (missing > 0) or false', doc)).toBe(false);
  });

  it('gives the same answer whatever order conditions are evaluated in', () => {
    // the function call is costed last and runs after the comparisons; the outcome must not depend on it
    for (const q of ['length(missing) > 1 and x == 2', 'x == 2 and length(missing) > 1']) {
      expect(m(`any where not (${q})`, { x: 2 })).toBe(false);
      expect(m(`any where not (${q})`, { x: 3 })).toBe(true);
    }
    for (const q of ['length(missing) > 1 or x == 2', 'x == 2 or length(missing) > 1']) {
      expect(m(`any where ${q}`, { x: 2 })).toBe(true);
      expect(m(`any where not (${q})`, { x: 3 })).toBe(false);
    }
  });

  it('optional fields read as null when absent', () => {
    expect(m('any where ?nope == null', doc)).toBe(true);
    expect(m('any where ?nope', doc)).toBe(false);
  });
});

describe('fields: nested objects, dotted keys, arrays', () => {
  it('reads dotted keys and nested objects alike', () => {
    expect(m('any where host.name == "node-1"', doc)).toBe(true);
    expect(m('any where a.b.c == 1', { 'a.b': { c: 1 } })).toBe(true);
    expect(m('any where a.b.c == 1', { a: { 'b.c': 1 } })).toBe(true);
    expect(m('any where a.b.c.d == 1', { 'a.b.c.d': 1 })).toBe(true);
  });

  it('treats arrays as multi-valued: a comparison holds when any value does', () => {
    expect(m('any where event.type == "info"', doc)).toBe(true);
    expect(m('any where event.type != "info"', doc)).toBe(false);
    expect(m('any where process.args : "-C"', doc)).toBe(true);
    expect(m('any where a.b == 2', { a: [{ b: 1 }, { b: 2 }] })).toBe(true);
    expect(m('any where a == null', { a: [] })).toBe(true);
    expect(m('any where a == null', { a: [null] })).toBe(true);
  });

  it('compares unmapped numbers and their text loosely', () => {
    expect(m('any where user.id == 0', doc)).toBe(true);
    expect(m('any where process.pid == "42"', doc)).toBe(true);
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, multiplies, negates', () => {
    expect(m('any where process.pid + 1 == 43 and process.pid - 2 == 40 and process.pid * 2 == 84 and -process.pid == -42', doc)).toBe(true);
  });

  it('divides integers with truncation unless an operand is a decimal', () => {
    expect(m('any where process.pid / 5 == 8', doc)).toBe(true);
    expect(m('any where process.pid / 5.0 == 8.4', doc)).toBe(true);
    expect(m('any where process.ratio * 2 == 5', doc)).toBe(true);
    expect(m('any where process.pid % 5 == 2', doc)).toBe(true);
    expect(m('any where process.pid / 0 == null', doc)).toBe(true);
  });
});

describe('functions', () => {
  const f = { s: 'Hello World', n: 10, ip: '10.1.2.3', v6: '2001:db8::1' };
  it.each([
    ['add(n, 5) == 15', true],
    ['subtract(n, 15) == -5', true],
    ['multiply(n, 3) == 30', true],
    ['divide(n, 4) == 2', true],
    ['divide(n, 4.0) == 2.5', true],
    ['modulo(n, 4) == 2', true],
    ['between(s, "H", "o") == "ell"', true],
    ['between(s, "h", "o") == ""', true],
    ['between~(s, "h", "O") == "ell"', true],
    ['between(s, "l", "l", true) == "lo Wor"', true],
    ['between(s, "l", "l", false) == ""', true],
    ['cidrMatch(ip, "10.0.0.0/8")', true],
    ['cidrMatch(ip, "192.168.0.0/16", "10.1.2.0/24")', true],
    ['cidrMatch(ip, "192.168.0.0/16")', false],
    ['cidrMatch(v6, "2001:db8::/32")', true],
    ['concat(s, "-", n) == "Hello World-10"', true],
    ['concat(s, missing) == null', true],
    ['endsWith(s, "World")', true],
    ['endsWith(s, "world")', false],
    ['endsWith~(s, "WORLD")', true],
    ['indexOf(s, "o") == 4', true],
    ['indexOf(s, "o", 5) == 7', true],
    ['indexOf(s, "z") == null', true],
    ['indexOf~(s, "WORLD") == 6', true],
    ['length(s) == 11', true],
    ['length(missing) == null', true],
    ['number("42") == 42', true],
    ['number("0x2A", 16) == 42', true],
    ['number("2A", 16) == 42', true],
    ['number("1.5") == 1.5', true],
    ['number("nope") == null', true],
    ['startsWith(s, "Hello")', true],
    ['startsWith(s, "hello")', false],
    ['startsWith~(s, "hello")', true],
    ['string(n) == "10"', true],
    ['stringContains(s, "lo W")', true],
    ['stringContains(s, "LO W")', false],
    ['stringContains~(s, "LO W")', true],
    ['substring(s, 0, 5) == "Hello"', true],
    ['substring(s, -5) == "World"', true],
    ['substring(s, -5, -1) == "Worl"', true],
    ['substring(s, 6) == "World"', true],
    ['startsWith(missing, "x") == null', true],
  ])('%s is %s', (cond, expected) => {
    expect(m(`any where ${cond}`, f)).toBe(expected);
  });
});

describe('mappings', () => {
  const mappings = {
    properties: {
      event_type: { type: 'keyword' },
      event: { properties: { category: { type: 'alias', path: 'event_type' } } },
      name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      code: { type: 'keyword' },
      src: { type: 'ip' },
      version: { type: 'version' },
      when: { type: 'date' },
      pretty: { type: 'date', format: 'dd-MM-yyyy' },
      count: { type: 'long' },
      flag: { type: 'boolean' },
      tag: { type: 'keyword', null_value: 'NULL' },
      wild: { type: 'wildcard' },
    },
  };

  it('resolves aliases, including the category field', () => {
    expect(m('proc where true', { event_type: 'proc' }, mappings)).toBe(true);
    expect(compile('proc where code == "1"', { mappings }).fields.sort()).toEqual(['code', 'event_type']);
  });

  it('compares text fields through their keyword values and multi-fields', () => {
    expect(m('any where name == "Alpha Beta"', { name: 'Alpha Beta' }, mappings)).toBe(true);
    expect(m('any where name.keyword : "alpha*"', { name: 'Alpha Beta' }, mappings)).toBe(true);
  });

  it('stores numbers in keyword fields as text and text in long fields as numbers', () => {
    expect(m('any where code == "7"', { code: 7 }, mappings)).toBe(true);
    expect(m('any where count > 5', { count: '9' }, mappings)).toBe(true);
    expect(m('any where flag == true', { flag: 'true' }, mappings)).toBe(true);
    expect(m('any where flag == "false"', { flag: false }, mappings)).toBe(true);
  });

  it('compares ip fields canonically and matches CIDR blocks', () => {
    expect(m('any where src == "2001:db8:0:0::1"', { src: '2001:DB8::1' }, mappings)).toBe(true);
    expect(m('any where cidrMatch(src, "10.0.0.0/8")', { src: '10.9.8.7' }, mappings)).toBe(true);
  });

  it('orders version fields semantically, invalid versions last', () => {
    expect(m('any where version > "1.5.0"', { version: '1.11.3' }, mappings)).toBe(true);
    expect(m('any where version < "1.5.0"', { version: '1.2.4-SNAPSHOT' }, mappings)).toBe(true);
    expect(m('any where version < "1.5.0"', { version: 'bad' }, mappings)).toBe(false);
    expect(m('any where version == "1.2.4"', { version: '1.2.4' }, mappings)).toBe(true);
  });

  it('compares date fields as instants, from ISO text, epoch millis or a custom format', () => {
    expect(m('any where when == "2024-01-01T00:00:00Z"', { when: 1704067200000 }, mappings)).toBe(true);
    expect(m('any where when > "2023-12-31"', { when: '2024-01-01T10:00:00+02:00' }, mappings)).toBe(true);
    expect(m('any where pretty == "2022-12-17"', { pretty: '17-12-2022' }, mappings)).toBe(true);
    expect(m('any where @timestamp < "2025-01-01"', { '@timestamp': '2024-06-01T00:00:00.123456789Z' })).toBe(true);
  });

  it('applies null_value to explicit nulls only', () => {
    expect(m('any where tag == "NULL"', { tag: null }, mappings)).toBe(true);
    expect(m('any where tag == null', {}, mappings)).toBe(true);
    expect(m('any where tag == null', { tag: null }, mappings)).toBe(false);
  });

  it('treats wildcard fields as keyword strings', () => {
    expect(m('any where wild : "*needle*"', { wild: 'hayNEEDLEstack' }, mappings)).toBe(true);
  });
});
