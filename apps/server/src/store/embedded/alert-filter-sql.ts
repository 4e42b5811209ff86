import { AlertQuerySyntaxError, parseAlertQuery, type AlertFilter, type AlertQueryTerm } from '@execwatch/api';
import { isValidField, jsonPath } from './field-path';
import type { SqlFragment } from './prefilter-sql';

type Param = string | number;

/** A JSON value of `json_each` as the text a keyword field would hold (booleans as `true`/`false`). */
const EACH_TEXT = `(CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(value AS TEXT) END)`;

const inList = (expr: string, values: string[]): SqlFragment => ({
  sql: `${expr} IN (${values.map(() => '?').join(',')})`,
  params: values,
});

/** `*` wildcards -> a GLOB pattern matching the rest literally (case-sensitive, like a keyword field). */
export function globPattern(value: string): string {
  let out = '';
  for (const ch of value) {
    if (ch === '?') out += '[?]';
    else if (ch === '[') out += '[[]';
    else out += ch;
  }
  return out;
}

/** Free text -> a LIKE pattern over the lowercased search column (`*` wildcards kept). */
function containsPattern(value: string): string {
  let out = '%';
  for (const ch of value.toLowerCase()) {
    if (ch === '*') out += '%';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return `${out}%`;
}

/** A value test on a scalar column: exact, wildcard, or existence (`*`). */
function columnTest(col: string, value: string): SqlFragment {
  if (/^\*+$/.test(value)) return { sql: `${col} IS NOT NULL`, params: [] };
  if (value.includes('*')) return { sql: `${col} GLOB ?`, params: [globPattern(value)] };
  return { sql: `${col} = ?`, params: [value] };
}

/** A value test on any value of a JSON array/scalar at `path` of `col`. */
function jsonTest(col: string, path: string, value: string): SqlFragment {
  if (/^\*+$/.test(value)) return { sql: `coalesce(json_type(${col}, ?), 'null') <> 'null'`, params: [path] };
  const op = value.includes('*') ? 'GLOB' : '=';
  return {
    sql: `EXISTS (SELECT 1 FROM json_each(${col}, ?) WHERE ${EACH_TEXT} ${op} ?)`,
    params: [path, op === 'GLOB' ? globPattern(value) : value],
  };
}

function termSql(term: AlertQueryTerm): SqlFragment {
  let cond: SqlFragment;
  if (term.kind === 'text') {
    cond = { sql: `search_text LIKE ? ESCAPE '\\'`, params: [containsPattern(term.value)] };
  } else {
    switch (term.field) {
      case 'status':
      case 'severity':
      case 'namespace':
      case 'pod':
      case 'user':
      case 'cluster':
      case 'requested_by':
      case 'attribution':
        cond = columnTest(term.field, term.value);
        break;
      case 'image': {
        const a = columnTest('image', term.value);
        const b = jsonTest('doc', '$.container.image.name', term.value);
        cond = { sql: `(${a.sql}) OR (${b.sql})`, params: [...a.params, ...b.params] };
        break;
      }
      case 'rule': {
        const a = columnTest('rule_name', term.value);
        const b = columnTest('rule_id', term.value);
        cond = { sql: `(${a.sql}) OR (${b.sql})`, params: [...a.params, ...b.params] };
        break;
      }
      case 'host':
        cond = jsonTest('doc', '$.host.name', term.value);
        break;
      case 'tag':
        cond = jsonTest('tags', '$', term.value);
        break;
      case 'assignee':
        cond = jsonTest('assignees', '$', term.value);
        break;
      default:
        cond = jsonTest('doc', jsonPath(term.field), term.value);
    }
  }
  return term.negate ? { sql: `NOT coalesce((${cond.sql}), 0)`, params: cond.params } : cond;
}

function parseDate(name: string, value: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new AlertQuerySyntaxError(`${name} is not a date: ${value.slice(0, 60)}`, 0);
  return t;
}

/**
 * Translates an alert filter into a WHERE clause over the `alerts` table (always bound parameters;
 * field names validated). `ignoreStatus` drops the status filter (the per-status counts).
 */
export function alertFilterSql(filter: AlertFilter, opts: { ignoreStatus?: boolean } = {}): SqlFragment {
  const parts: SqlFragment[] = [];
  if (filter.from !== undefined) parts.push({ sql: 'ts >= ?', params: [parseDate('from', filter.from)] });
  if (filter.to !== undefined) parts.push({ sql: 'ts <= ?', params: [parseDate('to', filter.to)] });
  if (filter.status?.length && !opts.ignoreStatus) parts.push(inList('status', filter.status));
  if (filter.severity?.length) parts.push(inList('severity', filter.severity));
  if (filter.rule_id?.length) parts.push(inList('rule_id', filter.rule_id));
  if (filter.namespace?.length) parts.push(inList('namespace', filter.namespace));
  if (filter.pod?.length) parts.push(inList('pod', filter.pod));
  if (filter.session_id?.length) parts.push(inList('session_id', filter.session_id));
  if (filter.image?.length) {
    const a = inList('image', filter.image);
    const b = inList(`(doc ->> '$.container.image.name')`, filter.image);
    parts.push({ sql: `(${a.sql}) OR (${b.sql})`, params: [...a.params, ...b.params] });
  }
  if (filter.user?.length) parts.push(inList('user', filter.user));
  if (filter.requested_by?.length) parts.push(inList('requested_by', filter.requested_by));
  if (filter.attribution?.length) parts.push(inList('attribution', filter.attribution));
  if (filter.min_session_risk !== undefined) parts.push({ sql: 'session_risk >= ?', params: [filter.min_session_risk] });
  if (filter.assignee?.length) {
    const t = inList('value', filter.assignee);
    parts.push({ sql: `EXISTS (SELECT 1 FROM json_each(assignees) WHERE ${t.sql})`, params: t.params });
  }
  if (filter.tag?.length) {
    const t = inList('value', filter.tag);
    parts.push({ sql: `EXISTS (SELECT 1 FROM json_each(tags) WHERE ${t.sql})`, params: t.params });
  }
  for (const [field, value] of Object.entries(filter.fields ?? {})) {
    if (!isValidField(field)) throw new AlertQuerySyntaxError(`invalid field name "${field.slice(0, 60)}"`, 0);
    parts.push({ sql: `EXISTS (SELECT 1 FROM json_each(doc, ?) WHERE ${EACH_TEXT} = ?)`, params: [jsonPath(field), value] });
  }
  if (filter.query !== undefined && filter.query.trim() !== '') {
    for (const term of parseAlertQuery(filter.query).terms) parts.push(termSql(term));
  }
  if (parts.length === 0) return { sql: '1', params: [] };
  const params: Param[] = parts.flatMap((p) => p.params);
  return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params };
}
