/**
 * The declarative language recognisers are written in, and the one interpreter for it. Patterns are `*`
 * globs only (no RegExp anywhere): a glob is split once into literal parts and matched with `startsWith`,
 * `endsWith` and left-to-right `indexOf`, which is exact for `*`-only globs and never backtracks.
 */
import { operandPaths, transferOf, type ProcessFacts, type Transfer } from './process-facts';

/** A test of one argument: passes when any of `equals`, `prefix`, `glob` does and none of `unless` does. */
export interface ArgTest {
  readonly equals?: readonly string[];
  readonly prefix?: readonly string[];
  readonly glob?: readonly string[];
  /** Globs that disqualify an argument which passed the tests above. */
  readonly unless?: readonly string[];
  /** Compare lower-cased (patterns are lower-cased when compiled). */
  readonly nocase?: boolean;
}

/**
 * A condition on one process. Arguments are `process.args` after argv[0].
 * - `name`: `process.name` is one of these.
 * - `executable`: `process.executable` matches one of these globs and none of `unless`.
 * - `arg`: some argument passes the test.
 * - `argSequence`: consecutive arguments pass the tests in order.
 * - `lastOperand`: the last non-option argument passes (the destination of `cp`, `mv`, `ln`, `install`).
 * - `operands`: how many non-option arguments there are.
 * - `fetch`: the process is curl or wget fetching from a non-loopback host into a file, or to standard output.
 * - `sessionPath`: the executable, or a non-option argument, is a file downloaded in the same session (an
 *   argument may also be a directory holding one); the only condition that looks beyond the process
 *   itself, and not allowed under `not`.
 */
export type Match =
  | { readonly all: readonly Match[] }
  | { readonly any: readonly Match[] }
  | { readonly not: Match }
  | { readonly name: readonly string[] }
  | { readonly executable: readonly string[]; readonly unless?: readonly string[] }
  | { readonly arg: ArgTest }
  | { readonly argSequence: readonly ArgTest[] }
  | { readonly lastOperand: ArgTest }
  | { readonly operands: { readonly min?: number; readonly max?: number } }
  | { readonly fetch: 'file' | 'stdout' }
  | { readonly sessionPath: 'downloaded'; readonly on: 'executable' | 'operands' };

/** What a condition may know beyond the process: the files the session downloaded. */
export interface SessionContext {
  readonly downloaded: ReadonlySet<string>;
  /** Directories holding a downloaded file, two levels deep or more (`/tmp/x`, not `/tmp`). */
  readonly downloadedDirs: ReadonlySet<string>;
}

/** One process as the compiled conditions read it; derived views are computed on first use. */
export class Subject {
  /** Arguments after argv[0]. */
  readonly rest: readonly string[];
  private lowerArgs: string[] | undefined;
  private operandList: string[] | undefined;
  private transferInfo: Transfer | null | undefined;
  constructor(readonly facts: ProcessFacts) {
    this.rest = facts.args.length > 1 ? facts.args.slice(1) : [];
  }

  /** Arguments after argv[0], lower-cased. */
  lower(): readonly string[] {
    this.lowerArgs ??= this.rest.map((a) => a.toLowerCase());
    return this.lowerArgs;
  }

  /** Non-option arguments, resolved against the working directory. */
  operands(): readonly string[] {
    this.operandList ??= operandPaths(this.facts);
    return this.operandList;
  }

  transfer(): Transfer | null {
    if (this.transferInfo === undefined) this.transferInfo = transferOf(this.facts);
    return this.transferInfo;
  }

  /** The executable and the non-option arguments: the paths the process runs or acts on. */
  touchedPaths(): readonly string[] {
    const exe = this.facts.executable;
    return exe ? [exe, ...this.operands()] : this.operands();
  }
}

export type Predicate = (s: Subject, ctx: SessionContext) => boolean;
type StringTest = (value: string) => boolean;

/** Compiles a `*` glob into a test. */
export function compileGlob(pattern: string): StringTest {
  const parts = pattern.split('*');
  if (parts.length === 1) return (v) => v === pattern;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const minLength = first.length + last.length;
  // The common shapes in one string call each: most patterns are `*literal*`, `literal*` or `*literal`.
  if (middle.length === 0 && last === '') return (v) => v.startsWith(first);
  if (middle.length === 0 && first === '') return (v) => v.endsWith(last);
  const only = middle[0];
  if (middle.length === 1 && first === '' && last === '' && only !== undefined) return (v) => v.includes(only);
  return (v) => {
    if (v.length < minLength || !v.startsWith(first) || !v.endsWith(last)) return false;
    let pos = first.length;
    const end = v.length - last.length;
    for (const part of middle) {
      const at = v.indexOf(part, pos);
      if (at < 0 || at + part.length > end) return false;
      pos = at + part.length;
    }
    return true;
  };
}

