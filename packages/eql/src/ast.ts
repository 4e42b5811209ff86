/** Where a node starts in the query text (1-based). */
export interface Position {
  line: number;
  column: number;
}

export type Literal = string | number | boolean | null;

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';
export type MatchKind = 'seq' | 'like' | 'regex';

export type Expr =
  /** `isDecimal` keeps `4.0` a double (JavaScript numbers cannot tell `4.0` from `4`). */
  | { type: 'literal'; value: Literal; isDecimal?: boolean; pos: Position }
  | { type: 'field'; path: string; optional: boolean; pos: Position }
  | { type: 'not'; arg: Expr; pos: Position }
  | { type: 'and' | 'or'; left: Expr; right: Expr; pos: Position }
  | { type: 'compare'; op: CompareOp; left: Expr; right: Expr; pos: Position }
  | { type: 'arith'; op: ArithOp; left: Expr; right: Expr; pos: Position }
  | { type: 'neg'; arg: Expr; pos: Position }
  | { type: 'in'; arg: Expr; values: Expr[]; caseInsensitive: boolean; negated: boolean; pos: Position }
  /** `:` (seq), `like`, `regex` and their `~` forms; patterns are constants. */
  | { type: 'match'; kind: MatchKind; caseInsensitive: boolean; arg: Expr; patterns: Literal[]; pos: Position }
  | { type: 'call'; name: FunctionName; caseInsensitive: boolean; args: Expr[]; pos: Position };

export type FunctionName =
  | 'add' | 'between' | 'cidrMatch' | 'concat' | 'divide' | 'endsWith' | 'indexOf' | 'length' | 'modulo'
  | 'multiply' | 'number' | 'startsWith' | 'string' | 'stringContains' | 'substring' | 'subtract';

/** `process where ...`; `category` null means `any`. */
export interface EventFilter {
  category: string | null;
  condition: Expr;
  pos: Position;
}

export interface Term {
  filter: EventFilter;
  keys: Expr[];
  /** `![ ... ]`: no such event may occur at this place of a sequence. */
  missing: boolean;
}

export interface Pipe {
  kind: 'head' | 'tail';
  count: number;
}

export interface EventQuery {
  type: 'event';
  filter: EventFilter;
  pipes: Pipe[];
}

export interface SequenceQuery {
  type: 'sequence';
  keys: Expr[];
  maxspanMs: number | null;
  /** Terms after `with runs=N` expansion. */
  terms: Term[];
  until: Term | null;
  pipes: Pipe[];
}

export interface SampleQuery {
  type: 'sample';
  keys: Expr[];
  terms: Term[];
  pipes: Pipe[];
}

export type Ast = EventQuery | SequenceQuery | SampleQuery;
