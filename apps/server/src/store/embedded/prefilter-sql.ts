import { jsonPath, parentPaths } from './field-path';
import { HOT_EXISTS_COLUMNS, HOT_FIELD_COLUMNS, NESTED_ARRAYS_COLUMN } from './hot-fields';

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
  /** False when the fragment reads only indexed columns (evaluated before the row is read). */
  usesDoc?: boolean;
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
        // Index-only tests first: SQLite reads the row only once a test needs the document.
        const real = parts.filter((p) => p.sql !== '1').sort((a, b) => Number(a.usesDoc !== false) - Number(b.usesDoc !== false));
        if (real.length === 0) return TRUE;
        return join(real, ' AND ');
      }
      if (parts.length === 0 || parts.some((p) => p.sql === '1')) return TRUE;
      return join(parts, ' OR ');
    }
    case 'exists': {
      const hot = HOT_EXISTS_COLUMNS[pf.field];
      if (hot !== undefined) return hotLeaf(hot, []);
      return leaf(pf.field, col, (p) => ({ sql: `${col} ->> ? IS NOT NULL`, params: [p] }));
    }
    case 'eq': {
      const hot = HOT_FIELD_COLUMNS[pf.field];
      if (hot !== undefined) return hotEq(hot, pf.values, pf.caseInsensitive);
      return leaf(pf.field, col, (p) => eqSql(p, pf.values, pf.caseInsensitive, col));
    }
    case 'wildcard': {
      const hotExists = HOT_EXISTS_COLUMNS[pf.field];
      if (hotExists !== undefined && pf.patterns.length > 0 && pf.patterns.every((p) => /^\*+$/.test(p))) return hotLeaf(hotExists, []);
      return leaf(pf.field, col, (p) => wildcardSql(p, pf.patterns, pf.caseInsensitive, col));
    }
  }
}

/** A test on generated columns, passing rows where a parent object is an array. */
function hotLeaf(sql: string, params: (string | number)[]): SqlFragment {
  return { sql: `(${sql}) OR ${NESTED_ARRAYS_COLUMN}`, params, usesDoc: false };
}

// Characters JSON text escapes: values holding them are not searched for inside array text.
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** Equality on a generated column; arrays are stored as JSON text, searched for the quoted value. */
function hotEq(column: string, values: (string | number | boolean)[], ci: boolean): SqlFragment {
  const forms = eqForms(values, ci);
  if (forms === 'loose') return hotLeaf(`${column} IS NOT NULL`, []);
  if (forms.length === 0) return { sql: '0', params: [], usesDoc: false };
  const lhs = ci ? `lower(${column})` : column;
  const strings = values.filter((v): v is string => typeof v === 'string');
  const arrayParts: string[] = [];
  const arrayParams: (string | number)[] = [];
  let arrayAny = strings.length !== values.length;
  for (const v of strings) {
    if (NEEDS_ESCAPE.test(v)) arrayAny = true;
    else {
      arrayParts.push(`instr(${lhs}, ?) > 0`);
      arrayParams.push(JSON.stringify(ci ? v.toLowerCase() : v));
    }
  }
  if (arrayAny || arrayParts.length === 0) {
    return hotLeaf(`${lhs} IN (${forms.map(() => '?').join(',')}) OR substr(${column}, 1, 1) = '['`, forms);
  }
  return hotLeaf(`${lhs} IN (${forms.map(() => '?').join(',')}) OR (substr(${column}, 1, 1) = '[' AND (${arrayParts.join(' OR ')}))`, [...forms, ...arrayParams]);
}

function join(parts: SqlFragment[], op: string): SqlFragment {
  if (parts.length === 1) return parts[0] as SqlFragment; // length checked
  return {
    sql: parts.map((p) => `(${p.sql})`).join(op),
    params: parts.flatMap((p) => p.params),
    usesDoc: parts.some((p) => p.usesDoc !== false),
  };
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

/** The values an equality may meet in stored JSON (booleans as 1/0 or text, numbers as numbers or text), or 'loose'. */
function eqForms(values: (string | number | boolean)[], ci: boolean): (string | number)[] | 'loose' {
  const forms = new Set<string | number>();
  for (const v of values) {
    if (typeof v === 'boolean') {
      forms.add(v ? 1 : 0);
      forms.add(String(v));
    } else if (typeof v === 'number') {
      forms.add(v);
      forms.add(String(v));
    } else {
      // SQLite's lower() folds ASCII only: non-ASCII case-insensitive values are left to JS.
      if (ci && !ASCII.test(v)) return 'loose';
      forms.add(ci ? v.toLowerCase() : v);
      const n = Number(v);
      if (v.trim() !== '' && Number.isFinite(n)) forms.add(n);
      if (v === 'true') forms.add(1);
      if (v === 'false') forms.add(0);
    }
  }
  return [...forms];
}

function eqSql(path: string, values: (string | number | boolean)[], ci: boolean, col: string): SqlFragment {
  const forms = eqForms(values, ci);
  if (forms === 'loose') return { sql: `${col} ->> ? IS NOT NULL`, params: [path] };
  if (forms.length === 0) return { sql: '0', params: [] };
  const lhs = ci ? `lower(${col} ->> ?)` : `${col} ->> ?`;
  return { sql: `${lhs} IN (${forms.map(() => '?').join(',')})`, params: [path, ...forms] };
}

function wildcardSql(path: string, patterns: string[], ci: boolean, col: string): SqlFragment {
  if (patterns.length === 0) return { sql: '0', params: [] };
  // Booleans and numbers print differently in SQL and JS (0 vs "false", 100.0 vs "100"): let JS decide them.
  const parts: string[] = [`json_type(${col}, ?) IN ('true', 'false', 'integer', 'real')`];
  const params: (string | number)[] = [path];
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
