/**
 * The subset of Elasticsearch's query DSL that SOAR connectors send to Kibana's `signals/search` and
 * `signals/status`: `bool` (`must`, `filter`, `should`, `must_not`, `minimum_should_match`), `term`, `terms`,
 * `range`, `match`, `match_phrase`, `exists`, `ids`, `match_all`; `sort`; `aggs` with `terms` (nested too).
 * Queries are evaluated on alert documents as a cluster would evaluate them on keyword fields; what the subset
 * lacks is refused by name, never silently ignored. `alertFilterOf` maps what it can onto AlertFilter, so that the
 * store narrows the alerts before they are evaluated.
 */
import type { AlertFilter, WorkflowStatus } from '@execwatch/api';
import { badRequest } from '../../http/errors';
import { tryResolveDate } from '../../services/dates';
import { getField } from '../../services/detection/get-field';

/** A query as a predicate over an alert (its id and document). */
export type AlertPredicate = (alert: { id: string; doc: Record<string, unknown> }) => boolean;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The values of a field in an alert: `_id` is the alert's id; arrays are each of their values. */
export function fieldValues(alert: { id: string; doc: Json }, field: string): unknown[] {
  if (field === '_id') return [alert.id];
  const v = getField(alert.doc, field);
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined) : [v];
}

/** Whether two values are equal as a term query compares them (numbers and strings of numbers, booleans and "true"). */
function sameTerm(value: unknown, wanted: unknown): boolean {
  if (value === wanted) return true;
  if (typeof wanted === 'number' || typeof value === 'number') return Number(value) === Number(wanted) && String(value).trim() !== '';
  if (typeof wanted === 'boolean' || typeof value === 'boolean') return String(value) === String(wanted);
  return false;
}

function single(query: Json, what: string): [string, unknown] {
  const entries = Object.entries(query);
  if (entries.length !== 1) throw badRequest(`query: [${what}] takes one field, found ${entries.length}`);
  return entries[0] as [string, unknown]; // length checked
}

function comparable(value: unknown, now: number): number | string | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  const n = Number(value);
  if (value.trim() !== '' && Number.isFinite(n)) return n;
  const t = tryResolveDate(value, now);
  return t ?? value;
}

function rangeOf(spec: unknown, now: number): (v: unknown) => boolean {
  if (!isObject(spec)) throw badRequest('query: [range] takes an object of bounds (gte, gt, lte, lt)');
  const known = new Set(['gte', 'gt', 'lte', 'lt', 'format', 'time_zone', 'boost']);
  for (const k of Object.keys(spec)) if (!known.has(k)) throw badRequest(`query: [range] does not take [${k}]`);
  const bound = (k: string) => (spec[k] === undefined || spec[k] === null ? null : comparable(spec[k], now));
  const [gte, gt, lte, lt] = [bound('gte'), bound('gt'), bound('lte'), bound('lt')];
  return (raw) => {
    const v = comparable(raw, now);
    if (v === null) return false;
    const cmp = (b: number | string) => (typeof v === typeof b ? (v < b ? -1 : v > b ? 1 : 0) : null);
    const ok = (b: number | string | null, test: (c: number) => boolean) => {
      if (b === null) return true;
      const c = cmp(b);
      return c !== null && test(c);
    };
    return ok(gte, (c) => c >= 0) && ok(gt, (c) => c > 0) && ok(lte, (c) => c <= 0) && ok(lt, (c) => c < 0);
  };
}

const tokens = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((t) => t !== '');

