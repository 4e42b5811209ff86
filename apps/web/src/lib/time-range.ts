import datemath from '@elastic/datemath';

/** Resolves a date-math range (`now-24h` .. `now`) to epoch ms; null when either end does not parse. */
export function resolveRange(from: string, to: string, now: Date = new Date()): { fromMs: number; toMs: number } | null {
  const start = datemath.parse(from, { forceNow: now });
  const end = datemath.parse(to, { roundUp: true, forceNow: now });
  if (!start || !end || !start.isValid() || !end.isValid()) return null;
  return { fromMs: start.valueOf(), toMs: end.valueOf() };
}

/** The time picker's "commonly used" ranges: what a shift looks back over. */
export const commonlyUsedRanges: ReadonlyArray<{ start: string; end: string; label: string }> = [
  { start: 'now-15m', end: 'now', label: 'Last 15 minutes' },
  { start: 'now-1h', end: 'now', label: 'Last 1 hour' },
  { start: 'now-24h', end: 'now', label: 'Last 24 hours' },
  { start: 'now-7d', end: 'now', label: 'Last 7 days' },
];

/** A range as the picker names it (`Last 24 hours`), or `from → to` when it is no preset. */
export function rangeLabel(from: string, to: string): string {
  return commonlyUsedRanges.find((r) => r.start === from && r.end === to)?.label ?? `${from} → ${to}`;
}
