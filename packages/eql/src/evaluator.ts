import { adaptiveJunction, DEFAULT_POLICY, type AdaptivePolicy, type FieldRead, type Part } from './adaptive-order';
import type { Expr, Literal } from './ast';
import { conditionFields, conditionWork, pathObjects } from './condition-cost';
import { EqlSyntaxError } from './errors';
import { firstValue, isNullish, makeGetter, someValue } from './field-access';
import { arithmetic, callFunction, toText } from './functions';
import { compileLuceneRegex } from './lucene-regex';
import { convertValue, type FieldIndex, type FieldInfo, type FieldType } from './mappings';
import { compareVersions, equalsFolded, fold, hasWildcard, normalizeIp, parseDate, wildcardMatch } from './scalars';

/** Three-valued logic: null means "unknown", which never matches. */
export type Tri = boolean | null;
export type Predicate = (doc: object) => Tri;
export type ValueFn = (doc: object) => unknown;

/** Static knowledge about an expression's values. */
interface Compiled {
  get: ValueFn;
  /** A field's mapped type, `unknown` for dynamic fields and computed values. */
  type: FieldType | 'unknown';
  /** The field path read (after alias resolution), when the expression is a plain field. */
  source?: string;
  literal?: { value: Literal };
  decimal: boolean;
}

/** What compiling needs to know besides the expression. */
export interface EvalContext {
  index: FieldIndex;
  /** Field paths read, after alias resolution. */
  fields: Set<string>;
  /** Fields typed as dates even without a mapping (the timestamp field). */
  implicitDates: Set<string>;
  /** Optional fields known to exist nowhere (unmapped and in no document): they are the constant null, as in Elasticsearch. */
  absentFields?: Set<string>;
  /** How `and`/`or` learn their evaluation order; null keeps the written order; default DEFAULT_POLICY. */
  adaptive?: AdaptivePolicy | null;
}

function isNullConstant(ctx: EvalContext, e: Expr): boolean {
  if (e.type === 'literal') return e.value === null;
  return e.type === 'field' && e.optional && ctx.absentFields?.has(e.path) === true;
}

/** Resolves a field path to the path its values live at and its static info. */
export function resolveField(ctx: EvalContext, path: string): { source: string; info: FieldInfo | undefined } {
  const info = ctx.index.get(path);
  if (info) return { source: info.source, info };
  if (ctx.implicitDates.has(path)) return { source: path, info: { type: 'date', source: path } };
  return { source: path, info: undefined };
}

function convertOne(v: unknown, info: FieldInfo): unknown {
  if (v === null) return info.nullValue !== undefined ? convertValue(info.nullValue, info, parseDate, normalizeIp) : null;
  return convertValue(v, info, parseDate, normalizeIp);
}

function convertInto(arr: unknown[], info: FieldInfo, out: unknown[]): void {
  for (let i = 0; i < arr.length; i++) {
    const v: unknown = arr[i];
    if (Array.isArray(v)) convertInto(v, info, out);
    else if (v !== undefined) out.push(convertOne(v, info));
  }
}

function convertRaw(raw: unknown, info: FieldInfo): unknown {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) return convertOne(raw, info);
  const out: unknown[] = [];
  convertInto(raw, info, out);
  return out.length === 1 ? out[0] : out.length === 0 ? undefined : out;
}

const NEEDS_CONVERSION = new Set<FieldType>(['keyword', 'text', 'version', 'long', 'double', 'date', 'boolean', 'ip']);

/** A getter that returns the field's values as Elasticsearch indexes them (typed, aliases and null_value applied). */
export function fieldGetter(ctx: EvalContext, path: string): { get: ValueFn; source: string; info: FieldInfo | undefined } {
  const { source, info } = resolveField(ctx, path);
  ctx.fields.add(source);
  const raw = makeGetter(source);
  if (!info || (!NEEDS_CONVERSION.has(info.type) && info.nullValue === undefined)) return { get: raw, source, info };
  if (info.type === 'keyword' || info.type === 'text') {
    // strings pass through untouched, so the common case stays allocation-free
    return {
      get: (doc) => {
        const v = raw(doc);
        return typeof v === 'string' || v === undefined ? v : convertRaw(v, info);
      },
      source,
      info,
    };
  }
  return { get: (doc) => convertRaw(raw(doc), info), source, info };
}