function anyOf(tests: StringTest[]): StringTest {
  if (tests.length === 1) return tests[0] ?? (() => false);
  return (v) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]?.(v)) return true;
    return false;
  };
}

function compileArgTest(t: ArgTest): { test: StringTest; nocase: boolean } {
  const norm = (s: string) => (t.nocase ? s.toLowerCase() : s);
  const positives: StringTest[] = [];
  if (t.equals && t.equals.length > 0) {
    const set = new Set(t.equals.map(norm));
    positives.push((v) => set.has(v));
  }
  if (t.prefix && t.prefix.length > 0) {
    const prefixes = t.prefix.map(norm);
    positives.push((v) => {
      for (const p of prefixes) if (v.startsWith(p)) return true;
      return false;
    });
  }
  if (t.glob && t.glob.length > 0) positives.push(anyOf(t.glob.map((g) => compileGlob(norm(g)))));
  if (positives.length === 0) throw new Error('an argument test needs equals, prefix or glob');
  const positive = anyOf(positives);
  const unless = t.unless && t.unless.length > 0 ? anyOf(t.unless.map((g) => compileGlob(norm(g)))) : null;
  return { test: unless ? (v) => positive(v) && !unless(v) : positive, nocase: t.nocase === true };
}

function someArg(args: readonly string[], test: StringTest): boolean {
  for (let i = 0; i < args.length; i++) if (test(args[i] ?? '')) return true;
  return false;
}

/** True when the condition reads the session's downloaded files (so it is evaluated after they are known). */
export function dependsOnSession(m: Match): boolean {
  if ('sessionPath' in m) return true;
  if ('all' in m) return m.all.some(dependsOnSession);
  if ('any' in m) return m.any.some(dependsOnSession);
  if ('not' in m) return dependsOnSession(m.not);
  return false;
}

/** Compiles a condition into a predicate, once; the predicate allocates nothing per process beyond lazy views. */
export function compileMatch(m: Match): Predicate {
  if ('all' in m) {
    const parts = m.all.map(compileMatch);
    return (s, ctx) => {
      for (const p of parts) if (!p(s, ctx)) return false;
      return true;
    };
  }
  if ('any' in m) {
    const parts = m.any.map(compileMatch);
    return (s, ctx) => {
      for (const p of parts) if (p(s, ctx)) return true;
      return false;
    };
  }
  if ('not' in m) {
    // Session-wide facts only grow as processes are added; negating one would let a new process lower the score.
    if (dependsOnSession(m.not)) throw new Error('sessionPath cannot be negated');
    const inner = compileMatch(m.not);
    return (s, ctx) => !inner(s, ctx);
  }
  if ('name' in m) {
    const names = new Set(m.name);
    return (s) => names.has(s.facts.name);
  }
  if ('executable' in m) {
    const test = anyOf(m.executable.map(compileGlob));
    const unless = m.unless && m.unless.length > 0 ? anyOf(m.unless.map(compileGlob)) : null;
    return (s) => {
      const exe = s.facts.executable;
      return exe !== null && test(exe) && !(unless && unless(exe));
    };
  }
  if ('arg' in m) {
    const { test, nocase } = compileArgTest(m.arg);
    return nocase ? (s) => someArg(s.lower(), test) : (s) => someArg(s.rest, test);
  }
  if ('argSequence' in m) {
    const steps = m.argSequence.map(compileArgTest);
    if (steps.length === 0) throw new Error('argSequence needs at least one test');
    return (s) => {
      const plain = s.rest;
      const lower = steps.some((st) => st.nocase) ? s.lower() : plain;
      for (let i = 0; i + steps.length <= plain.length; i++) {
        let ok = true;
        for (let j = 0; j < steps.length && ok; j++) {
          const step = steps[j];
          ok = step !== undefined && step.test((step.nocase ? lower : plain)[i + j] ?? '');
        }
        if (ok) return true;
      }
      return false;
    };
  }
  if ('lastOperand' in m) {
    const { test, nocase } = compileArgTest(m.lastOperand);
    return (s) => {
      const ops = s.operands();
      const last = ops[ops.length - 1];
      return last !== undefined && test(nocase ? last.toLowerCase() : last);
    };
  }
  if ('operands' in m) {
    const min = m.operands.min ?? 0;
    const max = m.operands.max ?? Number.POSITIVE_INFINITY;
    return (s) => {
      const n = s.operands().length;
      return n >= min && n <= max;
    };
  }
  if ('fetch' in m) {
    const want = m.fetch;
    return (s) => {
      const t = s.transfer();
      if (!t || !t.remote) return false;
      return want === 'file' ? t.outputs.length > 0 : t.toStdout;
    };
  }
  const on = m.on;
  return (s, ctx) => {
    if (ctx.downloaded.size === 0) return false;
    if (on === 'executable') return s.facts.executable !== null && ctx.downloaded.has(s.facts.executable);
    return s.operands().some((p) => ctx.downloaded.has(p) || ctx.downloadedDirs.has(p));
  };
}
