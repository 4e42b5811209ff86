/**
 * The per-document closures of adaptive whole matches (adaptiveAll in adaptive-order.ts), as identical copies for the
 * reason getter-sites.ts gives: V8 keeps one feedback slot per call *site* in the source, shared by every closure
 * created there. With a single copy, the calls to the parts of every rule's conjunction meet at the same six sites,
 * turn megamorphic, and nothing behind them is inlined. Spread over the copies, the conjunctions of a process's
 * first rules (two per sequence of two terms, one per event query) each get sites of their own, whose calls stay
 * monomorphic, so the engine inlines the parts and their field reads into the closure. Written out by hand because
 * code generation at run time (`new Function`) is not used.
 */
import type { Schedule, Test } from './adaptive-order';

/** The learned order of a whole match: its parts' tests, padded with tests that are always true. */
export interface OrderSlots {
  t0: Test;
  t1: Test;
  t2: Test;
  t3: Test;
  t4: Test;
  t5: Test;
}

/** What profiling one document found: whether some part was false, or null. */
interface Seen {
  anyFalse: boolean;
  anyNull: boolean;
}

type WholeMatchSite = (slots: OrderSlots, schedule: Schedule, profile: (doc: object) => Seen) => (doc: object) => boolean;

export const WHOLE_MATCH_SITES: WholeMatchSite[] = [
  (slots, schedule, profile) => (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      return slots.t0(d) === true && slots.t1(d) === true && slots.t2(d) === true && slots.t3(d) === true && slots.t4(d) === true && slots.t5(d) === true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  },
  (slots, schedule, profile) => (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      return slots.t0(d) === true && slots.t1(d) === true && slots.t2(d) === true && slots.t3(d) === true && slots.t4(d) === true && slots.t5(d) === true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  },
  (slots, schedule, profile) => (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      return slots.t0(d) === true && slots.t1(d) === true && slots.t2(d) === true && slots.t3(d) === true && slots.t4(d) === true && slots.t5(d) === true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  },
  (slots, schedule, profile) => (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      return slots.t0(d) === true && slots.t1(d) === true && slots.t2(d) === true && slots.t3(d) === true && slots.t4(d) === true && slots.t5(d) === true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  },
  (slots, schedule, profile) => (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      return slots.t0(d) === true && slots.t1(d) === true && slots.t2(d) === true && slots.t3(d) === true && slots.t4(d) === true && slots.t5(d) === true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  },
  (slots, schedule, profile) => (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      return slots.t0(d) === true && slots.t1(d) === true && slots.t2(d) === true && slots.t3(d) === true && slots.t4(d) === true && slots.t5(d) === true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  },
  (slots, schedule, profile) => (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      return slots.t0(d) === true && slots.t1(d) === true && slots.t2(d) === true && slots.t3(d) === true && slots.t4(d) === true && slots.t5(d) === true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  },
  (slots, schedule, profile) => (d) => {
    if (schedule.untilProfile > 0) {
      schedule.untilProfile--;
      return slots.t0(d) === true && slots.t1(d) === true && slots.t2(d) === true && slots.t3(d) === true && slots.t4(d) === true && slots.t5(d) === true;
    }
    const seen = profile(d);
    return !seen.anyFalse && !seen.anyNull;
  },
];
