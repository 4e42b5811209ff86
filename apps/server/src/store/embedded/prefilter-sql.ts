import { jsonPath, parentPaths } from './field-path';

/** The loose pre-filter @execwatch/eql derives from a query (structurally the same type). */
export type Prefilter =
  | { kind: 'true' }
  | { kind: 'and' | 'or'; args: Prefilter[] }
  | { kind: 'eq'; field: string; values: (string | number | boolean)[]; caseInsensitive: boolean }
  | { kind: 'exists'; field: string }
  | { kind: 'wildcard'; field: string; patterns: string[]; caseInsensitive: boolean };

export interface SqlFragment {
  sql: string;
  params: (string | number)[];
}

const TRUE: SqlFragment = { sql: '1', params: [] };
// eslint-disable-next-line no-control-regex -- ASCII test
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Translates a pre-filter into a WHERE fragment over the JSONB column `col`. The result is a loose
 * superset of the matching rows: anything SQL cannot decide exactly (arrays, objects inside arrays,
 * non-ASCII case folding) passes through and the exact matcher in JS decides.
 */
export function prefilterToSql(pf: Prefilter, col = 'doc'): SqlFragment {
  switch (pf.kind) {
    case 'true':
      return TRUE;
    case 'and':
    case 'or': {
      const parts = pf.args.map((a) => prefilterToSql(a, col));
      if (pf.kind === 'and') {
        const real = parts.filter((p) => p.sql !== '1');
        if (real.length === 0) return TRUE;
        return join(real, ' AND ');
      }
      if (parts.length === 0 || parts.some((p) => p.sql === '1')) return TRUE;
      return join(parts, ' OR ');
    }
    case 'exists':
      return leaf(pf.field, col, (p) => ({ sql: `${col} ->> ? IS NOT NULL`, params: [p] }));
    case 'eq':
      return leaf(pf.field, col, (p) => eqSql(p, pf.values, pf.caseInsensitive, col));
    case 'wildcard':
      return leaf(pf.field, col, (p) => wildcardSql(p, pf.patterns, pf.caseInsensitive, col));
  }
}

function join(parts: SqlFragment[], op: string): SqlFragment {
  if (parts.length === 1) return parts[0] as SqlFragment; // length checked
  return { sql: parts.map((p) => `(${p.sql})`).join(op), params: parts.flatMap((p) => p.params) };
}

/** Wraps a scalar test so rows where the field or a parent is an array still pass (decided in JS). */
function leaf(field: string, col: string, scalar: (path: string) => SqlFragment): SqlFragment {
  const path = jsonPath(field);
  const s = scalar(path);
  const alternatives = [s.sql, `json_type(${col}, ?) = 'array'`];
  const params: (string | number)[] = [...s.params, path];
  for (const parent of parentPaths(field)) {
    alternatives.push(`json_type(${col}, ?) = 'array'`);
    params.push(parent);
  }
  return { sql: alternatives.join(' OR '), params };
}

function eqSql(path: string, values: (string | number | boolean)[], ci: boolean, col: string): SqlFragment {
  const forms = new Set<string | number>();
  for (const v of values) {
    if (typeof v === 'boolean') {
      forms.add(v ? 1 : 0);
      forms.add(String(v));
    } else if (typeof v === 'number') {
      forms.add(v);
      forms.add(String(v));
    } else {
      if (ci && !ASCII.test(v)) return { sql: `${col} ->> ? IS NOT NULL`, params: [path] };
      forms.add(ci ? v.toLowerCase() : v);
      const n = Number(v);
      if (v.trim() !== '' && Number.isFinite(n)) forms.add(n);
      if (v === 'true') forms.add(1);
      if (v === 'false') forms.add(0);
    }
  }
  if (forms.size === 0) return { sql: '0', params: [] };
  const list = [...forms];
  const lhs = ci ? `lower(${col} ->> ?)` : `${col} ->> ?`;
  return { sql: `${lhs} IN (${list.map(() => '?').join(',')})`, params: [path, ...list] };
}

function wildcardSql(path: string, patterns: string[], ci: boolean, col: string): SqlFragment {
  if (patterns.length === 0) return { sql: '0', params: [] };
  const parts: string[] = [];
  const params: (string | number)[] = [];
  for (const p of patterns) {
    if (/^\**$/.test(p)) return { sql: `${col} ->> ? IS NOT NULL`, params: [path] };
    if (ci && !ASCII.test(p)) return { sql: `${col} ->> ? IS NOT NULL`, params: [path] };
    // LIKE folds ASCII case: a superset of the case-sensitive match too.
    parts.push(`${col} ->> ? LIKE ? ESCAPE '\\'`);
    params.push(path, likePattern(p));
  }
  return { sql: parts.join(' OR '), params };
}

/** EQL wildcard (`*`, `?`) -> LIKE pattern with `\` escaping. */
export function likePattern(p: string): string {
  let out = '';
  for (const ch of p) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
