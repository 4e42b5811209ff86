import type { AuditFeedCluster, AuditFeedHealth } from '@execwatch/api';

/** Every warning of the feed, the top-level ones and each cluster's, once each, in the server's order. */
export function feedWarnings(health: AuditFeedHealth): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of [...health.warnings, ...health.clusters.flatMap((c) => c.warnings)]) {
    const text = w.trim();
    if (text === '' || seen.has(text)) continue;
    seen.add(text);
    out.push(text);
  }
  return out;
}

/**
 * What a dismissal remembers: the warnings with their numbers blanked, so a count that grows ("raised 12 exec
 * alerts", then 13) keeps the banner dismissed while a new kind of warning or another cluster brings it back.
 */
export function warningsKey(warnings: readonly string[]): string {
  return warnings.map((w) => w.replace(/\d+/g, '#')).join('\n');
}

/** The warnings the banner shows: none once these were dismissed in this browser session. */
export function bannerWarnings(health: AuditFeedHealth | undefined, dismissedKey: string | null): string[] {
  if (!health) return [];
  const warnings = feedWarnings(health);
  if (warnings.length === 0) return [];
  return dismissedKey !== null && dismissedKey === warningsKey(warnings) ? [] : warnings;
}

export type AttributionShareKey = 'exact' | 'ambiguous' | 'none' | 'unknown';

export const shareLabels: Record<AttributionShareKey, string> = {
  exact: 'exact',
  ambiguous: 'ambiguous',
  none: 'none',
  unknown: 'not yet',
};

export interface AttributionShare {
  key: AttributionShareKey;
  count: number;
  /** Whole percent; the shares of a cluster with alerts add up to 100. */
  percent: number;
}

const SHARE_KEYS: readonly AttributionShareKey[] = ['exact', 'ambiguous', 'none', 'unknown'];

/**
 * A cluster's alerts by verdict as whole percentages that add up to 100 (largest remainder), so the stacked bar
 * fills its width; all zero when the cluster raised no alert.
 */
export function attributionShares(c: Pick<AuditFeedCluster, AttributionShareKey>): AttributionShare[] {
  const total = SHARE_KEYS.reduce((n, k) => n + c[k], 0);
  if (total === 0) return SHARE_KEYS.map((key) => ({ key, count: 0, percent: 0 }));
  const exact = SHARE_KEYS.map((key, i) => ({ key, i, count: c[key], raw: (100 * c[key]) / total }));
  const shares = exact.map((s) => ({ ...s, percent: Math.floor(s.raw) }));
  let left = 100 - shares.reduce((n, s) => n + s.percent, 0);
  for (const s of [...shares].sort((a, b) => b.raw - b.percent - (a.raw - a.percent) || a.i - b.i)) {
    if (left <= 0) break;
    s.percent += 1;
    left -= 1;
  }
  return shares.map(({ key, count, percent }) => ({ key, count, percent }));
}

/** The cluster's name for people: audit events that name none are grouped under a label. */
export function clusterLabel(cluster: string | null): string {
  return cluster ?? '(audit events naming no cluster)';
}

/** A warning as a sentence: the server writes them in lower case without a full stop, to be embedded. */
export function warningSentence(warning: string): string {
  const text = warning.trim();
  if (text === '') return text;
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.?!]$/.test(first) ? first : `${first}.`;
}
