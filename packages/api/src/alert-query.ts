/**
 * The alert list's KQL-like `query`: whitespace-separated terms, ANDed.
 *   word            free text over the alert's searchable text (case-insensitive, `*` wildcards)
 *   requested_by:v  the Kubernetes user behind the exec (exact attributions); attribution:exact|ambiguous|none|unknown
 *   "two words"     free-text phrase
 *   field:value     exact match on a field (value may be quoted, `*` wildcards; `field:*` = field exists)
 *   NOT term, -term negation
 *   AND             allowed between terms (it is the default)
 * Anything else (OR, parentheses, ranges, empty values, bad field names) is a syntax error.
 */

import { isFieldName } from './field-names';

/** Short field names the list understands besides any dotted document field. */
export const ALERT_QUERY_ALIASES = ['status', 'severity', 'rule', 'namespace', 'pod', 'image', 'user', 'cluster', 'host', 'tag', 'assignee', 'requested_by', 'attribution'] as const;
export type AlertQueryAlias = (typeof ALERT_QUERY_ALIASES)[number];

export type AlertQueryTerm =
  | { kind: 'text'; value: string; negate: boolean }
  | { kind: 'field'; field: string; value: string; negate: boolean };

export interface ParsedAlertQuery {
  terms: AlertQueryTerm[];
}

/** A query the parser rejects; the server answers it with 400. */
export class AlertQuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`invalid query at position ${position + 1}: ${message}`);
    this.name = 'AlertQuerySyntaxError';
  }
}

const MAX_TERMS = 50;

/** True when `name` is usable as a query field (an alias or a dotted field name). */
export function isAlertQueryField(name: string): boolean {
  return isFieldName(name);
}

/** True when a value uses `*` wildcards (unescaped). */
export function hasWildcard(value: string): boolean {
  return value.includes('*');
}

const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

/** Parses a query; throws AlertQuerySyntaxError with the position of the problem. */
export function parseAlertQuery(input: string): ParsedAlertQuery {
  const terms: AlertQueryTerm[] = [];
  let i = 0;
  let pendingNot: number | null = null;
  let pendingAnd: number | null = null;
  const n = input.length;

  const readQuoted = (start: number): { value: string; end: number } => {
    let value = '';
    let j = start + 1;
    while (j < n) {
      const ch = input[j] as string; // j < n
      if (ch === '\\') {
        if (j + 1 >= n) break;
        value += input[j + 1];
        j += 2;
        continue;
      }
      if (ch === '"') return { value, end: j + 1 };
      value += ch;
      j++;
    }
    throw new AlertQuerySyntaxError('unterminated quoted string', start);
  };

  const readBare = (start: number): { value: string; end: number } => {
    let j = start;
    let value = '';
    while (j < n && !isSpace(input[j] as string)) {
      const ch = input[j] as string; // j < n
      if (ch === '(' || ch === ')') throw new AlertQuerySyntaxError('parentheses are not supported', j);
      if (ch === '"') throw new AlertQuerySyntaxError('unexpected quote inside a word', j);
      if (ch === '\\') {
        if (j + 1 >= n) throw new AlertQuerySyntaxError('dangling escape', j);
        value += input[j + 1];
        j += 2;
        continue;
      }
      value += ch;
      j++;
    }
    return { value, end: j };
  };

  while (i < n) {
    const ch = input[i] as string; // i < n
    if (isSpace(ch)) {
      i++;
      continue;
    }
    const start = i;
    let negate = false;
    if (ch === '-' && i + 1 < n && !isSpace(input[i + 1] as string)) {
      negate = true;
      i++;
    }
    let term: AlertQueryTerm;
    if (input[i] === '"') {
      const q = readQuoted(i);
      i = q.end;
      if (i < n && !isSpace(input[i] as string)) throw new AlertQuerySyntaxError('expected a space after the closing quote', i);
      if (q.value.trim() === '') throw new AlertQuerySyntaxError('empty phrase', start);
      term = { kind: 'text', value: q.value, negate };
    } else {
      // A field name runs up to the first unescaped colon of the word.
      let j = i;
      while (j < n && !isSpace(input[j] as string) && input[j] !== ':' && input[j] !== '"' && input[j] !== '\\') j++;
      if (j < n && input[j] === ':') {
        const field = input.slice(i, j);
        if (field === '') throw new AlertQuerySyntaxError('missing field name before ":"', i);
        if (!isAlertQueryField(field)) throw new AlertQuerySyntaxError(`invalid field name "${field.slice(0, 60)}"`, i);
        j++;
        if (j >= n || isSpace(input[j] as string)) throw new AlertQuerySyntaxError(`missing value after "${field}:"`, j);
        let value: string;
        if (input[j] === '"') {
          const q = readQuoted(j);
          if (q.value === '') throw new AlertQuerySyntaxError(`empty value after "${field}:"`, j);
          value = q.value;
          i = q.end;
          if (i < n && !isSpace(input[i] as string)) throw new AlertQuerySyntaxError('expected a space after the closing quote', i);
        } else {
          if (input[j] === '<' || input[j] === '>') throw new AlertQuerySyntaxError('range queries are not supported', j);
          const b = readBare(j);
          value = b.value;
          i = b.end;
          if (value.includes(':')) throw new AlertQuerySyntaxError('unexpected ":" in a value (quote it)', j);
        }
        term = { kind: 'field', field, value, negate };
      } else {
        const b = readBare(i);
        i = b.end;
        const word = b.value;
        if (!negate && pendingNot === null && b.value === input.slice(start, i)) {
          if (word === 'NOT') {
            pendingNot = start;
            continue;
          }
          if (word === 'AND') {
            if (terms.length === 0 || pendingAnd !== null) throw new AlertQuerySyntaxError('AND needs a term before it', start);
            pendingAnd = start;
            continue;
          }
          if (word === 'OR') throw new AlertQuerySyntaxError('OR is not supported (terms are ANDed)', start);
        } else if (word === 'NOT' || word === 'AND' || word === 'OR') {
          throw new AlertQuerySyntaxError(`unexpected ${word}`, start);
        }
        if (word === '') throw new AlertQuerySyntaxError('empty term', start);
        if (/^\**$/.test(word)) throw new AlertQuerySyntaxError('a bare "*" matches everything; remove it', start);
        term = { kind: 'text', value: word, negate };
      }
    }
    if (pendingNot !== null) {
      if (term.negate) throw new AlertQuerySyntaxError('double negation', pendingNot);
      term = { ...term, negate: true };
      pendingNot = null;
    }
    terms.push(term);
    pendingAnd = null;
    if (terms.length > MAX_TERMS) throw new AlertQuerySyntaxError(`at most ${MAX_TERMS} terms`, start);
  }
  if (pendingNot !== null) throw new AlertQuerySyntaxError('NOT needs a term after it', pendingNot);
  if (pendingAnd !== null) throw new AlertQuerySyntaxError('AND needs a term after it', pendingAnd);
  return { terms };
}
