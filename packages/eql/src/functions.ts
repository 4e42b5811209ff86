import type { FunctionName } from './ast';
import { normalizeIp, parseCidr, parseIp } from './scalars';

type Value = unknown;

/** How a function argument is rendered as text (Elasticsearch renders booleans and numbers plainly). */
export function toText(v: Value): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return String(v);
  return null;
}

function num(v: Value): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Arithmetic with Java semantics: integer division and remainder truncate; division by zero gives null. */
export function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: Value, b: Value, floating: boolean): number | null {
  const x = num(a);
  const y = num(b);
  if (x === null || y === null) return null;
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) return null;
      return !floating && Number.isInteger(x) && Number.isInteger(y) ? Math.trunc(x / y) : x / y;
    case '%':
      if (y === 0) return null;
      return x % y;
  }
}

function substring(s: string, start: number, end: number | null): string {
  const len = s.length;
  let a = start < 0 ? Math.max(0, len + start) : Math.min(start, len);
  let b = end === null ? len : end < 0 ? Math.max(0, len + end) : Math.min(end, len);
  if (a < 0) a = 0;
  if (b < a) b = a;
  return s.slice(a, b);
}

function between(source: string, left: string, right: string, greedy: boolean, insensitive: boolean): string {
  const hay = insensitive ? source.toLowerCase() : source;
  const l = insensitive ? left.toLowerCase() : left;
  const r = insensitive ? right.toLowerCase() : right;
  const at = hay.indexOf(l);
  if (at < 0) return '';
  const start = at + l.length;
  const end = greedy ? hay.lastIndexOf(r) : hay.indexOf(r, start);
  if (end < start) return '';
  return source.slice(start, end);
}

function toNumber(v: Value, base: Value): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const b = base === null || base === undefined ? 10 : num(base);
  if (b === null || !Number.isInteger(b) || b < 2 || b > 36) return null;
  let s = v.trim();
  if (b === 10) return s !== '' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : null;
  let sign = 1;
  if (s.startsWith('-')) {
    sign = -1;
    s = s.slice(1);
  } else if (s.startsWith('+')) s = s.slice(1);
  if (b === 16 && /^0x/i.test(s)) s = s.slice(2);
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
  if (s === '' || ![...s.toLowerCase()].every((ch) => digits.includes(ch))) return null;
  return sign * parseInt(s, b);
}

const cidrCache = new Map<string, ((ip: Uint8Array) => boolean) | null>();

function cidrMatch(ip: Value, blocks: Value[]): boolean | null {
  if (typeof ip !== 'string') return null;
  const addr = parseIp(normalizeIp(ip));
  if (!addr) return false;
  for (const block of blocks) {
    if (typeof block !== 'string') continue;
    let m = cidrCache.get(block);
    if (m === undefined) {
      m = parseCidr(block);
      if (cidrCache.size > 1000) cidrCache.clear();
      cidrCache.set(block, m);
    }
    if (m?.(addr)) return true;
  }
  return false;
}

/**
 * Evaluates an EQL function on single values. Null in (where the function needs the value) gives null out, as in
 * Elasticsearch. `floating` marks a statically decimal operand for divide.
 */
export function callFunction(name: FunctionName, args: Value[], insensitive: boolean, floating: boolean): Value {
  const [a, b, c] = args;
  switch (name) {
    case 'add':
      return arithmetic('+', a, b, floating);
    case 'subtract':
      return arithmetic('-', a, b, floating);
    case 'multiply':
      return arithmetic('*', a, b, floating);
    case 'divide':
      return arithmetic('/', a, b, floating);
    case 'modulo':
      return arithmetic('%', a, b, floating);
    case 'between': {
      const s = toText(a);
      const l = toText(b);
      const r = toText(c);
      if (s === null || l === null || r === null) return null;
      const greedy = args[3] === undefined || args[3] === null ? false : args[3] === true;
      return between(s, l, r, greedy, insensitive);
    }
    case 'cidrMatch':
      return cidrMatch(a, args.slice(1));
    case 'concat': {
      let out = '';
      for (const v of args) {
        const t = toText(v);
        if (t === null) return null;
        out += t;
      }
      return out;
    }
    case 'endsWith':
    case 'startsWith':
    case 'stringContains': {
      const s = toText(a);
      const p = toText(b);
      if (s === null || p === null) return null;
      const x = insensitive ? s.toLowerCase() : s;
      const y = insensitive ? p.toLowerCase() : p;
      return name === 'endsWith' ? x.endsWith(y) : name === 'startsWith' ? x.startsWith(y) : x.includes(y);
    }
    case 'indexOf': {
      const s = toText(a);
      const p = toText(b);
      if (s === null || p === null) return null;
      const from = c === undefined || c === null ? 0 : num(c);
      if (from === null) return null;
      const x = insensitive ? s.toLowerCase() : s;
      const y = insensitive ? p.toLowerCase() : p;
      const at = x.indexOf(y, Math.max(0, from));
      return at < 0 ? null : at;
    }
    case 'length': {
      const s = toText(a);
      return s === null ? null : s.length;
    }
    case 'number':
      return toNumber(a, b);
    case 'string':
      return toText(a);
    case 'substring': {
      const s = toText(a);
      const start = num(b);
      if (s === null || start === null) return null;
      const end = c === undefined || c === null ? null : num(c);
      return substring(s, Math.trunc(start), end === null ? null : Math.trunc(end));
    }
  }
}
