/**
 * Elasticsearch `wildcard` query patterns: `*` is any run of characters, `?` one character and `\`
 * escapes the next one; the pattern must match the whole value. Matching never uses a backtracking
 * RegExp: a greedy two-pointer scan that, on a mismatch, resumes after the last `*` costs at most
 * (value length + 2) x (pattern length + 1) steps, whatever the pattern. Most values take a faster
 * path within the same order of cost: the runs between the `*`, found in order with `indexOf`.
 */

/** Tests one value against a compiled wildcard pattern. */
export type WildcardMatcher = (value: string) => boolean;

/** Counts the steps of the matchers compiled with it, which then always take the two-pointer scan (for tests of its bound). */
export interface WildcardStepMeter {
  steps: number;
}

/** Longest wildcard pattern an exception entry may have, in UTF-16 code units. */
export const MAX_WILDCARD_PATTERN_LENGTH = 1024;
/** Most unescaped `*` a wildcard pattern may have. */
export const MAX_WILDCARD_STARS = 64;

const STAR = -1;
const ANY = -2;

/**
 * Compiles a pattern once into a matcher. With `caseInsensitive`, characters compare as the `iu` flags
 * of a JavaScript RegExp compare them (Unicode simple case folding); values and patterns are read by
 * code point, so `?` matches a whole surrogate pair.
 */
export function compileWildcard(pattern: string, caseInsensitive = false, meter?: WildcardStepMeter): WildcardMatcher {
  const tokens = tokenize(pattern);
  if (meter !== undefined) return (value) => scan(tokens, value, caseInsensitive, meter);
  if (tokens.length === 0) return (value) => value === '';
  if (tokens.length === 1 && tokens[0] === STAR) return () => true;
  const general = (value: string): boolean => scan(tokens, value, caseInsensitive, null);
  const segments = unitSegments(tokens, caseInsensitive);
  if (segments === null) return general;
  const hasAny = tokens.includes(ANY);
  if (caseInsensitive) return (value) => (NON_ASCII.test(value) ? general(value) : matchSegments(segments, value.toLowerCase()));
  if (hasAny) return (value) => (SURROGATE.test(value) ? general(value) : matchSegments(segments, value));
  return (value) => matchSegments(segments, value);
}

/**
 * Why a wildcard pattern is refused for an exception entry, or null when it is acceptable. The matcher
 * is safe on any pattern; the cap keeps the per-value cost of a saved exception small.
 */
export function checkWildcardPattern(pattern: string): string | null {
  if (pattern.length > MAX_WILDCARD_PATTERN_LENGTH) {
    return `wildcard pattern is ${pattern.length} characters long; at most ${MAX_WILDCARD_PATTERN_LENGTH} are allowed`;
  }
  let stars = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '*') stars++;
  }
  if (stars > MAX_WILDCARD_STARS) return `wildcard pattern has ${stars} unescaped * wildcards; at most ${MAX_WILDCARD_STARS} are allowed`;
  return null;
}

/** True when the pattern contains an unescaped `*` or `?`. */
export function hasWildcard(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '*' || pattern[i] === '?') return true;
  }
  return false;
}

/**
 * Pattern -> code points, STAR and ANY. Escapes are resolved per UTF-16 unit first and surrogate halves
 * joined afterwards, so `\` before either half of a pair escapes the pair as one character; a trailing
 * `\` is a literal backslash. Runs of `*` collapse into one.
 */
function tokenize(pattern: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charCodeAt(i);
    if (ch === 0x5c && i + 1 < pattern.length) units.push(pattern.charCodeAt(++i));
    else if (ch === 0x2a) units.push(STAR);
    else if (ch === 0x3f) units.push(ANY);
    else units.push(ch);
  }
  const tokens: number[] = [];
  for (let i = 0; i < units.length; i++) {
    const u = units[i];
    const next = i + 1 < units.length ? units[i + 1] : -3;
    if (isHighSurrogate(u) && isLowSurrogate(next)) {
      tokens.push(joinSurrogates(u, next));
      i++;
    } else if (u !== STAR || tokens[tokens.length - 1] !== STAR) {
      tokens.push(u);
    }
  }
  return tokens;
}

const NON_ASCII = /[^\x00-\x7f]/;
const SURROGATE = /[\ud800-\udfff]/;

/** A run of the pattern between two `*`: its text, and where `?` stands in it (one UTF-16 unit each). */
interface Segment {
  text: string;
  any: readonly boolean[] | null;
}

/** The pattern split at its `*`: the first and last runs are anchored to the ends of the value. */
interface Segments {
  parts: readonly Segment[];
}

/**
 * The pattern as runs in which every token stands for exactly one UTF-16 unit of the value, when that holds for
 * the values the caller lets through: case-sensitively, patterns without surrogate halves (values with surrogates
 * go to `scan` if the pattern has `?`); case-insensitively, ASCII patterns (lower-cased) for ASCII values, where
 * lower-casing is exactly the RegExp's folding.
 */
