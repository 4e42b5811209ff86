import type { Ast, EventFilter, Expr, Literal, Term } from './ast';
import { EqlRequestError } from './errors';
import { adaptiveAll, DEFAULT_POLICY, type AdaptivePolicy, type Part } from './adaptive-order';
import { compileParts, fieldGetter, fieldReads, flatten, readObjects, resolveField, type EvalContext, type Predicate, type ValueFn } from './evaluator';
import { FieldIndex } from './mappings';
import { parse } from './parser';
import { hasWildcard } from './scalars';

export type Prefilter =
  | { kind: 'true' }
  | { kind: 'and'; args: Prefilter[] }
  | { kind: 'or'; args: Prefilter[] }
  /** some value of `field` equals one of `values` (strings compared case-insensitively when caseInsensitive) */
  | { kind: 'eq'; field: string; values: (string | number | boolean)[]; caseInsensitive: boolean }
  /** field is present and not null */
  | { kind: 'exists'; field: string }
  /** some string value of `field` matches one of the EQL wildcard patterns (`*`, `?`) */
  | { kind: 'wildcard'; field: string; patterns: string[]; caseInsensitive: boolean };

export interface CompiledQuery {
  readonly kind: 'event' | 'sequence' | 'sample';
  readonly ast: Ast;
  /** Event queries: does this one document match (category + condition)? Throws for sequence and sample queries. */
  matches(doc: object): boolean;
  /** Every field path the query reads (including by-keys and the category field), deduplicated. */
  readonly fields: string[];
  /** A loose superset condition for pushing a pre-filter into a store; see Prefilter. */
  readonly prefilter: Prefilter;
}

export interface CompileOptions {
  mappings?: object;
  /** Default `event.category`. */
  eventCategoryField?: string;
  /** Default `@timestamp`; typed as a date even when unmapped. */
  timestampField?: string;
  /** Optional (`?x`) fields that exist in no document and no mapping; see EvalContext.absentFields. */
  absentFields?: Set<string>;
  /**
   * How `and`/`or` chains (the category check included) learn their evaluation order from the documents they see;
   * null keeps the written order. Default: profile the first 256 documents, then again every 65,536.
   */
  adaptive?: AdaptivePolicy | null;
}

/** One join key of a term: its getter and whether `?field` lets it be null. */
export interface CompiledKey {
  get: ValueFn;
  optional: boolean;
  isDate: boolean;
}

export interface CompiledTerm {
  matches: (doc: object) => boolean;
  keys: CompiledKey[];
  missing: boolean;
}

/** The compiled form plus what search needs for sequences and samples. */
export interface CompiledPlan extends CompiledQuery {
  readonly terms: CompiledTerm[];
  readonly until: CompiledTerm | null;
  readonly context: EvalContext;
}

const TRUE: Prefilter = { kind: 'true' };

/** A test that some value of the category field is exactly `category`. */
function categoryTest(ctx: EvalContext, categoryField: string, category: string): Predicate {
  const get = fieldGetter(ctx, categoryField).get;
  return (d) => {
    const v = get(d);
    if (v === category) return true;
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (v[i] === category) return true;
    return false;
  };
}

/**
 * An event filter as one conjunction: the category check is just another part, so that with the condition's
 * top-level `and` parts it is ordered by what rejects documents most cheaply.
 */
function compileFilter(ctx: EvalContext, filter: EventFilter, categoryField: string): (doc: object) => boolean {
  const parts: Part[] = [];
  if (filter.category !== null) {
    parts.push({
      test: categoryTest(ctx, categoryField, filter.category),
      work: 1,
      objects: readObjects(ctx, [categoryField]),
      fields: fieldReads(ctx, [categoryField]),
    });
  }
  // a constant true part decides nothing
  const conditions = flatten(filter.condition, 'and').filter((c) => !(c.type === 'literal' && c.value === true));
  parts.push(...compileParts(ctx, conditions));
  return adaptiveAll(parts, ctx.adaptive === undefined ? DEFAULT_POLICY : ctx.adaptive);
}