/** A literal converted to the type of the field it is compared with. */
function literalFor(value: Literal, type: FieldType | 'unknown', info?: FieldInfo): unknown {
  if (value === null) return null;
  switch (type) {
    case 'date':
      return typeof value === 'string' ? (parseDate(value, info?.format) ?? parseDate(value)) : value;
    case 'ip':
      return typeof value === 'string' ? normalizeIp(value) : value;
    case 'keyword':
    case 'text':
    case 'version':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    case 'long':
    case 'double':
      return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

/** Equality across the loose typing of unmapped fields: a number equals its decimal text. */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  return false;
}

function order(a: unknown, b: unknown, version: boolean): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    if (version) return compareVersions(a, b);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b))) return order(a, Number(b), false);
  if (typeof a === 'string' && typeof b === 'number' && a.trim() !== '' && !Number.isNaN(Number(a))) return order(Number(a), b, false);
  return null;
}

/** Tests `fn` over every pair of values: true if any pair passes, null if either side has no value. */
function anyPair(l: unknown, r: unknown, fn: (a: unknown, b: unknown) => boolean): Tri {
  if (isNullish(l) || isNullish(r)) return null;
  if (!Array.isArray(l) && !Array.isArray(r)) return fn(l, r);
  return someValue(l, (a) => someValue(r, (b) => fn(a, b)));
}

/** Tests `fn` over the values of one side against a constant: true if any passes, null if there is no value. */
function anyValue(v: unknown, fn: (a: unknown) => boolean): Tri {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) return fn(v);
  let seen = false;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (x === null || x === undefined) continue;
    if (Array.isArray(x)) {
      const t = anyValue(x, fn);
      if (t === true) return true;
      if (t === false) seen = true;
      continue;
    }
    seen = true;
    if (fn(x)) return true;
  }
  return seen ? false : null;
}

function not(t: Tri): Tri {
  return t === null ? null : !t;
}

function truthy(v: unknown): Tri {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return anyValue(v, (x) => x === true);
  return null;
}

/** Compiles an expression used as a condition into a predicate over documents. */
export function compilePredicate(ctx: EvalContext, e: Expr): Predicate {
  switch (e.type) {
    case 'literal': {
      const v = e.value;
      const t: Tri = typeof v === 'boolean' ? v : null;
      return () => t;
    }
    case 'and':
    case 'or':
      return compileJunction(ctx, e.type, flatten(e, e.type));
    case 'not': {
      const p = compilePredicate(ctx, e.arg);
      return (d) => not(p(d));
    }
    case 'compare':
      return compileCompare(ctx, e.op, e.left, e.right);
    case 'in':
      return compileIn(ctx, e);
    case 'match':
      return compileMatch(ctx, e);
    default: {
      const v = compileValue(ctx, e).get;
      return (d) => truthy(v(d));
    }
  }
}

/** `a and b and c` as one list, so evaluation walks an array instead of nested closures. */
export function flatten(e: Expr, kind: 'and' | 'or'): Expr[] {
  if (e.type !== kind) return [e];
  return [...flatten(e.left, kind), ...flatten(e.right, kind)];
}

function compileJunction(ctx: EvalContext, kind: 'and' | 'or', parts: Expr[]): Predicate {
  return adaptiveJunction(kind, compileParts(ctx, parts), ctx.adaptive === undefined ? DEFAULT_POLICY : ctx.adaptive);
}

/** The parts of a junction with their static costs, for adaptive ordering. */
export function compileParts(ctx: EvalContext, parts: Expr[]): Part[] {
  return parts.map((p) => {
    const paths = conditionFields(p);
    return { test: compilePredicate(ctx, p), work: conditionWork(p), objects: readObjects(ctx, paths), fields: fieldReads(ctx, paths) };
  });
}

/** Raw getters of the fields a part reads, so profiling can see which of them hold arrays. */
export function fieldReads(ctx: EvalContext, paths: string[]): FieldRead[] {
  const sources = new Set(paths.map((p) => resolveField(ctx, p).source));
  return [...sources].map((path) => ({ path, get: makeGetter(path) }));
}

/** The objects that reading these fields walks through, after alias resolution, each once. */
export function readObjects(ctx: EvalContext, paths: string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) for (const o of pathObjects(resolveField(ctx, path).source)) out.add(o);
  return [...out];
}

function compileCompare(ctx: EvalContext, op: '==' | '!=' | '<' | '<=' | '>' | '>=', le: Expr, re: Expr): Predicate {
  const leftNull = isNullConstant(ctx, le);
  const rightNull = isNullConstant(ctx, re);
  if (leftNull || rightNull) {
    if (op !== '==' && op !== '!=') return () => null;
    if (leftNull && rightNull) return () => op === '==';
    const other = compileValue(ctx, leftNull ? re : le).get;
    return op === '==' ? (d) => isNullish(other(d)) : (d) => !isNullish(other(d));
  }
  const l = compileValue(ctx, le);
  const r = compileValue(ctx, re);
  const version = l.type === 'version' || r.type === 'version';
  // a field against a constant: the constant is converted once, to the field's type
  if (r.literal && !l.literal) return compareWithConstant(l, literalFor(r.literal.value, l.type, fieldInfo(ctx, le)), op, version);
  if (l.literal && !r.literal) return compareWithConstant(r, literalFor(l.literal.value, r.type, fieldInfo(ctx, re)), flip(op), version);
  const test = comparator(op, version);
  const lg = l.get;
  const rg = r.get;
  if (op === '!=') {
    const eq = comparator('==', version);
    return (d) => not(anyPair(lg(d), rg(d), eq));
  }
  return (d) => anyPair(lg(d), rg(d), test);
}

