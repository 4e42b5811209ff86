import { RE2JS } from 're2js';

/**
 * EQL `regex`: a Lucene regular expression (the syntax of Elasticsearch's `regexp` query, with every optional
 * operator Elasticsearch enables) matched against the whole value in time linear in the value's length.
 *
 * The pattern is parsed as Lucene parses it and translated to RE2 syntax for `re2js`, which never backtracks:
 * - `.` any character (newlines too), `@` any string, `#` the empty language, `"..."` literal text, `()` the empty
 *   string, `<n-m>` a decimal number between n and m (with as many digits as n and m when both are written with the
 *   same number of digits, else with any number of leading zeros), `\d \s \w \D \S \W` as Lucene defines them
 *   (`\s` is tab, newline, carriage return and space), `^ $ { } > ]` and a leading `* + ?` as plain characters.
 * - RE2 has no complement or intersection. `~` of a single character, a character class, `.`, `@`, `#` or `()`
 *   is rewritten into RE2 syntax. Elsewhere, `&` and `~` work where they combine whole-value matches (the whole
 *   pattern, or operands of `|`, `&` and `~` up to the top, e.g. `@&~(abc.+)`): each operand is its own RE2
 *   program and the results are combined, which stays linear. `&` or `~` inside a concatenation or a repetition
 *   (`a(b&c)`, `(~(ab))*`) is a compile-time error.
 * - `regex~` folds case as RE2's `(?i)` does (Unicode simple case folding, ranges included).
 */
export type LuceneRegexTest = (value: string) => boolean;

/** Largest repetition count RE2 accepts in `{n,m}`. */
export const MAX_REGEX_REPEAT = 1000;
/** Deepest nesting of groups and `~` accepted. */
export const MAX_REGEX_NESTING = 100;

/** Compiles a Lucene regular expression once; throws an Error saying what is wrong with the pattern. */
export function compileLuceneRegex(pattern: string, insensitive: boolean): LuceneRegexTest {
  const ast = new LuceneParser(pattern).parse();
  return new Translator(RE2JS.DOTALL | (insensitive ? RE2JS.CASE_INSENSITIVE : 0)).build(ast);
}

type Range = readonly [number, number];

/** `\d`, `\s`, `\w` (and, negated, `\D`, `\S`, `\W`). */
interface Predefined {
  ranges: readonly Range[];
  negated: boolean;
}

type ClassItem = { kind: 'range'; range: Range } | { kind: 'predefined'; set: Predefined };

type Node =
  | { kind: 'union'; alts: Node[] }
  | { kind: 'inter'; left: Node; right: Node }
  | { kind: 'concat'; parts: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number | null }
  | { kind: 'complement'; node: Node }
  | { kind: 'text'; cps: number[] }
  | { kind: 'class'; items: ClassItem[]; negated: boolean }
  | { kind: 'anyChar' }
  | { kind: 'anyString' }
  | { kind: 'nothing' }
  | { kind: 'interval'; min: number; max: number; digits: number };

const DIGIT: readonly Range[] = [[0x30, 0x39]];
const SPACE: readonly Range[] = [[0x09, 0x0a], [0x0d, 0x0d], [0x20, 0x20]];
const WORD: readonly Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const PREDEFINED = new Map<string, readonly Range[]>([['d', DIGIT], ['s', SPACE], ['w', WORD]]);
const MAX_INT = 2_147_483_647;

const cp = (ch: string): number => ch.charCodeAt(0);
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** A recursive-descent parser that follows Lucene's `RegExp` production by production, quirks included. */
class LuceneParser {
  private readonly cps: number[];
  private pos = 0;
  private depth = 0;

  constructor(pattern: string) {
    this.cps = Array.from(pattern, (ch) => ch.codePointAt(0) ?? 0);
  }

  parse(): Node {
    if (this.cps.length === 0) return { kind: 'text', cps: [] };
    const node = this.parseUnion();
    if (this.more()) throw new Error(`end-of-string expected at position ${this.pos}`);
    return node;
  }

