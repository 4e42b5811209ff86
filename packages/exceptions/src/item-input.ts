import { exceptionEntrySchema, type ExceptionEntry } from '@execwatch/api';

/** The part of an exception list item that matching and filter building need. */
export interface MatchableExceptionItem {
  id: string;
  item_id?: string;
  list_id?: string;
  entries: readonly unknown[];
  expire_time?: string | null;
  os_types?: readonly string[] | null;
}

export interface SkippedItem {
  id: string;
  reason: string;
}

export type UsableItem = { id: string; entries: ExceptionEntry[]; osTypes: string[] };

/**
 * Keeps the items that are in force at `now` with entries Execwatch can evaluate. Expired items are
 * dropped silently (as Kibana does); unusable ones are reported, never half-applied.
 */
export function usableItems(items: readonly MatchableExceptionItem[], now: number): { usable: UsableItem[]; skipped: SkippedItem[] } {
  const usable: UsableItem[] = [];
  const skipped: SkippedItem[] = [];
  for (const item of items) {
    if (isExpired(item.expire_time, now)) continue;
    if (!Array.isArray(item.entries) || item.entries.length === 0) {
      skipped.push({ id: item.id, reason: 'item has no entries' });
      continue;
    }
    const entries: ExceptionEntry[] = [];
    let reason: string | null = null;
    for (const raw of item.entries) {
      if (isObject(raw) && raw.type === 'list') {
        reason = 'value lists are not supported';
        break;
      }
      const parsed = exceptionEntrySchema.safeParse(raw);
      if (!parsed.success) {
        reason = `invalid entry: ${parsed.error.issues[0]?.message ?? 'unknown shape'}`;
        break;
      }
      entries.push(parsed.data);
    }
    if (reason !== null) skipped.push({ id: item.id, reason });
    else usable.push({ id: item.id, entries, osTypes: Array.isArray(item.os_types) ? [...item.os_types] : [] });
  }
  return { usable, skipped };
}

/** Kibana treats an item as expired once `expire_time` is not after now. Unparseable times never expire. */
export function isExpired(expireTime: string | null | undefined, now: number): boolean {
  if (expireTime === null || expireTime === undefined || expireTime === '') return false;
  const at = Date.parse(expireTime);
  return !Number.isNaN(at) && at <= now;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