function fieldInfo(ctx: EvalContext, e: Expr): FieldInfo | undefined {
  return e.type === 'field' ? resolveField(ctx, e.path).info : undefined;
}

function flip(op: '==' | '!=' | '<' | '<=' | '>' | '>='): '==' | '!=' | '<' | '<=' | '>' | '>=' {
  return op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
}

function comparator(op: '==' | '!=' | '<' | '<=' | '>' | '>=', version: boolean): (a: unknown, b: unknown) => boolean {
  switch (op) {
    case '==':
      return version ? (a, b) => order(a, b, true) === 0 || a === b : looseEquals;
    case '!=':
      return (a, b) => !looseEquals(a, b);
    case '<':
      return (a, b) => {
        const o = order(a, b, version);
        return o !== null && o < 0;
      };
    case '<=':
      return (a, b) => {
        const o = order(a, b, version);
        return o !== null && o <= 0;
      };
    case '>':
      return (a, b) => {
        const o = order(a, b, version);
        return o !== null && o > 0;
      };
    case '>=':
      return (a, b) => {
        const o = order(a, b, version);
        return o !== null && o >= 0;
      };
  }
}

function compareWithConstant(v: Compiled, c: unknown, op: '==' | '!=' | '<' | '<=' | '>' | '>=', version: boolean): Predicate {
  const get = v.get;
  if (c === null || c === undefined) return () => null;
  if ((op === '==' || op === '!=') && !version) {
    const same = (y: unknown): boolean => y === c || looseEquals(y, c);
    const eq = (d: object): Tri => {
      const x = get(d);
      if (x === c) return true;
      if (x === undefined || x === null) return null;
      if (Array.isArray(x)) {
        // the usual ECS shape: a short flat array of scalars
        for (let i = 0; i < x.length; i++) if (x[i] === c) return true;
        return anyValue(x, same);
      }
      return looseEquals(x, c);
    };
    return op === '==' ? eq : (d) => not(eq(d));
  }
  const test = comparator(op === '!=' ? '==' : op, version);
  const against = (x: unknown): boolean => test(x, c);
  const pred = (d: object): Tri => anyValue(get(d), against);
  return op === '!=' ? (d) => not(pred(d)) : pred;
}

function compileIn(ctx: EvalContext, e: Extract<Expr, { type: 'in' }>): Predicate {
  const arg = compileValue(ctx, e.arg);
  const info = fieldInfo(ctx, e.arg);
  const ci = e.caseInsensitive;
  let pred: Predicate;
  if (e.values.every((x) => x.type === 'literal')) {
    const set = new Set<unknown>();
    for (const x of e.values) {
      if (x.type !== 'literal' || x.value === null) continue;
      const c = literalFor(x.value, arg.type, info);
      if (ci && typeof c === 'string') set.add(fold(c));
      else {
        set.add(c);
        if (typeof c === 'number') set.add(String(c));
        if (typeof c === 'string' && c.trim() !== '' && !Number.isNaN(Number(c)) && arg.type === 'unknown') set.add(Number(c));
      }
    }
    const get = arg.get;
    const version = arg.type === 'version';
    const members = [...set];
    const test = version
      ? (v: unknown): boolean => members.some((c) => typeof v === 'string' && typeof c === 'string' && compareVersions(v, c) === 0)
      : ci
        ? (v: unknown): boolean => set.has(typeof v === 'string' ? fold(v) : v)
        : (v: unknown): boolean => set.has(v);
    pred = (d) => anyValue(get(d), test);
  } else {
    const items = e.values.map((x) => compileValue(ctx, x).get);
    const get = arg.get;
    const eq = ci
      ? (a: unknown, b: unknown): boolean => (typeof a === 'string' && typeof b === 'string' ? fold(a) === fold(b) : looseEquals(a, b))
      : looseEquals;
    pred = (d) => {
      const v = get(d);
      if (isNullish(v)) return null;
      let sawValue = false;
      for (const item of items) {
        const t = anyPair(v, item(d), eq);
        if (t === true) return true;
        if (t === false) sawValue = true;
      }
      return sawValue ? false : null;
    };
  }
  return e.negated ? (d) => not(pred(d)) : pred;
}

