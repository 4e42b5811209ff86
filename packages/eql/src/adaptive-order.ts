/**
 * Adaptive ordering of the parts of a conjunction or disjunction.
 *
 * Over large in-memory data the time of a match is mostly the objects it touches, so which part is tested first
 * decides the speed. A junction therefore watches how often each part ends the evaluation (a part that is not true
 * ends a match, `false` ends a three-valued `and`, `true` ends an `or`): it evaluates every part of the first
 * `window` documents, orders the parts by cost / stop rate (the classic rule for ordering independent filters),
 * runs in that order for `period` documents, then profiles again, so the order follows the data as it drifts.
 *
 * Reordering is sound because the parts have no side effects and never throw at run time, and the three-valued
 * `and`/`or` of Elasticsearch's EQL give the same value in any order: `and` is false if any part is false, else
 * null if any part is null, else true (and `or` dually). A whole match only asks "is every part true", for which
 * null and false are the same answer, so the top level also stops at the first null.
 */

/** Three-valued truth: null means unknown, which never matches. */
type Tri = boolean | null;
export type Test = (doc: object) => Tri;

/** One part of a junction: its test and a static estimate of what evaluating it costs. */
export interface Part {
  test: Test;
  cost: number;
}

/** When to profile: every part of `window` documents is evaluated, then the learned order runs for `period`. */
export interface AdaptivePolicy {
  window: number;
  period: number;
}

/** Enough documents to see a 5% part pass a dozen times; re-profiling costs ~2% of the evaluations. */
export const DEFAULT_POLICY: AdaptivePolicy = { window: 256, period: 65_536 };

/** Whether a part's result ends the evaluation of the junction. */
type Stops = (t: Tri) => boolean;

const notTrue: Stops = (t) => t !== true;
const isFalse: Stops = (t) => t === false;
const isTrue: Stops = (t) => t === true;

/** Smoothed share of documents at which a part stopped the evaluation, so that no part's rate is 0 or 1. */
function stopRate(stops: number, samples: number): number {
  return (stops + 0.5) / (samples + 1);
}

/**
 * The order in which to evaluate parts given how often each stopped the evaluation in `samples` documents:
 * ascending cost / stop rate, ties kept in written order. A part that never stopped still ranks by its cost among
 * the others that never did.
 */
