/**
 * Adaptive ordering of the parts of a conjunction or disjunction.
 *
 * Over large in-memory data the time of a match is mostly the objects it touches, so which part is tested first
 * decides the speed. A junction therefore profiles: it evaluates every part of `window` documents and records
 * which parts would have ended the evaluation (a part that is not true ends a whole match, `false` ends a
 * three-valued `and`, `true` ends an `or`). From that it orders the parts greedily, each time taking the part with
 * the least cost per chance of stopping among the profiled documents that the parts before it let through (the
 * classic cost / (1 - pass rate) rule of adaptive filter ordering, with conditional rates so that correlated
 * parts are judged on the documents that actually reach them). A part's cost is its work plus the objects on its
 * field paths that no earlier part has read. The order then runs for `period` documents before profiling again,
 * so it follows the data as it drifts.
 *
 * Reordering is sound because the parts have no side effects and never throw at run time, and the three-valued
 * `and`/`or` of Elasticsearch's EQL give the same value in any order: `and` is false if any part is false, else
 * null if any part is null, else true (and `or` dually). A whole match only asks "is every part true", for which
 * null and false are the same answer, so the top level also stops at the first null.
 */

import { WHOLE_MATCH_SITES, type OrderSlots } from './match-sites';
import { greedyOrder, orderCost, type Profile } from './order-planning';

/** Three-valued truth: null means unknown, which never matches. */
type Tri = boolean | null;
export type Test = (doc: object) => Tri;

/**
 * One part of a junction: its test, the work of the test, the objects its field reads walk through, and the
 * fields it reads, whose values count as one more object each when profiling finds them to be arrays mostly.
 */
export interface Part {
  test: Test;
  work: number;
  objects: readonly string[];
  fields?: readonly FieldRead[];
}

/** A field a part reads: its path (naming the object its value is, if it is one) and a raw getter. */
export interface FieldRead {
  path: string;
  get: (doc: object) => unknown;
}

/** When to profile: every part of `window` documents is evaluated, then the learned order runs for `period`. */
export interface AdaptivePolicy {
  window: number;
  period: number;
}

/** Enough documents to see a 5% part pass a dozen times; re-profiling costs ~2% of the evaluations. */
export const DEFAULT_POLICY: AdaptivePolicy = { window: 256, period: 65_536 };

/**
 * A new order replaces the current one only when it is clearly cheaper on the profiled documents: parts of nearly
 * equal rank would otherwise swap on sampling noise, and every swap makes the engine re-optimize its callers.
 */
const SWITCH_GAIN = 0.9;

/** Whether a part's result ends the evaluation of the junction. */
type Stops = (t: Tri) => boolean;

const notTrue: Stops = (t) => t !== true;
const isFalse: Stops = (t) => t === false;
const isTrue: Stops = (t) => t === true;

/** What a junction's hot path checks per document: how many more may pass before profiling resumes. */
export interface Schedule {
  untilProfile: number;
}

/**
 * The learning side of an adaptive junction: `profile` evaluates every part of one document and returns whether any
 * was true, false or null; after `window` documents it hands the learned order to `adopt` and schedules the next
 * profile.
 */
function learner(
  parts: readonly Part[],
  stops: Stops,
  policy: AdaptivePolicy,
  adopt: (order: number[]) => void,
): { schedule: Schedule; profile: (doc: object) => { anyTrue: boolean; anyFalse: boolean; anyNull: boolean } } {
  const n = parts.length;
  const tests = parts.map((p) => p.test);
  const window = Math.max(1, Math.floor(policy.window));
  const profile: Profile = { parts: n, samples: 0, stopped: new Uint8Array(window * n), objects: parts.map((p) => p.objects) };
  const reads = parts.flatMap((p, i) => (p.fields ?? []).map((f) => ({ part: i, field: f, arrays: 0 })));
  const schedule: Schedule = { untilProfile: 0 };
  const seen = { anyTrue: false, anyFalse: false, anyNull: false };
  let order: number[] | null = null;

  const learn = (): void => {
    profile.objects = parts.map((p, i) => [...p.objects, ...reads.filter((r) => r.part === i && r.arrays * 2 > profile.samples).map((r) => r.field.path)]);
    for (const r of reads) r.arrays = 0;
    const next = greedyOrder(parts, profile);
    if (order === null || (next.some((v, i) => v !== order?.[i]) && orderCost(next, parts, profile) < SWITCH_GAIN * orderCost(order, parts, profile))) {
      order = next;
      adopt(order);
    }
    profile.samples = 0;
    schedule.untilProfile = policy.period;
  };

  return {
    schedule,
    profile(doc) {
      seen.anyTrue = seen.anyFalse = seen.anyNull = false;
      const base = profile.samples * n;
      for (let i = 0; i < n; i++) {
        const t = tests[i](doc);
        if (t === true) seen.anyTrue = true;
        else if (t === false) seen.anyFalse = true;
        else seen.anyNull = true;
        profile.stopped[base + i] = stops(t) ? 1 : 0;
      }
      for (const r of reads) if (Array.isArray(r.field.get(doc))) r.arrays++;
      if (++profile.samples >= window) learn();
      return seen;
    },
  };
}

