/**
 * The `attribution` of an alert in the API (`GET /api/alerts`, `GET /api/alerts/{id}`): who started the exec
 * session, from the kube-apiserver audit log.
 */
import { z } from 'zod';

/** `unknown`: the alert has not been attributed yet (or its stored attribution could not be read). */
export const attributionMatchSchema = z.enum(['exact', 'ambiguous', 'none', 'unknown']);
export type AttributionMatch = z.infer<typeof attributionMatchSchema>;

export const attributionReasonSchema = z.enum([
  'no_audit_events_from_cluster',
  'no_audit_events_for_pod',
  'no_matching_request',
  'refused_only',
  'not_attributed_yet',
  'unreadable_attribution',
]);
export type AttributionReason = z.infer<typeof attributionReasonSchema>;

export const auditUserViewSchema = z.object({
  username: z.string().nullable(),
  groups: z.array(z.string()),
});

export const auditObjectRefViewSchema = z.object({
  resource: z.string().nullable(),
  subresource: z.string().nullable(),
  namespace: z.string().nullable(),
  name: z.string().nullable(),
});

export const attributionCandidateViewSchema = z.object({
  audit_id: z.string(),
  username: z.string().nullable(),
  groups: z.array(z.string()),
  impersonated_user: auditUserViewSchema.nullable(),
  source_ips: z.array(z.string()),
  user_agent: z.string().nullable(),
  verb: z.string(),
  subresource: z.enum(['exec', 'attach', 'ephemeralcontainers']),
  container: z.string().nullable(),
  /** The request named several containers; the apiserver used the first (`container`). */
  container_repeated: z.boolean(),
  command: z.array(z.string()),
  request_received_at: z.string(),
  response_code: z.number().int().nullable(),
  decision: z.string().nullable(),
  decision_reason: z.string().nullable(),
  /** Request time minus the session's start, ms; negative when the request came first. */
  distance_ms: z.number(),
  /** `pending`: only the RequestReceived stage has been seen so far. */
  status: z.enum(['success', 'pending', 'refused']),
});
export type AttributionCandidateView = z.infer<typeof attributionCandidateViewSchema>;

/**
 * One shape for every alert, attributed or not: the identity fields are filled for an exact match only,
 * `candidates` lists every fitting request (one for exact, several for ambiguous), `refused` the refused
 * attempts that would have fitted.
 */
export const attributionViewSchema = z.object({
  match: attributionMatchSchema,
  /** Why there is no match (`none`, `unknown`); null for exact and ambiguous. */
  reason: attributionReasonSchema.nullable(),
  /** A sentence for people, e.g. "2 exec requests to this pod, none from 10 s before to 2 s after the session start". */
  detail: z.string().nullable(),
  /** Status of the matched request (exact only). */
  request_status: z.enum(['success', 'pending']).nullable(),
  user: z.object({ username: z.string(), groups: z.array(z.string()) }).nullable(),
  impersonated_user: auditUserViewSchema.nullable(),
  source_ips: z.array(z.string()),
  user_agent: z.string().nullable(),
  audit_id: z.string().nullable(),
  request_received_at: z.string().nullable(),
  verb: z.string().nullable(),
  decision: z.string().nullable(),
  decision_reason: z.string().nullable(),
  object_ref: auditObjectRefViewSchema.nullable(),
  candidates: z.array(attributionCandidateViewSchema),
  /** All fitting requests, when more than `candidates` lists. */
  candidates_total: z.number().int(),
  refused: z.array(attributionCandidateViewSchema),
  refused_total: z.number().int(),
  attributed_at: z.string().nullable(),
});
export type AttributionView = z.infer<typeof attributionViewSchema>;

/** An attribution with no identity, candidates or time: what an alert presents before it is attributed. */
export function emptyAttributionView(match: AttributionView['match'] = 'unknown', reason: AttributionView['reason'] = 'not_attributed_yet', detail: string | null = 'not attributed yet'): AttributionView {
  return {
    match,
    reason,
    detail,
    request_status: null,
    user: null,
    impersonated_user: null,
    source_ips: [],
    user_agent: null,
    audit_id: null,
    request_received_at: null,
    verb: null,
    decision: null,
    decision_reason: null,
    object_ref: null,
    candidates: [],
    candidates_total: 0,
    refused: [],
    refused_total: 0,
    attributed_at: null,
  };
}

/** One cluster's audit feed over the last day (`GET /api/k8s/audit/_health`). */
export const auditFeedClusterSchema = z.object({
  /** null: audit events that name no cluster. */
  cluster: z.string().nullable(),
  /** Exec alerts of the day, and how they were attributed. */
  alerts: z.number().int(),
  exact: z.number().int(),
  ambiguous: z.number().int(),
  none: z.number().int(),
  unknown: z.number().int(),
  audit_events: z.number().int(),
  last_audit_event_at: z.string().nullable(),
  /** Audit events by verb (`get`: kubectl 1.30+ over WebSocket; `create`: older kubectl). */
  verbs: z.record(z.string(), z.number().int()),
  warnings: z.array(z.string()),
});
export type AuditFeedCluster = z.infer<typeof auditFeedClusterSchema>;

export const auditFeedHealthSchema = z.object({
  window: z.object({ from: z.string(), to: z.string() }),
  clusters: z.array(auditFeedClusterSchema),
  warnings: z.array(z.string()),
});
export type AuditFeedHealth = z.infer<typeof auditFeedHealthSchema>;
