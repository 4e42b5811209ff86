/**
 * Static estimates of what evaluating a condition costs, for ordering the parts of `and`/`or`. Over data that does
 * not fit in the CPU caches the objects a condition walks through dominate, and an object that an earlier part
 * already read is nearly free; so a condition is described by the work of its test and by the objects on its
 * field paths, which the orderer counts only once per document.
 */
import type { Expr } from './ast';
import { hasWildcard } from './scalars';

function matchWork(e: Extract<Expr, { type: 'match' }>): number {
  if (e.kind === 'regex') return 5;
  if (e.patterns.length === 1 && e.patterns[0] === '*') return 1;
  return e.patterns.some((p) => typeof p === 'string' && hasWildcard(p)) ? 3 : 2;
}

/** Relative work of evaluating `e` once, apart from reaching its fields: a constant compare is 1. */
export function conditionWork(e: Expr): number {
  switch (e.type) {
    case 'literal':
    case 'field':
      return 0;
    case 'not':
    case 'neg':
      return conditionWork(e.arg);
    case 'and':
    case 'or':
      return conditionWork(e.left) + conditionWork(e.right);
    case 'compare':
    case 'arith':
      return 1 + conditionWork(e.left) + conditionWork(e.right);
    case 'in':
      return 2 + conditionWork(e.arg) + e.values.reduce((s, v) => s + conditionWork(v), 0);
    case 'match':
      return matchWork(e) + conditionWork(e.arg);
    case 'call':
      return 6 + e.args.reduce((s, a) => s + conditionWork(a), 0);
  }
}

/** Every field path `e` reads, as written (aliases unresolved). */
export function conditionFields(e: Expr, out: string[] = []): string[] {
  switch (e.type) {
    case 'field':
      out.push(e.path);
      break;
    case 'not':
    case 'neg':
      conditionFields(e.arg, out);
      break;
    case 'and':
    case 'or':
    case 'compare':
    case 'arith':
      conditionFields(e.left, out);
      conditionFields(e.right, out);
      break;
    case 'in':
      conditionFields(e.arg, out);
      for (const v of e.values) conditionFields(v, out);
      break;
    case 'match':
      conditionFields(e.arg, out);
      break;
    case 'call':
      for (const a of e.args) conditionFields(a, out);
      break;
    default:
      break;
  }
  return out;
}

/**
 * The objects below the document that reading `path` walks through: `a.b.c` reads objects `a` and `a.b`. The
 * document itself is left out (every part reads it) and so is the value at the end.
 */
export function pathObjects(path: string): string[] {
  const out: string[] = [];
  let at = path.indexOf('.');
  while (at >= 0) {
    out.push(path.slice(0, at));
    at = path.indexOf('.', at + 1);
  }
  return out;
}
