/**
 * Exceptions on who ran the exec (a person, a group, a CI service account). The fields they name are not in
 * the container's events: they come with the attribution. Such items are matched against alerts once they are
 * attributed, at rule run (the alert is not created, as with any exception) and when a late attribution
 * arrives (the alert is closed with the exception named, never deleted).
 */
import { compileExceptionMatcher } from '@execwatch/exceptions';
import type { ExceptionItemForMatching } from '../../store/ports';

/** Fields written by attribution (and session scoring): known on the alert, never on its source event. */
export const ALERT_ONLY_FIELD_PREFIXES = ['kubernetes.audit.', 'execwatch.'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function entryNamesAlertField(entry: unknown, parent = ''): boolean {
  if (!isRecord(entry) || typeof entry.field !== 'string') return false;
  const field = parent ? `${parent}.${entry.field}` : entry.field;
  if (ALERT_ONLY_FIELD_PREFIXES.some((p) => field.startsWith(p))) return true;
  return Array.isArray(entry.entries) && entry.entries.some((e) => entryNamesAlertField(e, field));
}

/** Whether an item names a field only alerts hold (then it is matched against alerts, not events). */
export function isAlertLevelItem(item: Pick<ExceptionItemForMatching, 'entries'>): boolean {
  return item.entries.some((e) => entryNamesAlertField(e));
}

/** A rule's active items: those matched against events in the rule's search, and those matched against alerts. */
export function splitExceptionItems<T extends Pick<ExceptionItemForMatching, 'entries'>>(items: readonly T[]): { eventItems: T[]; alertItems: T[] } {
  const eventItems: T[] = [];
  const alertItems: T[] = [];
  for (const item of items) (isAlertLevelItem(item) ? alertItems : eventItems).push(item);
  return { eventItems, alertItems };
}

/** The first alert-level item an alert document matches, or null. */
export function matchAlertItems(items: readonly ExceptionItemForMatching[], now: number): (doc: unknown) => ExceptionItemForMatching | null {
  if (items.length === 0) return () => null;
  const matcher = compileExceptionMatcher(items, { now });
  const byId = new Map(items.map((i) => [i.id, i]));
  return (doc) => {
    const id = matcher.match(doc);
    return id === null ? null : (byId.get(id) ?? null);
  };
}
