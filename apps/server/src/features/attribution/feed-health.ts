/**
 * Health of the audit feed: per cluster, how the last day's exec alerts were attributed and what audit events
 * arrived, with the reasons an analyst would otherwise have to guess (no webhook, a policy without `get`).
 */
import type { AttributionMatch, AuditFeedHealth, AuditFeedCluster } from '@execwatch/api';
import type { Store } from '../../store/ports';

const DAY_MS = 86_400_000;
const MATCHES: AttributionMatch[] = ['exact', 'ambiguous', 'none', 'unknown'];
/** A share of `none` at or above this, with only `create` requests recorded, points at the audit policy. */
const MOSTLY_NONE = 0.5;

const NO_CLUSTER = '';

/** The feed's health over the day before `now`. */
export async function auditFeedHealth(store: Store, now: number): Promise<AuditFeedHealth> {
  const since = now - DAY_MS;
  const range = { from: since, to: now };
  const clusters = new Map<string, AuditFeedCluster>();
  const entry = (key: string | null): AuditFeedCluster => {
    const k = key ?? NO_CLUSTER;
    let c = clusters.get(k);
    if (!c) {
      c = { cluster: key, alerts: 0, exact: 0, ambiguous: 0, none: 0, unknown: 0, audit_events: 0, last_audit_event_at: null, verbs: {}, warnings: [] };
      clusters.set(k, c);
    }
    return c;
  };

  for (const match of MATCHES) {
    const stats = await store.alerts.stats({ from: new Date(since).toISOString(), to: new Date(now).toISOString(), attribution: [match] }, { groupBy: 'cluster', groupsSize: 100, buckets: 1, range });
    for (const g of stats.groups ?? []) {
      const c = entry(g.key);
      c[match] += g.count;
      c.alerts += g.count;
    }
  }
  for (const s of await store.kubeAudit.summary(since)) {
    const c = entry(s.cluster);
    c.audit_events += s.events;
    if (s.verb !== null) c.verbs[s.verb] = (c.verbs[s.verb] ?? 0) + s.events;
    if (s.lastAt !== null) c.last_audit_event_at = new Date(Math.max(s.lastAt, Date.parse(c.last_audit_event_at ?? '') || 0)).toISOString();
  }

  const unnamed = clusters.get(NO_CLUSTER);
  const unnamedAudit = unnamed?.audit_events ?? 0;
  const warnings: string[] = [];
  for (const c of clusters.values()) {
    if (c.cluster === null) continue;
    if (c.alerts > 0 && c.audit_events === 0 && unnamedAudit === 0) {
      c.warnings.push(`no audit events arrived from cluster ${c.cluster} in the last day, which raised ${c.alerts} exec alerts: is its audit webhook set up (POST /api/k8s/audit?cluster=${c.cluster})?`);
    }
    const attributed = c.exact + c.ambiguous + c.none;
    const verbs = c.audit_events > 0 ? c.verbs : (unnamed?.verbs ?? {});
    if (attributed > 0 && c.none / attributed >= MOSTLY_NONE && (verbs.create ?? 0) > 0 && (verbs.get ?? 0) === 0) {
      c.warnings.push(
        `${Math.round((100 * c.none) / attributed)}% of cluster ${c.cluster}'s exec alerts match no audit request, and its audit log holds only create requests: kubectl 1.30 and later opens exec with get (WebSocket); record pods/exec for every verb`,
      );
    }
    warnings.push(...c.warnings);
  }
  if (unnamedAudit > 0) warnings.push(`${unnamedAudit} audit events name no cluster: they are joined by namespace and pod only (add ?cluster=NAME to the webhook URL)`);
  return {
    window: { from: new Date(since).toISOString(), to: new Date(now).toISOString() },
    clusters: [...clusters.values()].sort((a, b) => b.alerts - a.alerts || String(a.cluster).localeCompare(String(b.cluster))),
    warnings,
  };
}
