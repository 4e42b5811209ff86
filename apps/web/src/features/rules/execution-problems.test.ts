import { describe, expect, it } from 'vitest';
import type { Execution } from '@execwatch/api';
import { executionProblemsInRange } from './execution-problems';

function execution(overrides: Partial<Execution>): Execution {
  return {
    id: 'e1',
    rule_id: 'r',
    status: 'succeeded',
    trigger: 'schedule',
    started_at: '2026-01-01T10:00:00Z',
    finished_at: '2026-01-01T10:00:01Z',
    duration_ms: 1000,
    window: { from: '2026-01-01T09:54:00Z', to: '2026-01-01T10:00:00Z' },
    events_matched: 0,
    alerts_created: 0,
    alerts_existing: 0,
    suppressed: 0,
    max_signals_reached: false,
    gaps: [],
    warnings: [],
    error: null,
    ...overrides,
  };
}

const from = Date.parse('2026-01-01T09:00:00Z');
const to = Date.parse('2026-01-01T11:00:00Z');

describe('rule execution problems in the shown range', () => {
  it('finds failed and partial runs inside the range only', () => {
    const result = executionProblemsInRange(
      [
        execution({ id: 'ok' }),
        execution({ id: 'failed', status: 'failed', error: 'boom' }),
        execution({ id: 'partial', status: 'partial' }),
        execution({ id: 'old', status: 'failed', started_at: '2025-12-31T10:00:00Z' }),
      ],
      from,
      to,
    );
    expect(result.failed.map((e) => e.id)).toEqual(['failed', 'partial']);
  });

  it('reports each overlapping gap once', () => {
    const gap = { from: '2026-01-01T08:30:00Z', to: '2026-01-01T09:30:00Z' };
    const result = executionProblemsInRange(
      [execution({ gaps: [gap] }), execution({ id: 'e2', gaps: [gap, { from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' }] })],
      from,
      to,
    );
    expect(result.gaps).toEqual([gap]);
  });

  it('drops a gap a succeeded run has searched since (fill gap)', () => {
    const gap = { from: '2026-01-01T09:20:00Z', to: '2026-01-01T09:40:00Z' };
    const withGap = execution({ id: 'e1', gaps: [gap] });
    expect(executionProblemsInRange([withGap], from, to).gaps).toEqual([gap]);
    const failedFill = execution({ id: 'e2', status: 'failed', trigger: 'manual', window: gap });
    expect(executionProblemsInRange([failedFill, withGap], from, to).gaps).toEqual([gap]);
    const partly = execution({ id: 'e3', trigger: 'manual', window: { from: '2026-01-01T09:30:00Z', to: gap.to } });
    expect(executionProblemsInRange([partly, withGap], from, to).gaps).toEqual([gap]);
    const fill = execution({ id: 'e4', trigger: 'manual', window: gap });
    expect(executionProblemsInRange([fill, withGap], from, to).gaps).toEqual([]);
  });
});
