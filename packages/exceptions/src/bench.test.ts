import { describe, expect, it } from 'vitest';
import { benchEvents, benchItems, runExceptionsBench } from './bench';
import { compileExceptionMatcher } from './matcher';

describe('exceptions benchmark', () => {
  it('returns its figures and suppresses what the items match', async () => {
    const figures = await runExceptionsBench({ items: 50, events: 500, rounds: 1 });
    expect(Object.keys(figures)).toEqual(
      expect.arrayContaining(['exceptions_overhead_pct', 'exceptions_run_ms_without', 'exceptions_run_ms_with_500', 'exceptions_suppressed']),
    );
    const matcher = compileExceptionMatcher(benchItems(50), { now: Date.now() });
    const expected = benchEvents(500).filter((t) => matcher.match(JSON.parse(t)) !== null).length;
    expect(figures.exceptions_suppressed).toBe(expected);
    expect(expected).toBeGreaterThan(0);
  });
});
