/**
 * The field conditions a rule's EQL query requires of every event it matches (its top-level `and` terms), so
 * that checklist steps which only restate them can be answered from the alert's own fields.
 */
import { parse, type Expr, type Literal } from '@execwatch/eql';

/** One required condition: `field` must hold a value that `test` accepts. */
export interface FieldCondition {
  field: string;
  /** The condition as the query states it, e.g. `== true` or `: "container"`. */
  text: string;
  test(values: readonly string[]): boolean;
}

const show = (v: Literal) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'si' : 's');
}

function conjuncts(e: Expr, out: Expr[]): Expr[] {
  if (e.type === 'and') {
    conjuncts(e.left, out);
    conjuncts(e.right, out);
  } else out.push(e);
  return out;
}

function literalOf(e: Expr): Literal | undefined {
  return e.type === 'literal' ? e.value : undefined;
}

function conditionOf(e: Expr): FieldCondition | null {
  if (e.type === 'compare' && e.op === '==' && e.left.type === 'field') {
    const value = literalOf(e.right);
    if (value === undefined || value === null) return null;
    const expected = String(value);
    return { field: e.left.path, text: `== ${show(value)}`, test: (values) => values.some((v) => v === expected) };
  }
  if (e.type === 'match' && e.kind !== 'regex' && e.arg.type === 'field') {
    const patterns = e.patterns.filter((p): p is string => typeof p === 'string');
    if (patterns.length === 0) return null;
    // `:` compares without case, as EQL does
    const res = patterns.map((p) => wildcard(p, e.caseInsensitive || e.kind === 'seq'));
    return { field: e.arg.path, text: `: ${patterns.map(show).join(', ')}`, test: (values) => values.some((v) => res.some((r) => r.test(v))) };
  }
  if (e.type === 'in' && !e.negated && e.arg.type === 'field') {
    const allowed = e.values.map(literalOf).filter((v): v is string | number | boolean => v !== undefined && v !== null);
    if (allowed.length !== e.values.length) return null;
    const set = new Set(allowed.map((v) => (e.caseInsensitive ? String(v).toLowerCase() : String(v))));
    return { field: e.arg.path, text: `in (${allowed.map(show).join(', ')})`, test: (values) => values.some((v) => set.has(e.caseInsensitive ? v.toLowerCase() : v)) };
  }
  return null;
}

/** The conditions of an event query's top-level `and` terms; none for sequences, samples or a query that does not parse. */
export function ruleConditions(query: string, language: string | null): FieldCondition[] {
  if (language !== null && language !== 'eql') return [];
  let ast;
  try {
    ast = parse(query);
  } catch {
    return [];
  }
  if (ast.type !== 'event') return [];
  return conjuncts(ast.filter.condition, []).map(conditionOf).filter((c): c is FieldCondition => c !== null);
}