/** A string test for one `:`/`like`/`regex` pattern. */
function patternTest(kind: 'seq' | 'like' | 'regex', pattern: string, ci: boolean, e: Expr): (s: string) => boolean {
  if (kind === 'regex') {
    try {
      return compileLuceneRegex(pattern, ci);
    } catch (err) {
      throw new EqlSyntaxError(`invalid regular expression [${pattern}]: ${(err as Error).message}`, e.pos.line, e.pos.column);
    }
  }
  if (pattern === '*') return () => true;
  const p = ci ? fold(pattern) : pattern;
  if (!hasWildcard(pattern)) return ci ? (s) => equalsFolded(s, p) : (s) => s === p;
  return (s) => wildcardMatch(s, p, ci);
}

function compileMatch(ctx: EvalContext, e: Extract<Expr, { type: 'match' }>): Predicate {
  const arg = compileValue(ctx, e.arg);
  const tests: ((v: unknown) => boolean)[] = [];
  for (const p of e.patterns) {
    if (p === null) continue;
    if (typeof p === 'string') {
      const t = patternTest(e.kind, arg.type === 'ip' ? normalizeIp(p) : p, e.caseInsensitive, e);
      tests.push((v) => {
        const s = typeof v === 'string' ? v : toText(v);
        return s !== null && t(s);
      });
    } else {
      tests.push((v) => looseEquals(v, p));
    }
  }
  const get = arg.get;
  const only = e.patterns.length === 1 ? e.patterns[0] : null;
  if (typeof only === 'string' && e.kind !== 'regex' && arg.type !== 'ip') {
    // the hot shapes: `field : "*"` and `field : "text"` on a single string value
    const t = tests[0];
    if (only === '*') return (d) => (typeof get(d) === 'string' ? true : anyValue(get(d), t));
    if (!hasWildcard(only)) {
      const p = e.caseInsensitive ? fold(only) : only;
      if (e.caseInsensitive) {
        return (d) => {
          const v = get(d);
          return typeof v === 'string' ? equalsFolded(v, p) : anyValue(v, t);
        };
      }
      return (d) => {
        const v = get(d);
        return typeof v === 'string' ? v === p : anyValue(v, t);
      };
    }
  }
  if (tests.length === 1) {
    const t = tests[0];
    return (d) => anyValue(get(d), t);
  }
  const anyTest = (v: unknown): boolean => {
    for (let i = 0; i < tests.length; i++) if (tests[i](v)) return true;
    return false;
  };
  return (d) => anyValue(get(d), anyTest);
}

/** Compiles an expression used as a value. Fields give all their values; computed values are single. */
export function compileValue(ctx: EvalContext, e: Expr): Compiled {
  switch (e.type) {
    case 'literal': {
      const v = e.value;
      return { get: () => v, type: 'unknown', literal: { value: v }, decimal: e.isDecimal === true };
    }
    case 'field': {
      if (isNullConstant(ctx, e)) return { get: () => null, type: 'unknown', literal: { value: null }, decimal: false };
      const f = fieldGetter(ctx, e.path);
      return { get: f.get, type: f.info?.type ?? 'unknown', source: f.source, decimal: f.info?.type === 'double' };
    }
    case 'neg': {
      const a = compileValue(ctx, e.arg);
      return { get: (d) => arithmetic('-', 0, firstValue(a.get(d)), a.decimal), type: 'unknown', decimal: a.decimal };
    }
    case 'arith': {
      const l = compileValue(ctx, e.left);
      const r = compileValue(ctx, e.right);
      const floating = l.decimal || r.decimal;
      const op = e.op;
      return { get: (d) => arithmetic(op, firstValue(l.get(d)), firstValue(r.get(d)), floating), type: 'unknown', decimal: floating };
    }
    case 'call': {
      const args = e.args.map((a) => compileValue(ctx, a));
      const floating = args.some((a) => a.decimal);
      const getters = args.map((a) => a.get);
      const name = e.name;
      const ci = e.caseInsensitive;
      const n = getters.length;
      const resultType: FieldType | 'unknown' = name === 'string' || name === 'concat' || name === 'between' || name === 'substring' ? 'keyword' : 'unknown';
      return {
        get: (d) => {
          const vals = new Array<unknown>(n);
          for (let i = 0; i < n; i++) vals[i] = firstValue(getters[i](d));
          return callFunction(name, vals, ci, floating);
        },
        type: resultType,
        decimal: floating,
      };
    }
    default: {
      const p = compilePredicate(ctx, e);
      return { get: p, type: 'boolean', decimal: false };
    }
  }
}
