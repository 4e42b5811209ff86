import datemath from '@elastic/datemath';

/** Resolves a date-math range (`now-24h` .. `now`) to epoch ms; null when either end does not parse. */
export function resolveRange(from: string, to: string, now: Date = new Date()): { fromMs: number; toMs: number } | null {
  const start = datemath.parse(from, { forceNow: now });
  const end = datemath.parse(to, { roundUp: true, forceNow: now });
  if (!start || !end || !start.isValid() || !end.isValid()) return null;
  return { fromMs: start.valueOf(), toMs: end.valueOf() };
}