function unitSegments(tokens: readonly number[], ci: boolean): Segments | null {
  const parts: Segment[] = [];
  let text = '';
  let any: boolean[] = [];
  for (const t of [...tokens, STAR]) {
    if (t === STAR) {
      parts.push({ text, any: any.includes(true) ? any : null });
      text = '';
      any = [];
    } else if (t === ANY) {
      text += '?';
      any.push(true);
    } else {
      if (ci ? t >= 0x80 : t > 0xffff || isHighSurrogate(t) || isLowSurrogate(t)) return null;
      text += String.fromCharCode(ci ? lowerAscii(t) : t);
      any.push(false);
    }
  }
  return { parts };
}

function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/**
 * Anchored first and last runs, then each run between at its leftmost place after the one before: taking the
 * leftmost place never loses a match, since it leaves the most room to the runs after it.
 */
function matchSegments({ parts }: Segments, v: string): boolean {
  const n = v.length;
  const first = parts[0];
  if (parts.length === 1) return n === first.text.length && segmentAt(v, 0, first);
  const last = parts[parts.length - 1];
  let start = first.text.length;
  const end = n - last.text.length;
  if (start > end || !segmentAt(v, 0, first) || !segmentAt(v, end, last)) return false;
  for (let i = 1; i < parts.length - 1; i++) {
    const at = findSegment(v, start, end, parts[i]);
    if (at < 0) return false;
    start = at + parts[i].text.length;
  }
  return true;
}

function segmentAt(v: string, at: number, seg: Segment): boolean {
  if (seg.any === null) return v.startsWith(seg.text, at);
  const { text, any } = seg;
  for (let i = 0; i < text.length; i++) {
    if (!any[i] && v.charCodeAt(at + i) !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** The leftmost index in [from, end - length] where the run matches, or -1. */
function findSegment(v: string, from: number, end: number, seg: Segment): number {
  const len = seg.text.length;
  if (seg.any === null) {
    const at = v.indexOf(seg.text, from);
    return at >= 0 && at + len <= end ? at : -1;
  }
  for (let at = from; at + len <= end; at++) if (segmentAt(v, at, seg)) return at;
  return -1;
}

function scan(tokens: readonly number[], s: string, ci: boolean, meter: WildcardStepMeter | null): boolean {
  const n = s.length;
  const m = tokens.length;
  let si = 0;
  let ti = 0;
  // the last `*` seen and the value position it currently stands for the text up to
  let star = -1;
  let mark = 0;
  let steps = 0;
  while (si < n) {
    steps++;
    const t = ti < m ? tokens[ti] : 0;
    if (ti < m && t === STAR) {
      star = ti++;
      mark = si;
      continue;
    }
    if (ti < m) {
      const c = codePointAt(s, si);
      if (t === ANY || t === c || (ci && foldEquals(t, c))) {
        si += c > 0xffff ? 2 : 1;
        ti++;
        continue;
      }
    }
    if (star < 0) return finish(meter, steps, false);
    ti = star + 1;
    mark += codePointAt(s, mark) > 0xffff ? 2 : 1;
    si = mark;
  }
  while (ti < m && tokens[ti] === STAR) ti++;
  return finish(meter, steps, ti === m);
}

function finish(meter: WildcardStepMeter | null, steps: number, result: boolean): boolean {
  if (meter !== null) meter.steps += steps;
  return result;
}

/** The code point at a UTF-16 index; a lone surrogate is its own code point, as in a `u` RegExp. */
function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (isHighSurrogate(c) && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (isLowSurrogate(d)) return joinSurrogates(c, d);
  }
  return c;
}

function isHighSurrogate(u: number): boolean {
  return u >= 0xd800 && u <= 0xdbff;
}

function isLowSurrogate(u: number): boolean {
  return u >= 0xdc00 && u <= 0xdfff;
}

function joinSurrogates(high: number, low: number): number {
  return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
}

/**
 * Case-insensitive equality of two different code points, exactly as a `iu` RegExp decides it. Two
 * ASCII characters are equal when they are the same letter; no character outside ASCII folds onto an
 * ASCII non-letter (wildcard.test.ts checks every code point); anything else asks a one-character
 * RegExp, which cannot backtrack.
 */
function foldEquals(p: number, c: number): boolean {
  if (p < 0x80) {
    const lp = p | 0x20;
    if (lp < 0x61 || lp > 0x7a) return false;
    if (c < 0x80) return (c | 0x20) === lp;
  } else if (c < 0x80 && ((c | 0x20) < 0x61 || (c | 0x20) > 0x7a)) {
    return false;
  }
  return caseFoldRegExp(p).test(String.fromCodePoint(c));
}

const foldRegExps = new Map<number, RegExp>();
const MAX_FOLD_REGEXPS = 4096;

function caseFoldRegExp(cp: number): RegExp {
  let re = foldRegExps.get(cp);
  if (re === undefined) {
    if (foldRegExps.size >= MAX_FOLD_REGEXPS) foldRegExps.clear();
    re = new RegExp(`^\\u{${cp.toString(16)}}$`, 'iu');
    foldRegExps.set(cp, re);
  }
  return re;
}
