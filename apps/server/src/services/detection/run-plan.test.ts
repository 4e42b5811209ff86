import { describe, expect, it } from 'vitest';
import { maxCatchUpIntervals, planScheduledRun } from './run-plan';

const min = 60_000;
const now = Date.UTC(2026, 0, 1, 12);
const base = { now, intervalMs: 5 * min, lookbackMs: 6 * min };

describe('planScheduledRun', () => {
  it('runs the rule window only on a first run', () => {
    expect(planScheduledRun({ ...base, lastCoveredTo: null })).toEqual({ catchUp: [], main: { from: now - 6 * min, to: now }, gaps: [] });
  });

  it('runs the rule window only when the previous run overlaps it', () => {
    const plan = planScheduledRun({ ...base, lastCoveredTo: now - 5 * min });
    expect(plan.catchUp).toEqual([]);
    expect(plan.gaps).toEqual([]);
  });

  it('catches up missed runs in interval-sized windows up to the rule window', () => {
    const plan = planScheduledRun({ ...base, lastCoveredTo: now - 18 * min });
    expect(plan.gaps).toEqual([]);
    expect(plan.catchUp).toEqual([
      { from: now - 18 * min, to: now - 13 * min },
      { from: now - 13 * min, to: now - 8 * min },
      { from: now - 8 * min, to: now - 6 * min },
    ]);
    expect(plan.main).toEqual({ from: now - 6 * min, to: now });
  });

  it(`records time older than ${maxCatchUpIntervals} intervals as a gap`, () => {
    const plan = planScheduledRun({ ...base, lastCoveredTo: now - 60 * min });
    const limit = now - 6 * min - maxCatchUpIntervals * 5 * min;
    expect(plan.gaps).toEqual([{ from: now - 60 * min, to: limit }]);
    expect(plan.catchUp).toHaveLength(maxCatchUpIntervals);
    expect(plan.catchUp[0]?.from).toBe(limit);
    expect(plan.catchUp.at(-1)?.to).toBe(now - 6 * min);
  });

  it('covers contiguous time: gap + catch-up + main leave no hole', () => {
    for (const missed of [7, 13, 26, 27, 100, 1000]) {
      const last = now - missed * min;
      const plan = planScheduledRun({ ...base, lastCoveredTo: last });
      const ranges = [...plan.gaps, ...plan.catchUp, plan.main];
      expect(ranges[0]?.from).toBe(last);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.from).toBe(ranges[i - 1]?.to);
      expect(ranges.at(-1)?.to).toBe(now);
    }
  });
});