/** Compiles a query of the subset into a predicate; 400 naming what is not supported. */
export function compileQuery(query: unknown, now: number, depth = 0): AlertPredicate {
  if (query === undefined) return () => true;
  if (!isObject(query)) throw badRequest('query: expected a query object');
  if (depth > 20) throw badRequest('query: nested too deep');
  const [kind, spec] = single(query, 'query');
  switch (kind) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'bool': {
      if (!isObject(spec)) throw badRequest('query: [bool] takes an object');
      const known = new Set(['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost']);
      for (const k of Object.keys(spec)) if (!known.has(k)) throw badRequest(`query: [bool] does not take [${k}]`);
      const all = [...asList(spec.must), ...asList(spec.filter)].map((q) => compileQuery(q, now, depth + 1));
      const none = asList(spec.must_not).map((q) => compileQuery(q, now, depth + 1));
      const some = asList(spec.should).map((q) => compileQuery(q, now, depth + 1));
      const msm = spec.minimum_should_match;
      const minShould = typeof msm === 'number' ? msm : typeof msm === 'string' && /^\d+$/.test(msm) ? Number(msm) : all.length > 0 ? 0 : some.length > 0 ? 1 : 0;
      return (a) => all.every((p) => p(a)) && !none.some((p) => p(a)) && (minShould === 0 || some.filter((p) => p(a)).length >= minShould);
    }
    case 'term': {
      if (!isObject(spec)) throw badRequest('query: [term] takes an object');
      const [field, v] = single(spec, 'term');
      const wanted = isObject(v) ? v.value : v;
      const insensitive = isObject(v) && v.case_insensitive === true;
      return (a) => fieldValues(a, field).some((x) => sameTerm(x, wanted) || (insensitive && typeof x === 'string' && typeof wanted === 'string' && x.toLowerCase() === wanted.toLowerCase()));
    }
    case 'terms': {
      if (!isObject(spec)) throw badRequest('query: [terms] takes an object');
      const fields = Object.entries(spec).filter(([k]) => k !== 'boost');
      if (fields.length !== 1) throw badRequest('query: [terms] takes one field');
      const [field, list] = fields[0] as [string, unknown]; // length checked
      if (!Array.isArray(list)) throw badRequest(`query: [terms] [${field}] takes an array of values`);
      return (a) => fieldValues(a, field).some((x) => list.some((w) => sameTerm(x, w)));
    }
    case 'ids': {
      if (!isObject(spec) || !Array.isArray(spec.values)) throw badRequest('query: [ids] takes { "values": [...] }');
      const ids = new Set(spec.values.map(String));
      return (a) => ids.has(a.id);
    }
    case 'exists': {
      if (!isObject(spec) || typeof spec.field !== 'string') throw badRequest('query: [exists] takes { "field": "..." }');
      const field = spec.field;
      return (a) => fieldValues(a, field).length > 0;
    }
    case 'range': {
      if (!isObject(spec)) throw badRequest('query: [range] takes an object');
      const [field, bounds] = single(spec, 'range');
      const inRange = rangeOf(bounds, now);
      return (a) => fieldValues(a, field).some(inRange);
    }
    case 'match':
    case 'match_phrase': {
      if (!isObject(spec)) throw badRequest(`query: [${kind}] takes an object`);
      const [field, v] = single(spec, kind);
      const text = isObject(v) ? v.query : v;
      if (typeof text !== 'string' && typeof text !== 'number' && typeof text !== 'boolean') throw badRequest(`query: [${kind}] [${field}] takes a value`);
      const wanted = tokens(String(text));
      const and = kind === 'match_phrase' || (isObject(v) && String(v.operator ?? 'or').toLowerCase() === 'and');
      return (a) =>
        fieldValues(a, field).some((x) => {
          if (sameTerm(x, text)) return true;
          if (typeof x !== 'string') return false;
          if (kind === 'match_phrase') return x.toLowerCase().includes(String(text).toLowerCase());
          const have = new Set(tokens(x));
          return and ? wanted.every((t) => have.has(t)) : wanted.some((t) => have.has(t));
        });
    }
    default:
      throw badRequest(`query: [${kind}] is not supported here (supported: bool, term, terms, ids, exists, range, match, match_phrase, match_all)`);
  }
}

const STATUSES = new Set<WorkflowStatus>(['open', 'acknowledged', 'closed']);

/**
 * What of a query's required clauses (top-level `must`/`filter` and nested `bool`s of them) AlertFilter can say,
 * so that the store returns fewer alerts to evaluate. Always a superset of what the query selects.
 */
export function alertFilterOf(query: unknown, now: number): AlertFilter {
  const filter: AlertFilter = {};
  const required: unknown[] = [];
  const collect = (q: unknown) => {
    if (!isObject(q)) return;
    if (isObject(q.bool)) {
      for (const c of [...asList(q.bool.must), ...asList(q.bool.filter)]) collect(c);
      return;
    }
    required.push(q);
  };
  collect(query);
  const valuesOf = (q: Json, field: string): unknown[] | null => {
    if (isObject(q.term) && field in q.term) {
      const v = q.term[field];
      return [isObject(v) ? v.value : v];
    }
    if (isObject(q.terms) && Array.isArray(q.terms[field])) return q.terms[field] as unknown[];
    return null;
  };
  for (const q of required) {
    if (!isObject(q)) continue;
    const status = valuesOf(q, 'kibana.alert.workflow_status');
    if (status && status.every((s): s is WorkflowStatus => typeof s === 'string' && STATUSES.has(s as WorkflowStatus))) filter.status = status as WorkflowStatus[]; // checked just above
    const rule = valuesOf(q, 'kibana.alert.rule.rule_id');
    if (rule && rule.every((r) => typeof r === 'string')) filter.rule_id = rule as string[]; // checked just above
    if (isObject(q.range) && isObject(q.range['@timestamp'])) {
      const r = q.range['@timestamp'];
      const at = (v: unknown) => (typeof v === 'string' ? tryResolveDate(v, now) : typeof v === 'number' ? v : null);
      const from = at(r.gte ?? r.gt);
      const to = at(r.lte ?? r.lt);
      if (from !== null) filter.from = new Date(from).toISOString();
      if (to !== null) filter.to = new Date(to).toISOString();
    }
  }
  return filter;
}

