import type { Ast, CompareOp, EventFilter, Expr, FunctionName, Literal, MatchKind, Pipe, Position, Term } from './ast';
import { EqlSyntaxError } from './errors';
import { tokenize, type Token } from './lexer';

const KEYWORDS = new Set([
  'and', 'any', 'by', 'false', 'in', 'join', 'like', 'maxspan', 'not', 'null', 'of', 'or', 'regex', 'sample',
  'sequence', 'true', 'until', 'where', 'with',
]);

interface FunctionSpec {
  name: FunctionName;
  min: number;
  max: number;
  insensitive: boolean;
}

const FUNCTIONS: FunctionSpec[] = [
  { name: 'add', min: 2, max: 2, insensitive: false },
  { name: 'between', min: 3, max: 4, insensitive: true },
  { name: 'cidrMatch', min: 2, max: Infinity, insensitive: false },
  { name: 'concat', min: 1, max: Infinity, insensitive: false },
  { name: 'divide', min: 2, max: 2, insensitive: false },
  { name: 'endsWith', min: 2, max: 2, insensitive: true },
  { name: 'indexOf', min: 2, max: 3, insensitive: true },
  { name: 'length', min: 1, max: 1, insensitive: false },
  { name: 'modulo', min: 2, max: 2, insensitive: false },
  { name: 'multiply', min: 2, max: 2, insensitive: false },
  { name: 'number', min: 1, max: 2, insensitive: false },
  { name: 'startsWith', min: 2, max: 2, insensitive: true },
  { name: 'string', min: 1, max: 1, insensitive: false },
  { name: 'stringContains', min: 2, max: 2, insensitive: true },
  { name: 'substring', min: 2, max: 3, insensitive: false },
  { name: 'subtract', min: 2, max: 2, insensitive: false },
];
const FUNCTION_BY_LOWER = new Map(FUNCTIONS.map((f) => [f.name.toLowerCase(), f]));

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_DEPTH = 200;
const MAX_RUNS = 100;
const DEFAULT_PIPE_COUNT = 10;

/** Parses an EQL query into its AST. Throws EqlSyntaxError (with line and column) on any invalid input. */
export function parse(query: string): Ast {
  if (typeof query !== 'string') throw new EqlSyntaxError('query must be a string', 1, 1);
  return new Parser(tokenize(query)).statement();
}