  private more(): boolean {
    return this.pos < this.cps.length;
  }

  private peek(chars: string): boolean {
    return this.more() && chars.includes(String.fromCodePoint(this.cps[this.pos]));
  }

  private match(ch: string): boolean {
    if (this.more() && this.cps[this.pos] === cp(ch)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private next(): number {
    if (!this.more()) throw new Error('unexpected end-of-string');
    return this.cps[this.pos++];
  }

  private text(start: number, end: number): string {
    return this.cps.slice(start, end).map((c) => String.fromCodePoint(c)).join('');
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_REGEX_NESTING) throw new Error(`groups and ~ nest deeper than ${MAX_REGEX_NESTING} levels`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private parseUnion(): Node {
    const alts = [this.parseInter()];
    while (this.match('|')) alts.push(this.parseInter());
    return alts.length === 1 ? alts[0] : { kind: 'union', alts };
  }

  private parseInter(): Node {
    let node = this.parseConcat();
    while (this.match('&')) node = { kind: 'inter', left: node, right: this.parseConcat() };
    return node;
  }

  private parseConcat(): Node {
    const parts = [this.parseRepeat()];
    while (this.more() && !this.peek(')|&')) parts.push(this.parseRepeat());
    return parts.length === 1 ? parts[0] : { kind: 'concat', parts };
  }

  private parseRepeat(): Node {
    let node = this.parseComplement();
    while (this.peek('?*+{')) {
      if (this.match('?')) node = { kind: 'repeat', node, min: 0, max: 1 };
      else if (this.match('*')) node = { kind: 'repeat', node, min: 0, max: null };
      else if (this.match('+')) node = { kind: 'repeat', node, min: 1, max: null };
      else {
        this.match('{');
        const min = this.parseCount();
        let max: number | null = min;
        if (this.match(',')) max = this.peek('0123456789') ? this.parseCount() : null;
        if (!this.match('}')) throw new Error(`expected '}' at position ${this.pos}`);
        if (max !== null && min > max) throw new Error(`invalid repetition range(out of order): ${min}..${max}`);
        node = { kind: 'repeat', node, min, max };
      }
    }
    return node;
  }

  private parseCount(): number {
    const start = this.pos;
    while (this.peek('0123456789')) this.pos++;
    if (start === this.pos) throw new Error(`integer expected at position ${this.pos}`);
    const n = Number(this.text(start, this.pos));
    if (n > MAX_REGEX_REPEAT) throw new Error(`repetition count ${n} is above ${MAX_REGEX_REPEAT}, the most RE2 accepts`);
    return n;
  }

  private parseComplement(): Node {
    if (this.match('~')) return this.nested(() => ({ kind: 'complement', node: this.parseComplement() }));
    return this.parseCharClassExp();
  }

  private parseCharClassExp(): Node {
    if (!this.match('[')) return this.parseSimple();
    const negated = this.match('^');
    const items: ClassItem[] = [];
    do {
      if (this.match('\\')) {
        if (this.peek('\\') || (this.more() && isLetter(this.cps[this.pos]))) items.push(this.expandPredefined());
        else {
          const c = this.next();
          items.push({ kind: 'range', range: [c, c] });
        }
      } else {
        const c = this.parseCharExp();
        if (this.match('-')) {
          const to = this.parseCharExp();
          if (c > to) throw new Error(`invalid range: from (${c}) cannot be > to (${to})`);
          items.push({ kind: 'range', range: [c, to] });
        } else {
          items.push({ kind: 'range', range: [c, c] });
        }
      }
    } while (this.more() && !this.peek(']'));
    if (!this.match(']')) throw new Error(`expected ']' at position ${this.pos}`);
    return { kind: 'class', items, negated };
  }

  /** After a `\`: a backslash, or one of `dDsSwW`; any other letter is an error, as in Java and Lucene. */
  private expandPredefined(): ClassItem {
    const c = this.next();
    const ch = String.fromCodePoint(c);
    if (ch === '\\') return { kind: 'range', range: [c, c] };
    const base = PREDEFINED.get(ch.toLowerCase());
    if (base === undefined) throw new Error(`invalid character class \\${ch}`);
    return { kind: 'predefined', set: { ranges: base, negated: ch !== ch.toLowerCase() } };
  }

  private parseSimple(): Node {
    if (this.match('.')) return { kind: 'anyChar' };
    if (this.match('#')) return { kind: 'nothing' };
    if (this.match('@')) return { kind: 'anyString' };
    if (this.match('"')) {
      const start = this.pos;
      while (this.more() && !this.peek('"')) this.pos++;
      if (!this.match('"')) throw new Error(`expected '"' at position ${this.pos}`);
      return { kind: 'text', cps: this.cps.slice(start, this.pos - 1) };
    }
    if (this.match('(')) {
      if (this.match(')')) return { kind: 'text', cps: [] };
      const node = this.nested(() => this.parseUnion());
      if (!this.match(')')) throw new Error(`expected ')' at position ${this.pos}`);
      return node;
    }
    if (this.match('<')) return this.parseInterval();
    if (this.match('\\')) {
      if (this.peek('\\') || (this.more() && isLetter(this.cps[this.pos]))) {
        const item = this.expandPredefined();
        return item.kind === 'range' ? { kind: 'text', cps: [item.range[0]] } : { kind: 'class', items: [item], negated: false };
      }
      return { kind: 'text', cps: [this.next()] };
    }
    return { kind: 'text', cps: [this.next()] };
  }

  private parseInterval(): Node {
    const start = this.pos;
    while (this.more() && !this.peek('>')) this.pos++;
    if (!this.match('>')) throw new Error(`expected '>' at position ${this.pos}`);
    const body = this.text(start, this.pos - 1);
    const bounds = /^(\d+)-(\d+)$/.exec(body);
    if (!body.includes('-')) throw new Error(`named automata are not supported: <${body}>`);
    if (bounds === null) throw new Error(`interval syntax error at position ${this.pos - 1}`);
    const [, low, high] = bounds;
    let min = Number(low);
    let max = Number(high);
    if (min > MAX_INT || max > MAX_INT) throw new Error(`interval syntax error at position ${this.pos - 1}`);
    if (min > max) [min, max] = [max, min];
    return { kind: 'interval', min, max, digits: low.length === high.length ? low.length : 0 };
  }

  private parseCharExp(): number {
    this.match('\\');
    return this.next();
  }
}

const NOTHING = '[^\\x{0}-\\x{10FFFF}]';

/** Turns the parsed pattern into RE2 programs and combines them where RE2 has no operator. */
class Translator {
  constructor(private readonly flags: number) {}

  build(node: Node): LuceneRegexTest {
    const source = this.source(node);
    if (source !== null) {
      const re = this.compile(source);
      return (value) => re.testExact(value);
    }
    switch (node.kind) {
      case 'union': {
        const linear = node.alts.map((alt) => this.source(alt)).filter((s): s is string => s !== null);
        const tests = node.alts.filter((alt) => this.source(alt) === null).map((alt) => this.build(alt));
        if (linear.length > 0) {
          const re = this.compile(`(?:${linear.join('|')})`);
          tests.unshift((value) => re.testExact(value));
        }
        return (value) => tests.some((test) => test(value));
      }
      case 'inter': {
        const left = this.build(node.left);
        const right = this.build(node.right);
        return (value) => left(value) && right(value);
      }
      case 'complement': {
        const inner = this.build(node.node);
        return (value) => !inner(value);
      }
      default:
        throw new Error(unsupportedReason(node));
    }
  }

  /** RE2 syntax for the node, or null when it needs an operator RE2 does not have. */
  private source(node: Node): string | null {
    switch (node.kind) {
      case 'union': {
        const alts = node.alts.map((alt) => this.source(alt));
        return alts.every((a) => a !== null) ? `(?:${alts.join('|')})` : null;
      }
      case 'concat': {
        const parts = node.parts.map((part) => this.source(part));
        return parts.every((p) => p !== null) ? `(?:${parts.join('')})` : null;
      }
      case 'repeat': {
        const inner = this.source(node.node);
        return inner === null ? null : `(?:${inner}${quantifier(node.min, node.max)})`;
      }
      case 'inter':
        return null;
      case 'complement':
        return this.complementSource(node.node);
      case 'text':
        return node.cps.length === 1 ? literal(node.cps[0]) : `(?:${node.cps.map(literal).join('')})`;
      case 'class':
        return node.negated ? this.negatedClass(node.items) : positiveClass(node.items);
      case 'anyChar':
        return '.';
      case 'anyString':
        return '(?:.*)';
      case 'nothing':
        return NOTHING;
      case 'interval':
        return intervalSource(node.min, node.max, node.digits);
    }
  }

  /** Every string but those of `node`, when RE2 can say it. */
  private complementSource(node: Node): string | null {
    const otherThan = (oneChar: string): string => `(?:|${oneChar}|.{2,})`;
    switch (node.kind) {
      case 'complement':
        return this.source(node.node);
      case 'nothing':
        return '(?:.*)';
      case 'anyString':
        return NOTHING;
      case 'anyChar':
        return otherThan(NOTHING);
      case 'class':
        return otherThan(node.negated ? positiveClass(node.items) : this.negatedClass(node.items));
      case 'text':
        if (node.cps.length === 0) return '(?:.+)';
        return node.cps.length === 1 ? otherThan(`[^${classChar(node.cps[0])}]`) : null;
      default:
        return null;
    }
  }

  /**
   * Lucene's `[^...]`: any character none of the items matches. Negated predefined items (`\D \S \W`) cannot go
   * into an RE2 class as ranges (under `(?i)` RE2 would fold the wide ranges back onto ASCII letters), so with
   * them the result is the few ASCII characters all of their bases share, minus what the other items match.
   */
  private negatedClass(items: readonly ClassItem[]): string {
    const { ranges, negatedBases } = splitItems(items);
    if (negatedBases.length === 0) return `[^${rangesSource(ranges)}]`;
    const others = ranges.length > 0 ? this.compile(`[${rangesSource(ranges)}]`) : null;
    const kept: number[] = [];
    for (const c of charsOfAll(negatedBases)) {
      if (others === null || !others.testExact(String.fromCodePoint(c))) kept.push(c);
    }
    return kept.length === 0 ? NOTHING : `(?-i:[${kept.map(classChar).join('')}])`;
  }

  private compile(source: string): RE2JS {
    try {
      return RE2JS.compile(source, this.flags);
    } catch (err) {
      throw new Error(`RE2 cannot compile the translated pattern: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Lucene's `[...]`: RE2's class of the ranges and positive predefined items, or-ed with each negated one. */
function positiveClass(items: readonly ClassItem[]): string {
  const { ranges, negatedBases } = splitItems(items);
  const alts = negatedBases.map((base) => `[^${rangesSource(base)}]`);
  if (ranges.length > 0) alts.unshift(`[${rangesSource(ranges)}]`);
  return alts.length === 1 ? alts[0] : `(?:${alts.join('|')})`;
}

function splitItems(items: readonly ClassItem[]): { ranges: Range[]; negatedBases: (readonly Range[])[] } {
  const ranges: Range[] = [];
  const negatedBases: (readonly Range[])[] = [];
  for (const item of items) {
    if (item.kind === 'range') ranges.push(item.range);
    else if (item.set.negated) negatedBases.push(item.set.ranges);
    else ranges.push(...item.set.ranges);
  }
  return { ranges, negatedBases };
}

/** The code points in every one of the (small, ASCII) bases. */
function charsOfAll(bases: readonly (readonly Range[])[]): number[] {
  const out: number[] = [];
  for (let c = 0; c < 0x80; c++) {
    if (bases.every((ranges) => ranges.some(([from, to]) => c >= from && c <= to))) out.push(c);
  }
  return out;
}

function rangesSource(ranges: readonly Range[]): string {
  return ranges.map(([from, to]) => (from === to ? classChar(from) : `${classChar(from)}-${classChar(to)}`)).join('');
}

function quantifier(min: number, max: number | null): string {
  if (max === null) return min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
  if (min === 0 && max === 1) return '?';
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

const PLAIN = /^[0-9A-Za-z]$/;

/** A code point as an RE2 atom: letters and digits as they are, everything else as `\x{...}`. */
function literal(c: number): string {
  const ch = String.fromCodePoint(c);
  return PLAIN.test(ch) ? ch : `\\x{${c.toString(16)}}`;
}

const classChar = literal;

/**
 * Lucene's `<min-max>`: with `digits` > 0 exactly that many digits (zero-padded); otherwise any number of leading
 * zeros before the number.
 */
export function intervalSource(min: number, max: number, digits: number): string {
  if (digits > 0) return sameLengthRange(String(min).padStart(digits, '0'), String(max).padStart(digits, '0'));
  const low = String(min);
  const high = String(max);
  const alts: string[] = [];
  for (let len = low.length; len <= high.length; len++) {
    const from = len === low.length ? low : `1${'0'.repeat(len - 1)}`;
    const to = len === high.length ? high : '9'.repeat(len);
    alts.push(sameLengthRange(from, to));
  }
  return `(?:0*(?:${alts.join('|')}))`;
}

/** Digit strings from `low` to `high` (same length, low <= high), digit by digit. */
function sameLengthRange(low: string, high: string): string {
  if (low === high) return `(?:${low})`;
  if (low.length === 1) return `[${low}-${high}]`;
  if (low[0] === high[0]) return `(?:${low[0]}${sameLengthRange(low.slice(1), high.slice(1))})`;
  const rest = low.length - 1;
  const zeros = '0'.repeat(rest);
  const nines = '9'.repeat(rest);
  const alts: string[] = [];
  let first = Number(low[0]);
  let last = Number(high[0]);
  if (low.slice(1) !== zeros) {
    alts.push(`${low[0]}${sameLengthRange(low.slice(1), nines)}`);
    first++;
  }
  let top: string | null = null;
  if (high.slice(1) !== nines) {
    top = `${high[0]}${sameLengthRange(zeros, high.slice(1))}`;
    last--;
  }
  if (first <= last) alts.push(`${first === last ? first : `[${first}-${last}]`}[0-9]{${rest}}`);
  if (top !== null) alts.push(top);
  return `(?:${alts.join('|')})`;
}

/** Why a node cannot run in linear time: the first `&` or `~` below it that sits inside a concatenation or repetition. */
function unsupportedReason(node: Node): string {
  const intersection = 'operator [&] is supported only between whole-value alternatives (as in @&~(abc.+)), not inside a concatenation or repetition: RE2 has no intersection';
  const complement = 'operator [~] is supported only on one character, a character class, ., @, # or (), or on a whole-value alternative (as in @&~(abc.+)): RE2 has no complement';
  const find = (n: Node): string | null => {
    switch (n.kind) {
      case 'inter':
        return intersection;
      case 'complement':
        return complement;
      case 'union':
        return n.alts.map(find).find((r) => r !== null) ?? null;
      case 'concat':
        return n.parts.map(find).find((r) => r !== null) ?? null;
      case 'repeat':
        return find(n.node);
      default:
        return null;
    }
  };
  return find(node) ?? 'pattern cannot be translated to RE2';
}
