import { describe, expect, it } from 'vitest';
import type { AuditFeedCluster, AuditFeedHealth } from '@execwatch/api';
import { attributionShares, bannerWarnings, clusterLabel, feedWarnings, warningSentence, warningsKey } from './audit-feed-health';

function cluster(over: Partial<AuditFeedCluster>): AuditFeedCluster {
  return { cluster: 'prod', alerts: 0, exact: 0, ambiguous: 0, none: 0, unknown: 0, audit_events: 0, last_audit_event_at: null, verbs: {}, warnings: [], ...over };
}

const silent = 'no audit events arrived from cluster prod in the last day, which raised 12 exec alerts: is its audit webhook set up (POST /api/k8s/audit?cluster=prod)?';
const unnamed = '40 audit events name no cluster: they are joined by namespace and pod only (add ?cluster=NAME to the webhook URL)';
const health: AuditFeedHealth = {
  window: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
  clusters: [cluster({ alerts: 12, unknown: 12, warnings: [silent] }), cluster({ cluster: 'staging', alerts: 3, exact: 3, audit_events: 9 })],
  warnings: [silent, unnamed],
};

describe('the audit feed banner', () => {
  it('lists every warning once, top-level and per cluster', () => {
    expect(feedWarnings(health)).toEqual([silent, unnamed]);
    expect(feedWarnings({ ...health, warnings: [], clusters: [cluster({ warnings: [' ', silent] })] })).toEqual([silent]);
  });

  it('shows nothing for a healthy feed or before the answer arrives', () => {
    expect(bannerWarnings({ ...health, warnings: [], clusters: [cluster({ alerts: 3, exact: 3 })] }, null)).toEqual([]);
    expect(bannerWarnings(undefined, null)).toEqual([]);
  });

  it('stays dismissed while only the counts change, and comes back for a new warning', () => {
    const dismissed = warningsKey(feedWarnings(health));
    expect(bannerWarnings(health, dismissed)).toEqual([]);
    const grownSilent = silent.replace('12', '13');
    const grown = { ...health, clusters: [cluster({ alerts: 13, unknown: 13, warnings: [grownSilent] })], warnings: [grownSilent, unnamed.replace('40', '41')] };
    expect(bannerWarnings(grown, dismissed)).toEqual([]);
    const more = { ...health, warnings: [...health.warnings, 'no audit events arrived from cluster edge in the last day'] };
    expect(bannerWarnings(more, dismissed)).toHaveLength(3);
    expect(bannerWarnings(health, 'something else')).toEqual([silent, unnamed]);
  });

  it('writes the warnings as sentences', () => {
    expect(warningSentence(unnamed)).toBe('40 audit events name no cluster: they are joined by namespace and pod only (add ?cluster=NAME to the webhook URL).');
    expect(warningSentence(silent)).toMatch(/^No audit events arrived .* is its audit webhook set up \(POST \/api\/k8s\/audit\?cluster=prod\)\?$/);
    expect(warningSentence('all good.')).toBe('All good.');
  });
});

describe('attribution shares per cluster', () => {
  it('gives whole percentages that add up to 100', () => {
    const shares = attributionShares({ exact: 1, ambiguous: 1, none: 1, unknown: 0 });
    expect(shares.map((s) => s.percent)).toEqual([34, 33, 33, 0]);
    expect(attributionShares({ exact: 7, ambiguous: 2, none: 1, unknown: 0 }).map((s) => s.percent)).toEqual([70, 20, 10, 0]);
    expect(attributionShares({ exact: 2, ambiguous: 0, none: 0, unknown: 1 }).map((s) => [s.key, s.count, s.percent])).toEqual([
      ['exact', 2, 67],
      ['ambiguous', 0, 0],
      ['none', 0, 0],
      ['unknown', 1, 33],
    ]);
  });

  it('is all zero for a cluster without alerts', () => {
    expect(attributionShares({ exact: 0, ambiguous: 0, none: 0, unknown: 0 }).every((s) => s.percent === 0)).toBe(true);
  });

  it('labels audit events that name no cluster', () => {
    expect(clusterLabel(null)).toBe('(audit events naming no cluster)');
    expect(clusterLabel('prod')).toBe('prod');
  });
});
