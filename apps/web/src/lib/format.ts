import type { Severity, WorkflowStatus } from '@execwatch/api';

/**
 * The zone every time on screen is shown in: an IANA name (`UTC`, `Europe/Berlin`), or undefined for the
 * browser's own. Set from the user's preference (features/preferences) before the pages render.
 */
let displayTimeZone: string | undefined;
const zoneListeners = new Set<() => void>();

/** Whether `zone` is a time zone this browser can format in. */
export function isSupportedTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Shows every time in `zone` from now on (undefined: the browser's zone); a zone the browser lacks falls back to it. */
export function setDisplayTimeZone(zone: string | undefined): void {
  const next = zone !== undefined && isSupportedTimeZone(zone) ? zone : undefined;
  if (next === displayTimeZone) return;
  displayTimeZone = next;
  for (const listener of zoneListeners) listener();
}

/** The zone times are shown in; undefined for the browser's. */
export function getDisplayTimeZone(): string | undefined {
  return displayTimeZone;
}

/** Calls `listener` whenever the display zone changes; returns the unsubscribe function. */
export function subscribeDisplayTimeZone(listener: () => void): () => void {
  zoneListeners.add(listener);
  return () => zoneListeners.delete(listener);
}

/** The browser's own zone, e.g. `Europe/Berlin`. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// One formatter per zone and precision: building an Intl.DateTimeFormat costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string | undefined, seconds: boolean): Intl.DateTimeFormat {
  const key = `${zone ?? ''}|${seconds ? 's' : 'm'}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

function formatParts(ms: number, zone: string | undefined, seconds: boolean): string {
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const p of formatterFor(zone, seconds).formatToParts(ms)) part[p.type] = p.value;
  const time = seconds ? `${part.hour}:${part.minute}:${part.second}` : `${part.hour}:${part.minute}`;
  return `${part.year}-${part.month}-${part.day} ${time} ${part.timeZoneName ?? ''}`.trimEnd();
}

/**
 * The one way a time is shown: `2026-11-23 19:13:02 UTC`, in the user's chosen zone (or `zone`), always
 * naming the zone; an em dash for a missing value, the input itself when it is not a time.
 */
export function formatTime(value: string | number | null | undefined, zone: string | undefined = displayTimeZone): string {
  if (value === null || value === undefined || value === '') return '—';
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(t) ? String(value) : formatParts(t, zone, true);
}

/** The same format to the minute (chart axes), e.g. `2026-11-23 19:13 UTC`. */
export function formatTimeToMinute(value: number, zone: string | undefined = displayTimeZone): string {
  return Number.isNaN(value) ? '—' : formatParts(value, zone, false);
}

/** Compact relative time such as `3 min ago`. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** Thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export const severityColors: Record<Severity, string> = {
  low: '#54B399',
  medium: '#D6BF57',
  high: '#DA8B45',
  critical: '#E7664C',
};

export const statusLabels: Record<WorkflowStatus, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  closed: 'Closed',
};

export const closingReasonLabels = {
  true_positive: 'True positive',
  false_positive: 'False positive',
  benign_positive: 'Benign positive',
  duplicate: 'Duplicate',
  other: 'Other',
  matched_exception: 'Matched an exception',
} as const;

/** Shell-like rendering of an argv for display (quotes arguments with spaces). */
export function formatArgs(args: readonly string[]): string {
  return args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