const YES: Test = () => true;

/** Which copy of the per-document closure the next unrolled whole match gets (see match-sites.ts). */
let nextSite = 0;

/**
 * An adaptive whole match of up to six parts: the learned order lives in the slots `t0`..`t5` that the one closure
 * running per document calls, so the hot path makes no extra call through a wrapper. Successive matches get
 * successive copies of that closure, so that the calls of each stay monomorphic.
 */
function adaptiveAllUnrolled(parts: readonly Part[], policy: AdaptivePolicy): (doc: object) => boolean {
  const slots: OrderSlots = { t0: YES, t1: YES, t2: YES, t3: YES, t4: YES, t5: YES };
  const { schedule, profile } = learner(parts, notTrue, policy, (order) => {
    [slots.t0 = YES, slots.t1 = YES, slots.t2 = YES, slots.t3 = YES, slots.t4 = YES, slots.t5 = YES] = order.map((i) => parts[i].test);
  });
  const site = WHOLE_MATCH_SITES[nextSite++ % WHOLE_MATCH_SITES.length];
  return site(slots, schedule, profile);
}

/** An adaptive whole match of any number of parts, in a loop over the learned order. */
function adaptiveAllLooped(parts: readonly Part[], policy: AdaptivePolicy): (doc: object) => boolean {
  let list = parts.map((p) => p.test);
  const n = list.length;
  const { schedule, profile } = learner(parts, notTrue, policy, (order) => {
    list = order.map((i) => parts[i].test);
  });
  return (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      for (let i = 0; i < n; i++) if (list[i](d) !== true) return false;
      return true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  };
}

/** An adaptive three-valued `and`/`or`. */
function adaptiveTri(kind: 'and' | 'or', parts: readonly Part[], policy: AdaptivePolicy): Test {
  let list = parts.map((p) => p.test);
  const n = list.length;
  const { schedule, profile } = learner(parts, kind === 'and' ? isFalse : isTrue, policy, (order) => {
    list = order.map((i) => parts[i].test);
  });
  if (kind === 'and') {
    return (d) => {
      if (schedule.untilProfile > 0) {
        schedule.untilProfile--;
        let unknown = false;
        for (let i = 0; i < n; i++) {
          const t = list[i](d);
          if (t === false) return false;
          if (t === null) unknown = true;
        }
        return unknown ? null : true;
      }
      const seen = profile(d);
      return seen.anyFalse ? false : seen.anyNull ? null : true;
    };
  }
  return (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      let unknown = false;
      for (let i = 0; i < n; i++) {
        const t = list[i](d);
        if (t === true) return true;
        if (t === null) unknown = true;
      }
      return unknown ? null : false;
    }
    const seen = profile(d);
    return seen.anyTrue ? true : seen.anyNull ? null : false;
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
 * which of them reject most cheaply. With a null policy the written order is kept.
 */
export function adaptiveAll(parts: readonly Part[], policy: AdaptivePolicy | null = DEFAULT_POLICY): (doc: object) => boolean {
  const tests = parts.map((p) => p.test);
  if (policy === null || parts.length < 2) return orderedAll(tests);
  return parts.length <= 6 ? adaptiveAllUnrolled(parts, policy) : adaptiveAllLooped(parts, policy);
}

/**
 * A three-valued `and`/`or` of parts, reordered as the data shows which part decides it most cheaply.
 * With a null policy the written order is kept.
 */
export function adaptiveJunction(kind: 'and' | 'or', parts: readonly Part[], policy: AdaptivePolicy | null = DEFAULT_POLICY): Test {
  const tests = parts.map((p) => p.test);
  if (tests.length === 1) return tests[0];
  if (policy === null || tests.length === 0) return orderedJunction(kind, tests);
  return adaptiveTri(kind, parts, policy);
}
