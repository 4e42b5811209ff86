/**
 * An Attribution on the alert document, and back out of it for the API.
 *
 * On the alert: for an exact match, the matched request's fields under Elastic's integration names
 * (`kubernetes.audit.user.username`, `kubernetes.audit.annotations.authorization_k8s_io/decision`, ...), and
 * always `execwatch.attribution.{match, reason?, detail, candidates, refused, attributed_at}`.
 */
import { z } from 'zod';
import { getField, str, strings } from '../../services/detection/get-field';
import type { AttributionCandidate, Attribution } from './join';
import { attributionReasonSchema, emptyAttributionView, type AttributionCandidateView, type AttributionView } from '@execwatch/api';

/** Candidates and refused requests kept on an alert, each list (the totals say how many there were). */
export const MAX_STORED_CANDIDATES = 20;

/** The alert fields presentAttribution reads (for a list query that fetches only some fields). */
export const ATTRIBUTION_ALERT_FIELDS: readonly string[] = [
  'kubernetes.audit',
  'execwatch.attribution',
  'orchestrator.namespace',
  'orchestrator.resource.name',
];

type Json = Record<string, unknown>;

/**
 * The fields to write. Nested, so annotation keys containing `/` stay single keys. A writer must replace the
 * `kubernetes.audit` and `execwatch.attribution` subtrees as a whole: when the match is no longer exact
 * `kubernetes` is absent here, and a merge would leave the previous person on the alert.
 */
export interface AttributionAlertFields {
  kubernetes?: { audit: Json };
  execwatch: { attribution: Json };
}

