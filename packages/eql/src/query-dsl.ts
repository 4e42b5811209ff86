import { EqlRequestError } from './errors';
import { fieldGetter, looseEquals, type EvalContext } from './evaluator';
import { isNullish, someValue } from './field-access';
import { FieldIndex } from './mappings';
import { fold, parseDate, wildcardMatch } from './scalars';

export type DocFilter = (doc: object) => boolean;

export interface QueryDslOptions {
  mappings?: object;
  /** Typed as a date even without a mapping; default `@timestamp`. */
  timestampField?: string;
  /** The clock for date math (`now-5m`); default Date.now(). */
  now?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asList(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 };

/** Resolves Elasticsearch date math (`now-5m/m`, `2024-01-01||+1d`) or a plain date to epoch millis. */
export function resolveDateMath(v: unknown, now: number, roundUp = false): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  let base: number | null;
  let rest: string;
  if (v.startsWith('now')) {
    base = now;
    rest = v.slice(3);
  } else {
    const sep = v.indexOf('||');
    base = parseDate(sep < 0 ? v : v.slice(0, sep));
    rest = sep < 0 ? '' : v.slice(sep + 2);
  }
  if (base === null) return null;
  let ms: number = base;
  const re = /([+-])(\d+)([smhdwMy])|\/([smhdwMy])/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < rest.length && (m = re.exec(rest)) !== null) {
    at = re.lastIndex;
    if (m[4]) {
      const unit = UNIT_MS[m[4]];
      const floored = Math.floor(ms / unit) * unit;
      ms = roundUp ? floored + unit - 1 : floored;
    } else {
      ms += (m[1] === '-' ? -1 : 1) * Number(m[2]) * UNIT_MS[m[3]];
    }
  }
  if (at !== rest.length) return null;
  return ms;
}

function singleField(body: unknown, query: string): [string, unknown] {
  if (!isRecord(body)) throw new EqlRequestError(`[${query}] must be an object naming one field`);
  const entries = Object.entries(body).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1) throw new EqlRequestError(`[${query}] must name exactly one field`);
  return entries[0];
}

/**
 * Compiles the query-DSL subset used for EQL request filters (bool, range, term, terms, match_phrase, match,
 * wildcard, prefix, exists, match_all, match_none) into a document predicate, with Elasticsearch's semantics on
 * multi-valued fields (any value) and missing fields (never match).
 */
export function compileQueryDsl(filter: unknown, options: QueryDslOptions = {}): DocFilter {
  const ctx: EvalContext = {
    index: new FieldIndex(options.mappings),
    fields: new Set(),
    implicitDates: new Set([options.timestampField ?? '@timestamp']),
  };
  const now = options.now ?? Date.now();
  if (filter === undefined || filter === null) return () => true;
  if (Array.isArray(filter)) {
    const all = filter.map((f) => compileNode(ctx, f, now));
    return (d) => all.every((f) => f(d));
  }
  return compileNode(ctx, filter, now);
}

