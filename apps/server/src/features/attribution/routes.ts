/** The kube-apiserver's audit webhook backend: `POST /api/k8s/audit` with an `audit.k8s.io/v1` EventList. */
import type { Router } from 'express';
import { z } from 'zod';
import type { RouteContext } from '../../http/context';
import { badRequest } from '../../http/errors';
import { mountRoutes, routes, type Route } from '../../http/route';
import type { BulkOperation, Store } from '../../store/ports';
import { auditFeedHealth } from './feed-health';
import { auditEventSchema, AuditEventListError, isRawAuditEvent, parseEventList, toIntegrationDoc, type RawAuditEvent } from './audit-event';
import { refuseIngestWhenDiskLow } from '../storage/disk-guard';

/** Where webhook events are stored: the data stream Elastic's Kubernetes integration writes. */
export const KUBE_AUDIT_DATA_STREAM = 'logs-kubernetes.audit_logs-default';

const webhookQuery = z.object({
  /** The cluster that sends (audit events do not name it): one webhook kubeconfig per cluster. */
  cluster: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/, 'expected a cluster name of letters, digits, ".", "_" and "-"')
    .optional(),
});

export interface KubeAuditRouteDeps {
  store: Store;
  now: () => number;
}

/**
 * Bulk operations for webhook events. Each event is stored once per request and stage: the id is the
 * audit ID and stage, so a batch the apiserver sends again (it retries on any error) is not stored twice.
 */
export function auditEventOperations(events: readonly RawAuditEvent[], ingestedAt: string, cluster?: string): { ops: BulkOperation[]; errors: { auditID: string; reason: string }[] } {
  const ops: BulkOperation[] = [];
  const errors: { auditID: string; reason: string }[] = [];
  events.forEach((event, i) => {
    try {
      const doc = { ...toIntegrationDoc(event, ingestedAt, { cluster }), data_stream: { type: 'logs', dataset: 'kubernetes.audit_logs', namespace: 'default' } };
      ops.push({ action: 'create', index: KUBE_AUDIT_DATA_STREAM, id: `${event.auditID}:${event.stage}`, source: JSON.stringify(doc), line: i + 1 });
    } catch (err) {
      // an event too deeply nested to copy (a request or response object at RequestResponse level, say) fails alone
      errors.push({ auditID: event.auditID, reason: err instanceof RangeError ? 'the event is nested too deeply to store' : 'the event could not be stored' });
    }
  });
  return { ops, errors };
}

const route = routes<KubeAuditRouteDeps>();

export const kubeAuditRoutes: Route<KubeAuditRouteDeps>[] = [
  route({
    method: 'POST',
    path: '/api/k8s/audit',
    requires: 'ingest',
    summary: "the kube-apiserver's audit webhook backend: an `audit.k8s.io/v1` EventList (`?cluster=NAME`)",
    query: webhookQuery,
    // The apiserver batches up to 400 events by default; bodies at RequestResponse level are larger.
    bodyLimit: '10mb',
    bodyKind: 'json',
    handler: async ({ query, req, res }, { store, now }) => {
      if (refuseIngestWhenDiskLow(store, req, res)) return undefined;
      const started = performance.now();
      let parsed;
      try {
        parsed = parseEventList(req.body);
      } catch (err) {
        if (err instanceof AuditEventListError) throw badRequest(`body: ${err.message}`);
        throw err;
      }
      const at = now();
      const mapped = auditEventOperations(parsed.events, new Date(at).toISOString(), query.cluster);
      const results = mapped.ops.length > 0 ? await store.events.bulk(mapped.ops, at) : [];
      const stored = results.filter((r) => r.status < 300).length;
      // the same request and stage sent again: already stored
      const duplicates = results.filter((r) => r.status === 409).length;
      const failed = results.filter((r) => r.status >= 300 && r.status !== 409);
      return {
        took: Math.round(performance.now() - started),
        stored,
        duplicates,
        errors: [
          ...parsed.errors.map((e) => ({ item: e.index, reason: e.reason })),
          ...mapped.errors.map((e) => ({ item: e.auditID, reason: e.reason })),
          ...failed.map((r) => ({ item: r._id, reason: r.error?.reason ?? `status ${r.status}` })),
        ],
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/k8s/audit/_health',
    requires: 'alerts:read',
    summary: "the audit feed per cluster over the last day: how exec alerts were attributed, what arrived, what is wrong",
    handler: (_input, { store, now }) => auditFeedHealth(store, now()),
  }),
];

/** Mounts the audit webhook route. */
export function kubeAuditRouter(ctx: RouteContext): Router {
  return mountRoutes(kubeAuditRoutes, { store: ctx.store, now: ctx.now }, ctx);
}

const AUDIT_INDEX_PREFIX = 'logs-kubernetes.audit_logs-';
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Bulk operations into an audit data stream whose documents are raw audit events (an apiserver's audit log
 * lines, shipped as they are) get the document Elastic's Kubernetes integration would store for them; every
 * other operation is returned as it came. A line that does not parse is left for the store to refuse.
 */
export function mapRawAuditOperations(ops: BulkOperation[], ingestedAt: string): BulkOperation[] {
  if (!ops.some((op) => op.index.startsWith(AUDIT_INDEX_PREFIX))) return ops;
  return ops.map((op) => {
    if (!op.index.startsWith(AUDIT_INDEX_PREFIX)) return op;
    let doc: unknown;
    try {
      doc = JSON.parse(typeof op.source === 'string' ? op.source : decoder.decode(op.source));
    } catch {
      return op;
    }
    if (!isRawAuditEvent(doc)) return op;
    const parsed = auditEventSchema.safeParse(doc);
    if (!parsed.success) return op;
    try {
      return { ...op, source: JSON.stringify(toIntegrationDoc(parsed.data, ingestedAt)) };
    } catch {
      // too deeply nested to copy: left as it came, for the store's own depth limit to refuse
      return op;
    }
  });
}