export interface SortKey {
  field: string;
  order: 'asc' | 'desc';
}

/** `sort` as Elasticsearch takes it: a field, `{ field: "desc" }`, `{ field: { order } }`, or a list of them. */
export function parseSort(sort: unknown): SortKey[] {
  const out: SortKey[] = [];
  for (const s of asList(sort)) {
    if (typeof s === 'string') {
      out.push({ field: s, order: s === '_score' ? 'desc' : 'asc' });
      continue;
    }
    if (!isObject(s)) throw badRequest('sort: expected a field name or { "field": { "order": "asc" | "desc" } }');
    for (const [field, v] of Object.entries(s)) {
      const order = typeof v === 'string' ? v : isObject(v) ? v.order : 'asc';
      if (order !== 'asc' && order !== 'desc') throw badRequest(`sort: [${field}] order must be asc or desc`);
      out.push({ field, order });
    }
  }
  return out;
}

/** The sort value of a field: its first value (the smallest or largest of several, as the order asks). */
export function sortValue(alert: { id: string; doc: Json }, key: SortKey): string | number | null {
  const values = fieldValues(alert, key.field).filter((v): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean').map((v) => (typeof v === 'boolean' ? Number(v) : v));
  if (values.length === 0) return null;
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return (key.order === 'asc' ? values[0] : values[values.length - 1]) ?? null;
}

/** Compares two alerts by sort keys; missing values last, as Elasticsearch sorts them. */
export function compareBy(keys: SortKey[]): (a: { id: string; doc: Json }, b: { id: string; doc: Json }) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = sortValue(a, k);
      const y = sortValue(b, k);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = typeof x === typeof y ? (x < y ? -1 : 1) : String(x) < String(y) ? -1 : 1;
      return k.order === 'asc' ? c : -c;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

interface TermsBucket {
  key: string | number | boolean;
  key_as_string?: string;
  doc_count: number;
  [sub: string]: unknown;
}

/** `aggs` with `terms` (and `terms` under them) over the matched alerts, in Elasticsearch's response shape. */
export function aggregate(aggs: unknown, alerts: { id: string; doc: Json }[], depth = 0): Record<string, unknown> {
  if (!isObject(aggs)) throw badRequest('aggs: expected an object of named aggregations');
  if (depth > 5) throw badRequest('aggs: nested too deep');
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(aggs)) {
    if (!isObject(spec)) throw badRequest(`aggs: [${name}] expected an object`);
    const kinds = Object.keys(spec).filter((k) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
    if (kinds.length !== 1 || kinds[0] !== 'terms') throw badRequest(`aggs: [${name}] [${kinds.join(', ')}] is not supported here (supported: terms)`);
    const terms = spec.terms;
    if (!isObject(terms) || typeof terms.field !== 'string') throw badRequest(`aggs: [${name}] [terms] takes { "field": "..." }`);
    const field = terms.field;
    const size = typeof terms.size === 'number' && Number.isInteger(terms.size) && terms.size >= 0 ? Math.min(terms.size, 10_000) : 10;
    const missing = terms.missing;
    const groups = new Map<string, { key: string | number | boolean; alerts: { id: string; doc: Json }[] }>();
    for (const a of alerts) {
      let values = fieldValues(a, field).filter((v): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
      if (values.length === 0 && (typeof missing === 'string' || typeof missing === 'number')) values = [missing];
      for (const v of new Set(values)) {
        const k = `${typeof v}:${String(v)}`;
        const g = groups.get(k) ?? { key: v, alerts: [] };
        g.alerts.push(a);
        groups.set(k, g);
      }
    }
    const order = isObject(terms.order) ? terms.order : { _count: 'desc' };
    const [orderBy, direction] = (Object.entries(order)[0] ?? ['_count', 'desc']) as [string, unknown];
    const sign = direction === 'asc' ? 1 : -1;
    const sorted = [...groups.values()].sort((x, y) => {
      const c = orderBy === '_key' ? (x.key < y.key ? -1 : x.key > y.key ? 1 : 0) : x.alerts.length - y.alerts.length;
      if (c !== 0) return sign * c;
      return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
    });
    const shown = sorted.slice(0, size);
    const sub = spec.aggs ?? spec.aggregations;
    const buckets: TermsBucket[] = shown.map((g) => ({
      key: g.key,
      ...(typeof g.key === 'boolean' ? { key: g.key ? 1 : 0, key_as_string: String(g.key) } : {}),
      doc_count: g.alerts.length,
      ...(sub !== undefined ? aggregate(sub, g.alerts, depth + 1) : {}),
    }));
    out[name] = { doc_count_error_upper_bound: 0, sum_other_doc_count: sorted.slice(size).reduce((n, g) => n + g.alerts.length, 0), buckets };
  }
  return out;
}
