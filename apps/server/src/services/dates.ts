/** ISO timestamps and Elasticsearch date math (`now-6m`, `now/d`, `2024-01-01||+1d`) to epoch ms. */
import dateMath from '@elastic/datemath';
import moment from 'moment';
import { badRequest } from '../http/errors';

// moment warns on stderr for non-ISO input; inputs are validated before they reach it.
moment.suppressDeprecationWarnings = true;

const isoPattern = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const mathPattern = /^(\/[yMwdhHms]|[+-]\d+[yMwdhHms])*$/;

/**
 * Resolves ISO or date math to epoch ms, or returns null when the text is neither.
 * `roundUp` rounds `now/d` to the end of the day (for upper bounds), as Kibana does.
 */
export function tryResolveDate(text: string, now: number, roundUp = false): number | null {
  const input = text.trim();
  let anchor: string;
  let math: string;
  if (input.startsWith('now')) {
    anchor = 'now';
    math = input.slice(3);
  } else {
    const sep = input.indexOf('||');
    anchor = sep === -1 ? input : input.slice(0, sep);
    math = sep === -1 ? '' : input.slice(sep + 2);
    if (!isoPattern.test(anchor) || Number.isNaN(Date.parse(anchor))) return null;
  }
  if (!mathPattern.test(math)) return null;
  if (anchor !== 'now' && math === '') return Date.parse(anchor);
  const m = dateMath.parse(input, { roundUp, forceNow: new Date(now) });
  if (!m || !m.isValid()) return null;
  const ms = m.valueOf();
  return Number.isFinite(ms) ? ms : null;
}

/** Like tryResolveDate, but throws a 400 naming the parameter. */
export function resolveDate(text: string, now: number, what: string, roundUp = false): number {
  const ms = tryResolveDate(text, now, roundUp);
  if (ms === null) throw badRequest(`${what}: invalid date or date math "${text.slice(0, 100)}" (use ISO-8601 or e.g. now-15m)`);
  return ms;
}

/** Resolves an optional from/to pair; throws 400 when from is after to. */
export function resolveRange(from: string | undefined, to: string | undefined, now: number): { from?: number; to?: number } {
  const f = from === undefined ? undefined : resolveDate(from, now, 'from');
  const t = to === undefined ? undefined : resolveDate(to, now, 'to', true);
  if (f !== undefined && t !== undefined && f > t) throw badRequest('from: must not be after to');
  return { from: f, to: t };
}

/** Parses `30s`, `5m`, `1h`, `2d`, `500ms` to ms (rule intervals). */
export function durationMs(text: string): number | null {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd']; // regex guarantees the unit
  return Number(m[1]) * unit;
}