function compileNode(ctx: EvalContext, node: unknown, now: number): DocFilter {
  if (!isRecord(node)) throw new EqlRequestError('a query must be an object');
  const keys = Object.keys(node);
  if (keys.length !== 1) throw new EqlRequestError(`a query must have exactly one type, found [${keys.join(', ')}]`);
  const kind = keys[0];
  const body = node[kind];
  switch (kind) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'bool': {
      if (!isRecord(body)) throw new EqlRequestError('[bool] must be an object');
      const must = [...asList(body.must), ...asList(body.filter)].map((q) => compileNode(ctx, q, now));
      const should = asList(body.should).map((q) => compileNode(ctx, q, now));
      const mustNot = asList(body.must_not).map((q) => compileNode(ctx, q, now));
      const msmRaw = body.minimum_should_match;
      let msm = typeof msmRaw === 'number' ? msmRaw : typeof msmRaw === 'string' && /^\d+$/.test(msmRaw) ? Number(msmRaw) : must.length > 0 || mustNot.length > 0 ? 0 : 1;
      if (should.length === 0) msm = 0;
      return (d) => {
        for (const q of must) if (!q(d)) return false;
        for (const q of mustNot) if (q(d)) return false;
        if (msm === 0) return true;
        let hits = 0;
        for (const q of should) if (q(d) && ++hits >= msm) return true;
        return false;
      };
    }
    case 'exists': {
      if (!isRecord(body) || typeof body.field !== 'string') throw new EqlRequestError('[exists] needs a field');
      const get = fieldGetter(ctx, body.field).get;
      return (d) => !isNullish(get(d));
    }
    case 'term': {
      const [field, spec] = singleField(body, kind);
      const value = isRecord(spec) ? spec.value : spec;
      const ci = isRecord(spec) && spec.case_insensitive === true;
      return valuesFilter(ctx, field, [value], ci);
    }
    case 'terms': {
      const [field, values] = singleField(body, kind);
      if (!Array.isArray(values)) throw new EqlRequestError('[terms] needs an array of values');
      return valuesFilter(ctx, field, values, false);
    }
    case 'match':
    case 'match_phrase': {
      const [field, spec] = singleField(body, kind);
      const q = isRecord(spec) ? spec.query : spec;
      if (typeof q !== 'string' && typeof q !== 'number' && typeof q !== 'boolean') throw new EqlRequestError(`[${kind}] needs a query`);
      const f = fieldGetter(ctx, field);
      if (f.info && f.info.type !== 'text') return valuesFilter(ctx, field, [q], false);
      const phrase = fold(String(q));
      const get = f.get;
      const test = (v: unknown): boolean => (typeof v === 'string' ? fold(v).includes(phrase) : looseEquals(v, q));
      return (d) => someValue(get(d), test);
    }
    case 'wildcard':
    case 'prefix': {
      const [field, spec] = singleField(body, kind);
      const raw = isRecord(spec) ? (spec.value ?? spec.wildcard) : spec;
      if (typeof raw !== 'string') throw new EqlRequestError(`[${kind}] needs a string value`);
      const ci = isRecord(spec) && spec.case_insensitive === true;
      const pattern = kind === 'prefix' ? `${raw.replace(/[*?]/g, '?')}*` : raw;
      const p = ci ? fold(pattern) : pattern;
      const get = fieldGetter(ctx, field).get;
      const test = (v: unknown): boolean => typeof v === 'string' && wildcardMatch(v, p, ci);
      return (d) => someValue(get(d), test);
    }
    case 'range': {
      const [field, spec] = singleField(body, kind);
      if (!isRecord(spec)) throw new EqlRequestError('[range] needs bounds');
      const f = fieldGetter(ctx, field);
      const isDate = f.info?.type === 'date';
      const bound = (v: unknown, up: boolean): unknown => {
        if (v === undefined || v === null) return undefined;
        if (isDate) {
          const ms = resolveDateMath(v, now, up);
          if (ms === null) throw new EqlRequestError(`[range] cannot parse date [${String(v)}]`);
          return ms;
        }
        return v;
      };
      const gt = bound(spec.gt, true);
      const gte = bound(spec.gte ?? spec.from, false);
      const lt = bound(spec.lt, false);
      const lte = bound(spec.lte ?? spec.to, true);
      const get = f.get;
      const cmp = (a: unknown, b: unknown): number | null => {
        const x = typeof a === 'string' && typeof b === 'number' ? Number(a) : a;
        if (typeof x === 'number' && typeof b === 'number') return Number.isNaN(x) ? null : x - b;
        if (typeof x === 'string' && typeof b === 'string') return x < b ? -1 : x > b ? 1 : 0;
        return null;
      };
      const inRange = (v: unknown): boolean => {
        let c: number | null;
        if (gt !== undefined && ((c = cmp(v, gt)) === null || c <= 0)) return false;
        if (gte !== undefined && ((c = cmp(v, gte)) === null || c < 0)) return false;
        if (lt !== undefined && ((c = cmp(v, lt)) === null || c >= 0)) return false;
        if (lte !== undefined && ((c = cmp(v, lte)) === null || c > 0)) return false;
        return true;
      };
      return (d) => someValue(get(d), inRange);
    }
    default:
      throw new EqlRequestError(`query type [${kind}] is not supported in filters (supported: bool, range, term, terms, match, match_phrase, wildcard, prefix, exists, match_all, match_none)`);
  }
}

function valuesFilter(ctx: EvalContext, field: string, values: unknown[], ci: boolean): DocFilter {
  const f = fieldGetter(ctx, field);
  const isDate = f.info?.type === 'date';
  const wanted = values.map((v) => (isDate ? parseDate(v) : ci && typeof v === 'string' ? fold(v) : v));
  const get = f.get;
  const test = (v: unknown): boolean => {
    const x = ci && typeof v === 'string' ? fold(v) : v;
    return wanted.some((w) => looseEquals(x, w) || (typeof x === 'boolean' && String(x) === w));
  };
  return (d) => someValue(get(d), test);
}
