/** A query that does not follow EQL's grammar. `line` and `column` are 1-based. */
export class EqlSyntaxError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(`line ${line}:${column}: ${message}`);
    this.name = 'EqlSyntaxError';
    this.line = line;
    this.column = column;
  }
}

/** A request that is well-formed EQL but cannot run (bad option, unsupported query DSL, ...). */
export class EqlRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EqlRequestError';
  }
}
