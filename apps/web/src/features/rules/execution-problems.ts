import type { Execution } from '@execwatch/api';

/** What went wrong in a rule's runs within a time range. */
export interface ExecutionProblems {
  failed: Execution[];
  gaps: Array<{ from: string; to: string }>;
}

function overlaps(fromIso: string, toIso: string, fromMs: number, toMs: number): boolean {
  const a = Date.parse(fromIso);
  const b = Date.parse(toIso);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return a <= toMs && b >= fromMs;
}

/** Whether a succeeded run (a "fill gap" run, say) searched the whole gap afterwards. */
function filled(gap: { from: string; to: string }, executions: readonly Execution[]): boolean {
  const from = Date.parse(gap.from);
  const to = Date.parse(gap.to);
  return executions.some((e) => e.status === 'succeeded' && Date.parse(e.window.from) <= from && Date.parse(e.window.to) >= to);
}

/** Failed or partial runs started in the range, and gaps overlapping it that no later run filled (deduplicated). */
export function executionProblemsInRange(executions: readonly Execution[], fromMs: number, toMs: number): ExecutionProblems {
  const failed = executions.filter((e) => {
    if (e.status !== 'failed' && e.status !== 'partial') return false;
    const started = Date.parse(e.started_at);
    return started >= fromMs && started <= toMs;
  });
  const seen = new Set<string>();
  const gaps: Array<{ from: string; to: string }> = [];
  for (const e of executions) {
    for (const gap of e.gaps) {
      const key = `${gap.from}|${gap.to}`;
      if (seen.has(key) || !overlaps(gap.from, gap.to, fromMs, toMs) || filled(gap, executions)) continue;
      seen.add(key);
      gaps.push(gap);
    }
  }
  return { failed, gaps };
}
