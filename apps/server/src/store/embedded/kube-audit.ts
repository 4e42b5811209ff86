import type { EventHit, KubeAuditStore } from '../ports';
import type { Db } from './db';

interface AuditRow {
  seq: number;
  idx: string;
  id: string;
  doc: string;
}

// The same condition as the partial indexes of migration 8, so that SQLite may use them.
const AUDIT_ROWS = `idx GLOB 'logs-kubernetes.audit_logs-*'`;

const toHit = (r: AuditRow): EventHit => ({ _index: r.idx, _id: r.id, _source: JSON.parse(r.doc) as Record<string, unknown> }); // stored documents are JSON objects

/** Kubernetes audit events of the events table, read through the partial indexes of migration 8. */
export function createKubeAuditStore(db: Db): KubeAuditStore {
  const forPod = db.prepare<[string, string, number, number, number], AuditRow>(`
    SELECT seq, idx, id, json(doc) AS doc FROM events INDEXED BY events_kube_audit_pod
    WHERE ${AUDIT_ROWS} AND doc ->> '$.kubernetes.audit.objectRef.namespace' = ? AND doc ->> '$.kubernetes.audit.objectRef.name' = ?
      AND ts >= ? AND ts <= ?
    ORDER BY ts, seq LIMIT ?`);
  const since = db.prepare<[number, number], AuditRow>(`
    SELECT seq, idx, id, json(doc) AS doc FROM events INDEXED BY events_kube_audit_seq
    WHERE ${AUDIT_ROWS} AND seq > ? ORDER BY seq LIMIT ?`);
  const summary = db.prepare<[number], { cluster: string | null; verb: string | null; events: number; last_at: number | null }>(`
    SELECT doc ->> '$.orchestrator.cluster.name' AS cluster, doc ->> '$.kubernetes.audit.verb' AS verb, count(*) AS events, max(ts) AS last_at
    FROM events INDEXED BY events_kube_audit_ts WHERE ${AUDIT_ROWS} AND ts >= ? GROUP BY 1, 2`);
  const any = db.prepare<[], { one: number }>(`SELECT 1 AS one FROM events INDEXED BY events_kube_audit_seq WHERE ${AUDIT_ROWS} LIMIT 1`);
  return {
    async forPod(q) {
      return forPod.all(q.namespace, q.pod, q.from, q.to, q.limit).map(toHit);
    },
    async since(cursor, limit) {
      const after = cursor === null ? 0 : Number(cursor);
      const rows = since.all(Number.isSafeInteger(after) ? after : 0, limit);
      const last = rows.at(-1);
      return { events: rows.map(toHit), cursor: last ? String(last.seq) : cursor };
    },
    async summary(sinceMs) {
      return summary.all(sinceMs).map((r) => ({ cluster: r.cluster, verb: r.verb, events: r.events, lastAt: r.last_at }));
    },
    async any() {
      return any.get() !== undefined;
    },
  };
}
