import type { Severity, WorkflowStatus } from '@execwatch/api';

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** `Nov 23, 2026, 19:13:02` in the browser's locale and zone; an em dash for missing values. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTime.format(t);
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
} as const;

/** Shell-like rendering of an argv for display (quotes arguments with spaces). */
export function formatArgs(args: readonly string[]): string {
  return args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
