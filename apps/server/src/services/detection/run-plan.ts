/** Which windows a scheduled run covers: catch-up after missed runs, and gaps beyond the catch-up limit. */

export interface TimeRange {
  from: number;
  to: number;
}

/** Missed runs are caught up for at most this many intervals; older uncovered time is a gap. */
export const maxCatchUpIntervals = 4;

export interface RunPlan {
  /** Catch-up windows (oldest first), each at most one interval long. */
  catchUp: TimeRange[];
  /** The rule's own window ending now. */
  main: TimeRange;
  /** Ranges no run will cover. */
  gaps: TimeRange[];
}

/**
 * Plans a scheduled (or start-up) run at `now`: the rule's window `[now - lookback, now]`, preceded by
 * catch-up windows from the last covered time when runs were missed, and the remainder as a gap.
 */
export function planScheduledRun(p: { now: number; intervalMs: number; lookbackMs: number; lastCoveredTo: number | null }): RunPlan {
  const main = { from: p.now - p.lookbackMs, to: p.now };
  const last = p.lastCoveredTo;
  if (last === null || last >= main.from || last >= p.now) return { catchUp: [], main, gaps: [] };
  const limit = main.from - maxCatchUpIntervals * p.intervalMs;
  const gaps = last < limit ? [{ from: last, to: limit }] : [];
  const catchUp: TimeRange[] = [];
  for (let from = Math.max(last, limit); from < main.from; from += p.intervalMs) {
    catchUp.push({ from, to: Math.min(from + p.intervalMs, main.from) });
  }
  return { catchUp, main, gaps };
}