/** Drops undefined, null, empty strings, empty arrays and false, so stored candidates stay small. */
function compact(entries: Record<string, unknown>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

function storedCandidate(c: AttributionCandidate): Json {
  return compact({
    audit_id: c.auditID,
    username: c.username,
    groups: c.groups,
    impersonated_user: c.impersonatedUser ? compact({ username: c.impersonatedUser.username, groups: c.impersonatedUser.groups }) : null,
    source_ips: c.sourceIPs,
    user_agent: c.userAgent,
    verb: c.verb,
    subresource: c.subresource,
    container: c.container,
    container_repeated: c.containerRepeated,
    command: c.command,
    request_received_at: c.requestReceivedTimestamp,
    response_code: c.responseCode,
    decision: c.decision,
    decision_reason: c.authorizationReason,
    distance_ms: c.distanceMs,
    status: c.status,
  });
}

function auditFields(c: AttributionCandidate): Json {
  const annotations = compact({
    'authorization_k8s_io/decision': c.decision,
    'authorization_k8s_io/reason': c.authorizationReason,
  });
  const impersonated = c.impersonatedUser ? compact({ username: c.impersonatedUser.username, groups: c.impersonatedUser.groups }) : null;
  return compact({
    auditID: c.auditID,
    user: compact({ username: c.username, groups: c.groups }),
    impersonatedUser: impersonated && Object.keys(impersonated).length > 0 ? impersonated : null,
    sourceIPs: c.sourceIPs,
    userAgent: c.userAgent,
    requestReceivedTimestamp: c.requestReceivedTimestamp,
    verb: c.verb,
    objectRef: compact({ ...c.objectRef }),
    responseStatus: c.responseCode === null ? null : { code: c.responseCode },
    annotations: Object.keys(annotations).length > 0 ? annotations : null,
  });
}

/** The alert fields for an attribution made at `attributedAt` (ISO time). */
export function attributionAlertFields(attribution: Attribution, attributedAt: string): AttributionAlertFields {
  const attributionField: Json = {
    match: attribution.match,
    ...(attribution.match === 'none' ? { reason: attribution.reason } : {}),
    detail: attribution.detail,
    // empty lists stay: `candidates: []` says that none fitted
    candidates: attribution.candidates.slice(0, MAX_STORED_CANDIDATES).map(storedCandidate),
    candidates_total: attribution.candidates.length,
    refused: attribution.refused.slice(0, MAX_STORED_CANDIDATES).map(storedCandidate),
    refused_total: attribution.refused.length,
    attributed_at: attributedAt,
  };
  const fields: AttributionAlertFields = { execwatch: { attribution: attributionField } };
  if (attribution.match === 'exact') fields.kubernetes = { audit: auditFields(attribution.candidates[0]) };
  return fields;
}

const storedUserSchema = z.object({ username: z.string().nullish(), groups: z.array(z.string()).nullish() });

const storedCandidateSchema = z.object({
  audit_id: z.string(),
  username: z.string().nullish(),
  groups: z.array(z.string()).nullish(),
  impersonated_user: storedUserSchema.nullish(),
  source_ips: z.array(z.string()).nullish(),
  user_agent: z.string().nullish(),
  verb: z.string().nullish(),
  subresource: z.enum(['exec', 'attach', 'ephemeralcontainers']),
  container: z.string().nullish(),
  container_repeated: z.boolean().nullish(),
  command: z.array(z.string()).nullish(),
  request_received_at: z.string(),
  response_code: z.number().int().nullish(),
  decision: z.string().nullish(),
  decision_reason: z.string().nullish(),
  distance_ms: z.number(),
  status: z.enum(['success', 'pending', 'refused']),
});

const storedAttributionSchema = z.object({
  match: z.enum(['exact', 'ambiguous', 'none']),
  reason: attributionReasonSchema.nullish(),
  detail: z.string().nullish(),
  candidates: z.array(storedCandidateSchema).nullish(),
  candidates_total: z.number().int().nullish(),
  refused: z.array(storedCandidateSchema).nullish(),
  refused_total: z.number().int().nullish(),
  attributed_at: z.string().nullish(),
});

type StoredCandidate = z.infer<typeof storedCandidateSchema>;

function candidateView(c: StoredCandidate): AttributionCandidateView {
  const imp = c.impersonated_user;
  return {
    audit_id: c.audit_id,
    username: c.username ?? null,
    groups: c.groups ?? [],
    impersonated_user: imp ? { username: imp.username ?? null, groups: imp.groups ?? [] } : null,
    source_ips: c.source_ips ?? [],
    user_agent: c.user_agent ?? null,
    verb: c.verb ?? '',
    subresource: c.subresource,
    container: c.container ?? null,
    container_repeated: c.container_repeated ?? false,
    command: c.command ?? [],
    request_received_at: c.request_received_at,
    response_code: c.response_code ?? null,
    decision: c.decision ?? null,
    decision_reason: c.decision_reason ?? null,
    distance_ms: c.distance_ms,
    status: c.status,
  };
}


const AUDIT = 'kubernetes.audit.';

/**
 * The API's `attribution` for a stored alert. Every alert gets the same shape: one not attributed yet
 * presents `match: "unknown", reason: "not_attributed_yet"` with empty identity fields (so the UI needs no
 * null check on the object itself), and a stored attribution that cannot be read presents
 * `reason: "unreadable_attribution"`. For an exact match the identity is read from the alert's
 * `kubernetes.audit.*` fields, each falling back to the stored candidate, whose auditID must agree.
 */
export function presentAttribution(alertDoc: unknown): AttributionView {
  const raw = getField(alertDoc, 'execwatch.attribution');
  if (raw === undefined || raw === null) return emptyAttributionView('unknown', 'not_attributed_yet', 'not attributed yet');
  const parsed = storedAttributionSchema.safeParse(raw);
  if (!parsed.success) return emptyAttributionView('unknown', 'unreadable_attribution', 'the stored attribution could not be read');
  const stored = parsed.data;
  const candidates = (stored.candidates ?? []).map(candidateView);
  const refused = (stored.refused ?? []).map(candidateView);
  const view = emptyAttributionView(stored.match, stored.match === 'none' ? (stored.reason ?? 'no_matching_request') : null, stored.detail ?? null);
  view.candidates = candidates;
  view.candidates_total = stored.candidates_total ?? candidates.length;
  view.refused = refused;
  view.refused_total = stored.refused_total ?? refused.length;
  view.attributed_at = stored.attributed_at ?? null;

  const matched = candidates[0];
  if (stored.match !== 'exact' || matched === undefined) return view;
  // fields written for an earlier, different match are not this one's
  const own = str(alertDoc, `${AUDIT}auditID`) === matched.audit_id;
  const field = (path: string): string | null => (own ? str(alertDoc, `${AUDIT}${path}`) : null);
  const list = (path: string): string[] => (own ? strings(alertDoc, `${AUDIT}${path}`) : []);

  const username = field('user.username') ?? matched.username;
  const groups = own && getField(alertDoc, `${AUDIT}user.groups`) !== undefined ? list('user.groups') : matched.groups;
  const impUsername = field('impersonatedUser.username');
  const impGroups = list('impersonatedUser.groups');
  view.request_status = matched.status === 'pending' ? 'pending' : 'success';
  view.user = username === null ? null : { username, groups };
  view.impersonated_user =
    impUsername !== null || impGroups.length > 0 ? { username: impUsername, groups: impGroups } : matched.impersonated_user;
  view.source_ips = own && getField(alertDoc, `${AUDIT}sourceIPs`) !== undefined ? list('sourceIPs') : matched.source_ips;
  view.user_agent = field('userAgent') ?? matched.user_agent;
  view.audit_id = matched.audit_id;
  view.request_received_at = field('requestReceivedTimestamp') ?? matched.request_received_at;
  view.verb = field('verb') ?? matched.verb;
  view.decision = field('annotations.authorization_k8s_io/decision') ?? matched.decision;
  view.decision_reason = field('annotations.authorization_k8s_io/reason') ?? matched.decision_reason;
  view.object_ref = {
    resource: field('objectRef.resource') ?? 'pods',
    subresource: field('objectRef.subresource') ?? matched.subresource,
    namespace: field('objectRef.namespace') ?? str(alertDoc, 'orchestrator.namespace'),
    name: field('objectRef.name') ?? str(alertDoc, 'orchestrator.resource.name'),
  };
  return view;
}
