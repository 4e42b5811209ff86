export type { Ast, EventFilter, EventQuery, Expr, Literal, Pipe, SampleQuery, SequenceQuery, Term } from './ast';
export { EqlRequestError, EqlSyntaxError } from './errors';
export { parse } from './parser';
export { compile, type CompiledQuery, type CompileOptions, type Prefilter } from './compile';
export type { AdaptivePolicy } from './adaptive-order';
export { search, type EqlEvent, type EqlHits, type EqlSearchRequest, type EqlSequence, type SearchOptions } from './search';
export { compileQueryDsl, resolveDateMath, type DocFilter, type QueryDslOptions } from './query-dsl';