function describe(t: Token): string {
  if (t.kind === 'eof') return '<EOF>';
  if (t.kind === 'string') return `"${t.text}"`;
  if (t.kind === 'tident') return `'${t.text}~'`;
  if (t.kind === 'qident') return `\`${t.text}\``;
  return `'${t.text}'`;
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  private get t(): Token {
    return this.tokens[this.i];
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
  }
  private pos(t: Token = this.t): Position {
    return { line: t.line, column: t.column };
  }
  private fail(message: string, t: Token = this.t): never {
    throw new EqlSyntaxError(message, t.line, t.column);
  }
  private expected(what: string): never {
    this.fail(`expected ${what}, found ${describe(this.t)}`);
  }
  private isOp(text: string, t: Token = this.t): boolean {
    return t.kind === 'op' && t.text === text;
  }
  private isKw(text: string, t: Token = this.t): boolean {
    return t.kind === 'ident' && t.text === text;
  }
  private eatOp(text: string): boolean {
    if (this.isOp(text)) {
      this.i++;
      return true;
    }
    return false;
  }
  private eatKw(text: string): boolean {
    if (this.isKw(text)) {
      this.i++;
      return true;
    }
    return false;
  }
  private expectOp(text: string): Token {
    if (!this.isOp(text)) this.expected(`'${text}'`);
    return this.tokens[this.i++];
  }
  private expectKw(text: string): Token {
    if (!this.isKw(text)) this.expected(`'${text}'`);
    return this.tokens[this.i++];
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`expression nested too deeply (more than ${MAX_DEPTH} levels)`);
  }

  statement(): Ast {
    const ast = this.query();
    while (this.isOp('|')) ast.pipes.push(this.pipe());
    if (this.t.kind !== 'eof') {
      this.expected(ast.type === 'event' ? "'and', 'or', '|' or <EOF>" : "'|' or <EOF>");
    }
    return ast;
  }

  private query(): Ast {
    if (this.isKw('sequence')) return this.sequence();
    if (this.isKw('sample')) return this.sample();
    if (this.isKw('join')) this.fail('join is not supported, use sequence or sample instead');
    return { type: 'event', filter: this.eventFilter(), pipes: [] };
  }

  private sequence(): Ast {
    this.expectKw('sequence');
    let keys: Expr[] = [];
    let maxspanMs: number | null = null;
    if (this.eatKw('by')) keys = this.joinKeys();
    if (this.isKw('with')) {
      this.i++;
      this.expectKw('maxspan');
      this.expectOp('=');
      maxspanMs = this.timeUnit();
      if (this.isKw('by')) this.fail('specify the sequence [by] before [with], not after');
    }
    const terms: Term[] = [];
    while (this.isOp('[') || this.isOp('![')) {
      const term = this.term(true);
      const runs = this.runs();
      for (let r = 0; r < runs; r++) terms.push(term);
    }
    if (terms.length < 2) {
      this.expected(terms.length === 0 ? "'[' or '![' starting a sequence term" : "'[' or '![' (a sequence needs at least 2 terms)");
    }
    if (terms.every((x) => x.missing)) this.fail('a sequence needs at least one term that is not a missing event ![...]');
    let until: Term | null = null;
    const untilTok = this.t;
    if (this.isKw('until')) {
      this.i++;
      if (this.isOp('![')) this.fail('until cannot be a missing event');
      until = this.term(false);
    }
    const counts = new Set([...terms, ...(until ? [until] : [])].map((t) => t.keys.length));
    if (counts.size > 1) {
      this.fail(`every term needs the same number of join keys, found [${[...terms, ...(until ? [until] : [])].map((t) => t.keys.length).join(', ')}]`, until ? untilTok : this.t);
    }
    return { type: 'sequence', keys, maxspanMs, terms, until, pipes: [] };
  }

  private runs(): number {
    if (!this.isKw('with')) return 1;
    const withTok = this.t;
    this.i++;
    if (!(this.t.kind === 'ident' && this.t.text === 'runs')) this.expected("'runs'");
    this.i++;
    this.expectOp('=');
    const num = this.t;
    if (num.kind !== 'number' || num.isDecimal) this.expected('an integer number of runs');
    this.i++;
    if (num.num < 1 || num.num > MAX_RUNS) this.fail(`runs must be between 1 and ${MAX_RUNS}, found [${num.text}]`, withTok);
    return num.num;
  }

  private sample(): Ast {
    this.expectKw('sample');
    let keys: Expr[] = [];
    if (this.eatKw('by')) keys = this.joinKeys();
    const terms: Term[] = [];
    while (this.isOp('[') || this.isOp('![')) {
      if (this.isOp('![')) this.fail('missing events ![...] are only supported in sequences');
      terms.push(this.term(false));
    }
    if (terms.length < 2) this.expected("'[' (a sample needs at least 2 terms)");
    if (new Set(terms.map((t) => t.keys.length)).size > 1) {
      this.fail(`every term needs the same number of join keys, found [${terms.map((t) => t.keys.length).join(', ')}]`);
    }
    return { type: 'sample', keys, terms, pipes: [] };
  }

  private term(allowMissing: boolean): Term {
    let missing = false;
    if (this.isOp('![')) {
      if (!allowMissing) this.fail('missing events ![...] are only supported in sequences');
      missing = true;
      this.i++;
    } else {
      this.expectOp('[');
    }
    const filter = this.eventFilter();
    this.expectOp(']');
    let keys: Expr[] = [];
    if (this.eatKw('by')) keys = this.joinKeys();
    return { filter, keys, missing };
  }

  private timeUnit(): number {
    const num = this.t;
    if (num.kind !== 'number') this.expected('a time span such as 5s');
    this.i++;
    const unit = this.t;
    if (unit.kind !== 'ident') {
      this.fail(`no time unit specified, did you mean [s] as in [${num.text}s]?`, num);
    }
    const factor = TIME_UNITS[unit.text];
    if (factor === undefined) this.fail(`unknown time unit [${unit.text}], expected one of ms, s, m, h, d`, unit);
    this.i++;
    if (num.num <= 0) this.fail(`maxspan must be positive, found [${num.text}]`, num);
    return num.num * factor;
  }

  private pipe(): Pipe {
    this.expectOp('|');
    const name = this.t;
    if (name.kind !== 'ident') this.expected("a pipe name ('head' or 'tail')");
    this.i++;
    if (name.text !== 'head' && name.text !== 'tail') this.fail(`pipe [${name.text}] is not supported, expected 'head' or 'tail'`, name);
    if (this.isOp('|') || this.t.kind === 'eof') return { kind: name.text, count: DEFAULT_PIPE_COUNT };
    const num = this.t;
    if (num.kind !== 'number' || num.isDecimal) {
      if (this.isOp('-') && this.peek().kind === 'number') this.fail(`${name.text} requires a non-negative integer, found [-${this.peek().text}]`);
      this.expected(`a non-negative integer after ${name.text}`);
    }
    this.i++;
    if (!Number.isSafeInteger(num.num)) this.fail(`${name.text} count [${num.text}] is too large`, num);
    return { kind: name.text, count: num.num };
  }

  private eventFilter(): EventFilter {
    const t = this.t;
    let category: string | null;
    if (this.isKw('any')) category = null;
    else if (t.kind === 'string' || t.kind === 'qident') category = t.text;
    else if (t.kind === 'ident' && !KEYWORDS.has(t.text)) category = t.text;
    else this.expected("an event category, 'any', 'sequence' or 'sample'");
    this.i++;
    this.expectKw('where');
    const condition = this.expression();
    return { category, condition, pos: this.pos(t) };
  }

  /** `by` keys: field references only. */
  private joinKeys(): Expr[] {
    const keys = this.expressions();
    const bad = keys.find((k) => k.type !== 'field');
    if (bad) throw new EqlSyntaxError('join keys must be field names', bad.pos.line, bad.pos.column);
    return keys;
  }

  private expressions(): Expr[] {
    const list = [this.expression()];
    while (this.eatOp(',')) list.push(this.expression());
    return list;
  }

  expression(): Expr {
    this.enter();
    let left = this.andExpr();
    while (this.isKw('or')) {
      const pos = this.pos();
      this.i++;
      left = { type: 'or', left, right: this.andExpr(), pos };
    }
    this.depth--;
    return left;
  }

  private andExpr(): Expr {
    let left = this.notExpr();
    while (this.isKw('and')) {
      const pos = this.pos();
      this.i++;
      left = { type: 'and', left, right: this.notExpr(), pos };
    }
    return left;
  }

  private notExpr(): Expr {
    if (this.isKw('not')) {
      const pos = this.pos();
      this.i++;
      this.enter();
      const arg = this.notExpr();
      this.depth--;
      return { type: 'not', arg, pos };
    }
    if (this.isKw('of', this.peek()) && this.t.kind === 'ident' && !KEYWORDS.has(this.t.text)) {
      this.fail('lineage relationships (descendant/child/event of) are not supported');
    }
    return this.valueExpr();
  }

  private valueExpr(): Expr {
    const left = this.addExpr();
    const t = this.t;
    if (t.kind === 'op') {
      if (t.text === '=') this.fail('use == instead of = to compare values');
      if (t.text === '==' || t.text === '!=' || t.text === '<' || t.text === '<=' || t.text === '>' || t.text === '>=') {
        this.i++;
        const right = this.addExpr();
        return { type: 'compare', op: t.text as CompareOp /* narrowed by the checks above */, left, right, pos: this.pos(t) };
      }
    }
    return left;
  }

  private addExpr(): Expr {
    let left = this.mulExpr();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.tokens[this.i++];
      left = { type: 'arith', op: t.text === '+' ? '+' : '-', left, right: this.mulExpr(), pos: this.pos(t) };
    }
    return left;
  }

  private mulExpr(): Expr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const t = this.tokens[this.i++];
      const op = t.text === '*' ? '*' : t.text === '/' ? '/' : '%';
      left = { type: 'arith', op, left, right: this.unary(), pos: this.pos(t) };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.tokens[this.i++];
      this.enter();
      const arg = this.unary();
      this.depth--;
      if (t.text === '+') return arg;
      if (arg.type === 'literal' && typeof arg.value === 'number') {
        return { type: 'literal', value: -arg.value, isDecimal: arg.isDecimal, pos: this.pos(t) };
      }
      return { type: 'neg', arg, pos: this.pos(t) };
    }
    const primary = this.primary();
    return this.predicate(primary);
  }

  private predicate(arg: Expr): Expr {
    const t = this.t;
    let negated = false;
    if (this.isKw('not') && (this.isKw('in', this.peek()) || (this.peek().kind === 'tident' && this.peek().text === 'in'))) {
      negated = true;
      this.i++;
    }
    const k = this.t;
    if ((k.kind === 'ident' || k.kind === 'tident') && k.text === 'in') {
      this.i++;
      this.expectOp('(');
      const values = this.expressions();
      this.expectOp(')');
      return { type: 'in', arg, values, caseInsensitive: k.kind === 'tident', negated, pos: this.pos(t) };
    }
    let kind: MatchKind | null = null;
    if (this.isOp(':')) kind = 'seq';
    else if ((k.kind === 'ident' || k.kind === 'tident') && (k.text === 'like' || k.text === 'regex')) kind = k.text;
    if (kind === null) return arg;
    this.i++;
    const caseInsensitive = kind === 'seq' || k.kind === 'tident';
    const patterns: Literal[] = [];
    if (this.eatOp('(')) {
      patterns.push(this.constant());
      while (this.eatOp(',')) patterns.push(this.constant());
      this.expectOp(')');
    } else {
      patterns.push(this.constant());
    }
    return { type: 'match', kind, caseInsensitive, arg, patterns, pos: this.pos(k) };
  }

  private constant(): Literal {
    const t = this.t;
    if (t.kind === 'string') {
      this.i++;
      return t.text;
    }
    if (t.kind === 'number') {
      this.i++;
      return t.num;
    }
    if (this.isOp('-') && this.peek().kind === 'number') {
      this.i += 2;
      return -this.tokens[this.i - 1].num;
    }
    if (this.isKw('true') || this.isKw('false') || this.isKw('null')) {
      this.i++;
      return t.text === 'null' ? null : t.text === 'true';
    }
    return this.expected('a constant (string, number, boolean or null)');
  }

  private primary(): Expr {
    const t = this.t;
    const pos = this.pos(t);
    switch (t.kind) {
      case 'string':
        this.i++;
        return { type: 'literal', value: t.text, pos };
      case 'number':
        this.i++;
        return { type: 'literal', value: t.num, isDecimal: t.isDecimal, pos };
      case 'tident':
        if (this.isOp('(', this.peek())) return this.call();
        if (t.text === 'like' || t.text === 'regex' || t.text === 'in') this.expected('an expression');
        this.fail(`~ is only allowed after a function name, found '${t.text}~'`);
        break;
      case 'ident':
        if (t.text === 'true' || t.text === 'false') {
          this.i++;
          return { type: 'literal', value: t.text === 'true', pos };
        }
        if (t.text === 'null') {
          this.i++;
          return { type: 'literal', value: null, pos };
        }
        if (this.isOp('(', this.peek()) && !KEYWORDS.has(t.text)) return this.call();
        if (KEYWORDS.has(t.text)) this.expected('an expression');
        return this.field(false, pos);
      case 'qident':
        return this.field(false, pos);
      case 'op':
        if (t.text === '(') {
          this.i++;
          const e = this.expression();
          this.expectOp(')');
          return e;
        }
        if (t.text === '?') {
          this.i++;
          const next = this.t;
          if (!(next.kind === 'qident' || (next.kind === 'ident' && !KEYWORDS.has(next.text)))) this.expected('a field name after ?');
          return this.field(true, pos);
        }
        break;
      default:
        break;
    }
    return this.expected('an expression');
  }

  private field(optional: boolean, pos: Position): Expr {
    const parts = [this.t.text];
    this.i++;
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const seg = this.t;
        if (seg.kind === 'ident' || seg.kind === 'qident' || (seg.kind === 'number' && !seg.isDecimal)) {
          parts.push(seg.text);
          this.i++;
          continue;
        }
        this.expected('a field name after .');
      }
      if (this.isOp('[') && this.peek().kind === 'number') {
        this.fail('array indexes in field names are not supported');
      }
      break;
    }
    return { type: 'field', path: parts.join('.'), optional, pos };
  }

  private call(): Expr {
    const t = this.t;
    const spec = FUNCTION_BY_LOWER.get(t.text.toLowerCase());
    if (spec === undefined) this.fail(`unknown function [${t.text}]`);
    const caseInsensitive = t.kind === 'tident';
    if (caseInsensitive && !spec.insensitive) this.fail(`function [${spec.name}] has no case-insensitive ~ form`);
    this.i += 2;
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      args.push(this.expression());
      while (this.eatOp(',')) args.push(this.expression());
    }
    this.expectOp(')');
    if (args.length < spec.min || args.length > spec.max) {
      const range = spec.max === Infinity ? `at least ${spec.min}` : spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
      this.fail(`function [${spec.name}] takes ${range} arguments, found ${args.length}`, t);
    }
    return { type: 'call', name: spec.name, caseInsensitive, args, pos: this.pos(t) };
  }
}