function compileKey(ctx: EvalContext, e: Expr): CompiledKey {
  if (e.type !== 'field') throw new EqlRequestError('join keys must be fields');
  const f = fieldGetter(ctx, e.path);
  return { get: f.get, optional: e.optional, isDate: f.info?.type === 'date' };
}

function compileTerm(ctx: EvalContext, term: Term, sharedKeys: Expr[], categoryField: string): CompiledTerm {
  return {
    matches: compileFilter(ctx, term.filter, categoryField),
    keys: [...sharedKeys, ...term.keys].map((k) => compileKey(ctx, k)),
    missing: term.missing,
  };
}

/**
 * Compiles a query once for the hot path: `matches` is a closure tree with precompiled field getters, so evaluating a
 * document allocates nothing for plain fields and constants.
 */
export function compile(query: string | Ast, options: CompileOptions = {}): CompiledPlan {
  const ast = typeof query === 'string' ? parse(query) : query;
  const policy = options.adaptive;
  if (policy && !(Number.isInteger(policy.window) && policy.window >= 1 && Number.isInteger(policy.period) && policy.period >= 0)) {
    throw new EqlRequestError('adaptive.window must be a positive integer and adaptive.period a non-negative integer');
  }
  const categoryField = options.eventCategoryField ?? 'event.category';
  const timestampField = options.timestampField ?? '@timestamp';
  const ctx: EvalContext = {
    index: new FieldIndex(options.mappings),
    fields: new Set(),
    implicitDates: new Set([timestampField]),
    absentFields: options.absentFields,
    adaptive: options.adaptive,
  };
  let terms: CompiledTerm[];
  let until: CompiledTerm | null = null;
  let matches: (doc: object) => boolean;
  if (ast.type === 'event') {
    matches = compileFilter(ctx, ast.filter, categoryField);
    terms = [{ matches, keys: [], missing: false }];
  } else {
    terms = ast.terms.map((t) => compileTerm(ctx, t, ast.keys, categoryField));
    if (ast.type === 'sequence' && ast.until) until = compileTerm(ctx, ast.until, ast.keys, categoryField);
    const kind = ast.type;
    matches = () => {
      throw new EqlRequestError(`matches() applies to event queries; this is a ${kind} query, use search()`);
    };
  }
  const prefilter = buildPrefilter(ctx, ast, categoryField);
  return { kind: ast.type, ast, matches, fields: [...ctx.fields], prefilter, terms, until, context: ctx };
}

function simplify(kind: 'and' | 'or', args: Prefilter[]): Prefilter {
  const flat: Prefilter[] = [];
  for (const a of args) {
    if (a.kind === kind) flat.push(...a.args);
    else if (a.kind === 'true') {
      if (kind === 'or') return TRUE;
    } else flat.push(a);
  }
  if (flat.length === 0) return TRUE;
  if (flat.length === 1) return flat[0];
  return { kind, args: flat };
}

/** Both the typed constant and its text form, so a store comparing raw JSON still finds every candidate. */
function constantForms(v: Literal): (string | number | boolean)[] {
  if (v === null) return [];
  if (typeof v === 'number') return [v, String(v)];
  if (typeof v === 'boolean') return [v, String(v)];
  if (v.trim() !== '' && !Number.isNaN(Number(v))) return [v, Number(v)];
  if (v === 'true' || v === 'false') return [v, v === 'true'];
  return [v];
}

