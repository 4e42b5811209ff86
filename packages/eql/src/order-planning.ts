/**
 * Choosing the order of a junction's parts from a profile of which parts ended the evaluation of which documents
 * (see adaptive-order.ts): a greedy plan on conditional stop rates, and the mean cost of an order.
 */
import type { Part } from './adaptive-order';

/**
 * Which parts stopped the evaluation on which profiled documents: `stopped[s * parts + i]` is 1 when part `i`
 * would have ended the evaluation of sample `s`. `objects[i]` are the objects part `i` was seen to read.
 */
export interface Profile {
  parts: number;
  samples: number;
  stopped: Uint8Array;
  objects: (readonly string[])[];
}

/**
 * Weight of a part's overall stop rate in its estimate on the few samples deep in an order, so that a handful of
 * documents that reach the last parts cannot make a part that never rejects look selective.
 */
const PRIOR_WEIGHT = 8;

/** Smoothed share of `of` samples at which a part stopped, pulled towards `prior`; never 0 or 1. */
function stopRate(stops: number, of: number, prior: number): number {
  return (stops + PRIOR_WEIGHT * prior) / (of + PRIOR_WEIGHT);
}

/** The cost of a part reading `objects` when the objects in `touched` have been read already. */
function marginalCost(part: Part, objects: readonly string[], touched: ReadonlySet<string>): number {
  let cost = part.work;
  for (const o of objects) if (!touched.has(o)) cost++;
  return Math.max(cost, 0.25);
}

/**
 * The greedy order for a profile: repeatedly the part with the least marginal cost / stop rate among the samples
 * that the chosen parts let through; ties keep the written order.
 */
export function greedyOrder(parts: readonly Part[], profile: Profile): number[] {
  const n = parts.length;
  const { stopped } = profile;
  let remaining = Array.from({ length: profile.samples }, (_, s) => s);
  const overall = parts.map((_, i) => {
    let stops = 0;
    for (const s of remaining) stops += stopped[s * n + i];
    return (stops + 0.5) / (remaining.length + 1);
  });
  const touched = new Set<string>();
  const left = parts.map((_, i) => i);
  const order: number[] = [];
  while (left.length > 0) {
    let bestAt = 0;
    let bestRank = Infinity;
    for (let k = 0; k < left.length; k++) {
      const i = left[k];
      let stops = 0;
      for (const s of remaining) stops += stopped[s * n + i];
      const rank = marginalCost(parts[i], profile.objects[i], touched) / stopRate(stops, remaining.length, overall[i]);
      if (rank < bestRank) {
        bestRank = rank;
        bestAt = k;
      }
    }
    const best = left.splice(bestAt, 1)[0];
    order.push(best);
    for (const o of profile.objects[best]) touched.add(o);
    remaining = remaining.filter((s) => stopped[s * n + best] === 0);
  }
  return order;
}

/** The mean cost per profiled document of evaluating the parts in `order` until one stops. */
export function orderCost(order: readonly number[], parts: readonly Part[], profile: Profile): number {
  const n = parts.length;
  const touched = new Set<string>();
  const step = order.map((i) => {
    const c = marginalCost(parts[i], profile.objects[i], touched);
    for (const o of profile.objects[i]) touched.add(o);
    return c;
  });
  let total = 0;
  for (let s = 0; s < profile.samples; s++) {
    for (let k = 0; k < order.length; k++) {
      total += step[k];
      if (profile.stopped[s * n + order[k]] === 1) break;
    }
  }
  return profile.samples === 0 ? 0 : total / profile.samples;
}

