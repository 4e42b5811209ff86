/** What a candidate exception item would hide: open (or acknowledged) alerts, all alerts, and rule events of the last 7 days. */
import type { PreviewExceptionRequest, PreviewExceptionResponse } from '@execwatch/api';
import { compileExceptionMatcher } from '@execwatch/exceptions';
import type { Store } from '../store/ports';

/** The rule facts a preview needs (supplied by the rules registry). */
export interface PreviewRule {
  rule_id: string;
  name: string;
  index: string[];
  query: string;
  timestamp_override: string | null;
}

export const PREVIEW_WINDOW_MS = 7 * 86_400_000;
/** Alerts scanned per preview; the count says `capped` beyond. */
export const PREVIEW_ALERT_SCAN = 10_000;
const PREVIEW_ITEM_ID = 'preview';

type Bucket = PreviewExceptionResponse['open_alerts'];
type Sample = Bucket['sample'][number];

/**
 * Counts what the item would match. Alerts are matched with the same compiled matcher the embedded
 * engine uses; events through the store's rule search, whose `suppressedByItem` counts exactly what
 * the item hides.
 */
export async function previewException(
  store: Store,
  req: PreviewExceptionRequest,
  rule: PreviewRule,
  now: number,
): Promise<PreviewExceptionResponse> {
  const item = { id: PREVIEW_ITEM_ID, item_id: PREVIEW_ITEM_ID, list_id: PREVIEW_ITEM_ID, entries: req.entries, expire_time: null, os_types: req.os_types };
  const matcher = compileExceptionMatcher([item], { now });
  const warnings: string[] = matcher.skipped.map((s) => s.reason);

  const open: Bucket = { count: 0, capped: false, sample: [] };
  const all: Bucket = { count: 0, capped: false, sample: [] };
  const openIds: string[] = [];
  const ids = await store.alerts.ids({ rule_id: [rule.rule_id] }, PREVIEW_ALERT_SCAN + 1);
  if (ids.length > PREVIEW_ALERT_SCAN) {
    all.capped = true;
    open.capped = true;
    warnings.push(`only the first ${PREVIEW_ALERT_SCAN} alerts of the rule were checked`);
  }
  for (const id of ids.slice(0, PREVIEW_ALERT_SCAN)) {
    const alert = await store.alerts.get(id);
    if (!alert || matcher.match(alert.doc) === null) continue;
    const sample: Sample = { id: alert.id, index: alert.index, document: alert.doc };
    all.count++;
    if (all.sample.length < req.sample_size) all.sample.push(sample);
    // open or acknowledged: what closing the matching alerts would close
    if (workflowStatus(alert.doc) !== 'closed') {
      open.count++;
      openIds.push(alert.id);
      if (open.sample.length < req.sample_size) open.sample.push(sample);
    }
  }

  const events: Bucket = { count: 0, capped: false, sample: [] };
  const window = { from: now - PREVIEW_WINDOW_MS, to: now };
  try {
    const result = await store.events.searchRule({
      query: rule.query,
      index: rule.index,
      window,
      timestampOverride: rule.timestamp_override,
      exceptions: [item],
      size: 1,
      suppressedSample: req.sample_size,
    });
    events.count = result.suppressedByItem[PREVIEW_ITEM_ID] ?? 0;
    events.sample = result.suppressedEvents.slice(0, req.sample_size).map((h) => ({ id: h._id, index: h._index, document: h._source }));
    if (result.partial) {
      events.capped = true;
      warnings.push(`event search was partial: ${result.partial}`);
    }
  } catch (err) {
    warnings.push(`rule events could not be searched: ${err instanceof Error ? err.message : String(err)}`);
  }

  return {
    open_alerts: open,
    all_alerts: all,
    events_7d: events,
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    warnings,
    open_alert_ids: openIds,
  };
}

function workflowStatus(doc: Record<string, unknown>): unknown {
  const flat = doc['kibana.alert.workflow_status'];
  if (flat !== undefined) return flat;
  const kibana = doc.kibana;
  if (typeof kibana !== 'object' || kibana === null) return undefined;
  const alert = (kibana as Record<string, unknown>).alert; // narrowed to a non-null object above
  if (typeof alert !== 'object' || alert === null) return undefined;
  return (alert as Record<string, unknown>).workflow_status; // narrowed to a non-null object above
}