function prefilterOf(ctx: EvalContext, e: Expr): Prefilter {
  switch (e.type) {
    case 'and':
      return simplify('and', [prefilterOf(ctx, e.left), prefilterOf(ctx, e.right)]);
    case 'or':
      return simplify('or', [prefilterOf(ctx, e.left), prefilterOf(ctx, e.right)]);
    case 'compare': {
      const [field, other] = e.left.type === 'field' ? [e.left, e.right] : e.right.type === 'field' ? [e.right, e.left] : [null, null];
      if (!field || !other || other.type !== 'literal') return TRUE;
      const { source, info } = resolveField(ctx, field.path);
      // a null_value makes explicit nulls match: the raw documents say nothing a store could filter on
      if (info?.nullValue !== undefined) return TRUE;
      if (other.value === null) return e.op === '!=' ? { kind: 'exists', field: source } : TRUE;
      if (e.op === '==' && (!info || info.type === 'keyword' || info.type === 'long' || info.type === 'boolean')) {
        return { kind: 'eq', field: source, values: constantForms(other.value), caseInsensitive: false };
      }
      return { kind: 'exists', field: source };
    }
    case 'in': {
      if (e.negated || e.arg.type !== 'field' || !e.values.every((v) => v.type === 'literal')) return TRUE;
      const { source, info } = resolveField(ctx, e.arg.path);
      if (info?.nullValue !== undefined) return TRUE;
      if (info && info.type !== 'keyword' && info.type !== 'long' && info.type !== 'boolean') return { kind: 'exists', field: source };
      const values = e.values.flatMap((v) => (v.type === 'literal' ? constantForms(v.value) : []));
      return { kind: 'eq', field: source, values, caseInsensitive: e.caseInsensitive };
    }
    case 'match': {
      if (e.arg.type !== 'field') return TRUE;
      const { source, info } = resolveField(ctx, e.arg.path);
      if (info?.nullValue !== undefined) return TRUE;
      if (e.kind === 'regex' || (info && info.type !== 'keyword') || !e.patterns.every((p) => typeof p === 'string')) {
        return { kind: 'exists', field: source };
      }
      // typeof checks above guarantee strings
      const patterns = e.patterns as string[];
      if (patterns.some(hasWildcard)) return { kind: 'wildcard', field: source, patterns, caseInsensitive: e.caseInsensitive };
      return { kind: 'eq', field: source, values: patterns, caseInsensitive: e.caseInsensitive };
    }
    case 'field': {
      const { source } = resolveField(ctx, e.path);
      return { kind: 'eq', field: source, values: [true, 'true'], caseInsensitive: false };
    }
    case 'literal':
      return TRUE;
    default:
      return TRUE;
  }
}

function filterPrefilter(ctx: EvalContext, f: EventFilter, categoryField: string): Prefilter {
  const cond = f.condition.type === 'literal' && f.condition.value === false ? TRUE : prefilterOf(ctx, f.condition);
  if (f.category === null) return cond;
  const { source } = resolveField(ctx, categoryField);
  return simplify('and', [{ kind: 'eq', field: source, values: [f.category], caseInsensitive: false }, cond]);
}

function buildPrefilter(ctx: EvalContext, ast: Ast, categoryField: string): Prefilter {
  if (ast.type === 'event') return filterPrefilter(ctx, ast.filter, categoryField);
  // missing-event and until terms are included: a sequence is only right if their events are seen too
  const filters = ast.terms.map((t) => t.filter);
  if (ast.type === 'sequence' && ast.until) filters.push(ast.until.filter);
  return simplify('or', filters.map((f) => filterPrefilter(ctx, f, categoryField)));
}

/** Every `?field` path of a query. */
export function optionalFields(ast: Ast): Set<string> {
  const out = new Set<string>();
  const visit = (e: Expr): void => {
    switch (e.type) {
      case 'field':
        if (e.optional) out.add(e.path);
        return;
      case 'not':
      case 'neg':
        visit(e.arg);
        return;
      case 'and':
      case 'or':
      case 'compare':
      case 'arith':
        visit(e.left);
        visit(e.right);
        return;
      case 'in':
        visit(e.arg);
        e.values.forEach(visit);
        return;
      case 'match':
        visit(e.arg);
        return;
      case 'call':
        e.args.forEach(visit);
        return;
      default:
        return;
    }
  };
  const terms = ast.type === 'event' ? [] : [...ast.terms, ...(ast.type === 'sequence' && ast.until ? [ast.until] : [])];
  if (ast.type === 'event') visit(ast.filter.condition);
  else ast.keys.forEach(visit);
  for (const t of terms) {
    visit(t.filter.condition);
    t.keys.forEach(visit);
  }
  return out;
}