export function rankOrder(costs: readonly number[], stops: readonly number[], samples: number): number[] {
  return costs
    .map((cost, i) => ({ i, rank: Math.max(cost, 1e-3) / stopRate(stops[i], samples) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.i);
}

/** What evaluating parts in `order` costs per document on average, if the parts stop independently. */
export function expectedCost(order: readonly number[], costs: readonly number[], stops: readonly number[], samples: number): number {
  let reach = 1;
  let total = 0;
  for (const i of order) {
    total += reach * costs[i];
    reach *= 1 - stopRate(stops[i], samples);
  }
  return total;
}

/**
 * A new order replaces the current one only when it is clearly cheaper: parts of nearly equal rank would otherwise
 * swap back and forth on sampling noise, and every swap makes the engine re-optimize the code that calls them.
 */
export const SWITCH_GAIN = 0.9;

/**
 * The adaptive wrapper shared by the three kinds of junction. `build` makes the short-circuiting evaluator for an
 * order; `combine` gives the junction's value from what the profiling pass saw.
 */
function adaptive<R>(
  parts: readonly Part[],
  stops: Stops,
  build: (tests: Test[]) => (doc: object) => R,
  combine: (anyTrue: boolean, anyFalse: boolean, anyNull: boolean) => R,
  policy: AdaptivePolicy,
): (doc: object) => R {
  const n = parts.length;
  const tests = parts.map((p) => p.test);
  const costs = parts.map((p) => p.cost);
  const stopCounts = new Array<number>(n).fill(0);
  let order = parts.map((_, i) => i);
  let ordered = build(tests);
  let sampled = 0;
  // profiling starts with the first document
  let untilProfile = 0;

  const learn = (): void => {
    const next = rankOrder(costs, stopCounts, sampled);
    if (
      next.some((v, i) => v !== order[i]) &&
      expectedCost(next, costs, stopCounts, sampled) < SWITCH_GAIN * expectedCost(order, costs, stopCounts, sampled)
    ) {
      order = next;
      ordered = build(order.map((i) => tests[i]));
    }
    stopCounts.fill(0);
    sampled = 0;
    untilProfile = policy.period;
  };

  const profile = (doc: object): R => {
    let anyTrue = false;
    let anyFalse = false;
    let anyNull = false;
    for (let i = 0; i < n; i++) {
      const t = tests[i](doc);
      if (t === true) anyTrue = true;
      else if (t === false) anyFalse = true;
      else anyNull = true;
      if (stops(t)) stopCounts[i]++;
    }
    if (++sampled >= policy.window) learn();
    return combine(anyTrue, anyFalse, anyNull);
  };

  return (doc) => {
    if (untilProfile > 0) {
      untilProfile--;
      return ordered(doc);
    }
    return profile(doc);
  };
}

/** True when every test is true, evaluated in the given order (stopping at the first that is not). */
export function orderedAll(tests: readonly Test[]): (doc: object) => boolean {
  // written out per arity: no loop and no padding calls on the hot path of the usual rule sizes
  switch (tests.length) {
    case 0:
      return () => true;
    case 1: {
      const [t0] = tests;
      return (d) => t0(d) === true;
    }
    case 2: {
      const [t0, t1] = tests;
      return (d) => t0(d) === true && t1(d) === true;
    }
    case 3: {
      const [t0, t1, t2] = tests;
      return (d) => t0(d) === true && t1(d) === true && t2(d) === true;
    }
    case 4: {
      const [t0, t1, t2, t3] = tests;
      return (d) => t0(d) === true && t1(d) === true && t2(d) === true && t3(d) === true;
    }
    case 5: {
      const [t0, t1, t2, t3, t4] = tests;
      return (d) => t0(d) === true && t1(d) === true && t2(d) === true && t3(d) === true && t4(d) === true;
    }
    case 6: {
      const [t0, t1, t2, t3, t4, t5] = tests;
      return (d) => t0(d) === true && t1(d) === true && t2(d) === true && t3(d) === true && t4(d) === true && t5(d) === true;
    }
    default: {
      const list = [...tests];
      const n = list.length;
      return (d) => {
        for (let i = 0; i < n; i++) if (list[i](d) !== true) return false;
        return true;
      };
    }
  }
}

/** Three-valued `and`/`or` of the tests in the given order, stopping at the first false (`and`) or true (`or`). */
export function orderedJunction(kind: 'and' | 'or', tests: readonly Test[]): Test {
  const list = [...tests];
  const n = list.length;
  if (kind === 'and') {
    return (d) => {
      let unknown = false;
      for (let i = 0; i < n; i++) {
        const t = list[i](d);
        if (t === false) return false;
        if (t === null) unknown = true;
      }
      return unknown ? null : true;
    };
  }
  return (d) => {
    let unknown = false;
    for (let i = 0; i < n; i++) {
      const t = list[i](d);
      if (t === true) return true;
      if (t === null) unknown = true;
    }
    return unknown ? null : false;
  };
}

/**
 * Whether every part is true (a whole match: null counts as no match), with parts reordered as the data shows
 * which of them reject most cheaply. Without a policy the written order is kept.
 */
export function adaptiveAll(parts: readonly Part[], policy: AdaptivePolicy | null = DEFAULT_POLICY): (doc: object) => boolean {
  const tests = parts.map((p) => p.test);
  if (policy === null || parts.length < 2) return orderedAll(tests);
  return adaptive(parts, notTrue, orderedAll, (_t, anyFalse, anyNull) => !anyFalse && !anyNull, policy);
}

/**
 * A three-valued `and`/`or` of parts, reordered as the data shows which part decides it most cheaply.
 * Without a policy the written order is kept.
 */
export function adaptiveJunction(kind: 'and' | 'or', parts: readonly Part[], policy: AdaptivePolicy | null = DEFAULT_POLICY): Test {
  const tests = parts.map((p) => p.test);
  if (tests.length === 1) return tests[0];
  if (policy === null || tests.length === 0) return orderedJunction(kind, tests);
  const build = (ts: Test[]): Test => orderedJunction(kind, ts);
  if (kind === 'and') return adaptive<Tri>(parts, isFalse, build, (_t, anyFalse, anyNull) => (anyFalse ? false : anyNull ? null : true), policy);
  return adaptive<Tri>(parts, isTrue, build, (anyTrue, _f, anyNull) => (anyTrue ? true : anyNull ? null : false), policy);
}
