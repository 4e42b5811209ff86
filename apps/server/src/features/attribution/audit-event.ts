/**
 * kube-apiserver audit events (`audit.k8s.io/v1` `Event`, and the `EventList` the webhook backend POSTs),
 * and their mapping to the document Elastic's Kubernetes integration stores in `logs-kubernetes.audit_logs-*`.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export const AUDIT_API_VERSION = 'audit.k8s.io/v1';
export const AUDIT_DATASET = 'kubernetes.audit_logs';

export const AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];

const microTimePattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds (with the microseconds as a fraction) of an RFC 3339 time as Kubernetes writes
 * `MicroTime` (`2025-03-04T06:22:18.819232Z`), or null when the text is not one or names no real date.
 */
export function microTimeMs(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = microTimePattern.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number]; // all six groups are mandatory in the pattern
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const base = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  if (new Date(base).getUTCDate() !== day) return null; // 2025-02-30 and the like
  const fraction = m[7] ? Number(m[7].padEnd(9, '0')) / 1e6 : 0;
  let offsetMin = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return base + fraction - offsetMin * 60_000;
}

const requiredString = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') }).min(1, { error: 'must not be empty' });

const microTime = requiredString().refine((s) => microTimeMs(s) !== null, { error: 'not an RFC 3339 time' });

const stringList = z.array(z.string(), { error: 'must be an array of strings' });

const userInfoSchema = z.looseObject({
  username: z.string().optional(),
  uid: z.string().optional(),
  groups: stringList.optional(),
  extra: z.record(z.string(), z.array(z.string())).optional(),
});

const objectRefSchema = z.looseObject({
  resource: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional(),
  apiGroup: z.string().optional(),
  apiVersion: z.string().optional(),
  resourceVersion: z.string().optional(),
  subresource: z.string().optional(),
});

const responseStatusSchema = z.looseObject({
  code: z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
});

/** One `audit.k8s.io/v1` Event. Unknown fields are kept; `objectRef` is absent for non-resource requests. */
export const auditEventSchema = z.looseObject({
  kind: z.literal('Event', { error: 'must be "Event"' }).optional(),
  apiVersion: z.string().optional(),
  level: z.string().optional(),
  auditID: requiredString(),
  stage: z.enum(AUDIT_STAGES, {
    error: (issue) => (issue.input === undefined ? 'required' : `must be one of ${AUDIT_STAGES.join(', ')}`),
  }),
  requestURI: requiredString(),
  verb: requiredString(),
  user: userInfoSchema.optional(),
  impersonatedUser: userInfoSchema.nullish(),
  sourceIPs: stringList.optional(),
  userAgent: z.string().optional(),
  objectRef: objectRefSchema.nullish(),
  responseStatus: responseStatusSchema.nullish(),
  requestObject: z.unknown().optional(),
  responseObject: z.unknown().optional(),
  requestReceivedTimestamp: microTime,
  stageTimestamp: microTime.optional(),
  annotations: z.record(z.string(), z.string(), { error: 'must map strings to strings' }).nullish(),
});
export type RawAuditEvent = z.infer<typeof auditEventSchema>;

/** The webhook body's outer shape (a route may declare it as its body schema); parseEventList then reads the items one by one. */
export const auditEventListSchema = z.looseObject({
  kind: z.literal('EventList'),
  apiVersion: z.literal(AUDIT_API_VERSION).optional(),
  items: z.array(z.unknown()).nullable(),
});

export type AuditEventListErrorCode = 'not_an_object' | 'wrong_kind' | 'wrong_api_version' | 'items_not_an_array';

/** The body as a whole is not an audit EventList (the route answers 400 with this message). */
export class AuditEventListError extends Error {
  constructor(
    readonly code: AuditEventListErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuditEventListError';
  }
}

export interface ParsedEventList {
  events: RawAuditEvent[];
  /** Items left out, by their index in `items`, with a readable reason (`auditID: required; ...`). */
  errors: { index: number; reason: string }[];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function issueText(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * Reads a webhook body. Throws AuditEventListError when the body is not an `audit.k8s.io/v1` EventList;
 * otherwise every well-formed item is returned and every malformed one is reported, none dropped silently.
 * `items: null` (how Go encodes an empty list) is an empty list.
 */
export function parseEventList(body: unknown): ParsedEventList {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AuditEventListError('not_an_object', `expected an audit.k8s.io/v1 EventList object, got ${describe(body)}`);
  }
  const list = body as Record<string, unknown>; // a non-null, non-array object, checked above
  if (list.kind !== 'EventList') {
    const got = typeof list.kind === 'string' ? `"${list.kind.slice(0, 60)}"` : describe(list.kind);
    throw new AuditEventListError('wrong_kind', `expected kind "EventList", got ${got}`);
  }
  if (list.apiVersion !== undefined && list.apiVersion !== AUDIT_API_VERSION) {
    const got = typeof list.apiVersion === 'string' ? `"${list.apiVersion.slice(0, 60)}"` : describe(list.apiVersion);
    throw new AuditEventListError(
      'wrong_api_version',
      `expected apiVersion "${AUDIT_API_VERSION}", got ${got} (set the apiserver's --audit-webhook-version=${AUDIT_API_VERSION})`,
    );
  }
  const items = list.items ?? [];
  if (!Array.isArray(items)) {
    throw new AuditEventListError('items_not_an_array', `expected items to be an array, got ${describe(items)}`);
  }
  const events: RawAuditEvent[] = [];
  const errors: { index: number; reason: string }[] = [];
  for (let index = 0; index < items.length; index++) {
    const item: unknown = items[index];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      errors.push({ index, reason: `expected an audit Event object, got ${describe(item)}` });
      continue;
    }
    const parsed = auditEventSchema.safeParse(item);
    if (parsed.success) events.push(parsed.data);
    else errors.push({ index, reason: issueText(parsed.error.issues) });
  }
  return { events, errors };
}

/**
 * A document in the bulk path that is a raw audit event (an audit log line), not yet in the integration's
 * shape: `kind: "Event"`, a `requestReceivedTimestamp`, and no `@timestamp`.
 */
export function isRawAuditEvent(doc: unknown): boolean {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const o = doc as Record<string, unknown>; // a non-null, non-array object, checked above
  return o.kind === 'Event' && typeof o.requestReceivedTimestamp === 'string' && !('@timestamp' in o);
}

/** Annotation keys as the integration stores them: every dot becomes an underscore (`authorization_k8s_io/decision`). */
export function integrationAnnotationKey(key: string): string {
  return key.replaceAll('.', '_');
}

type Json = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Drops nulls, empty strings, and objects and arrays left empty, at any depth. Returns undefined when nothing is left. */
function pruneEmpty(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) {
    const kept = value.map(pruneEmpty).filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (isPlainObject(value)) {
    const out: Json = {};
    let any = false;
    for (const [k, v] of Object.entries(value)) {
      const kept = pruneEmpty(v);
      if (kept !== undefined) {
        out[k] = kept;
        any = true;
      }
    }
    return any ? out : undefined;
  }
  return value;
}

function withoutMetadata(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const { metadata: _dropped, ...rest } = value;
  return rest;
}

export interface IntegrationDocOptions {
  /** The cluster that sent the event (audit events do not name it): `orchestrator.cluster.name`. */
  cluster?: string;
}

/**
 * The document the Kubernetes integration (`kubernetes.audit_logs`) would store for a raw audit event,
 * following its agent processors and ingest pipeline:
 * - the event under `kubernetes.audit.*` with its own field names; `requestObject.metadata` and
 *   `responseObject.metadata` dropped; empty values (`""`, `{}`, `[]`, null) dropped, as the pipeline's
 *   expected test output shows (`authorization.k8s.io/reason: ""`, `responseStatus.metadata: {}`);
 * - annotation keys with every dot replaced by an underscore (the pipeline's painless `key.replace('.', '_')`
 *   replaces all dots, also any after the slash);
 * - `event.kind: event`, `event.action` the verb, `event.outcome` from the `authorization.k8s.io/decision`
 *   annotation (allow -> success, forbid -> failure), `user.name`, `user.id`, `user_agent.original`;
 * - `source.ip` and `client.ip` as the whole `sourceIPs` list (the pipeline converts the array, so every
 *   address is kept, the client first; left out when one is not an IP, as the convert fails as a whole);
 * - `orchestrator.{type, api_version, namespace, resource.name, resource.type}` and `related.{ip, user}`
 *   as in the pipeline's expected test output.
 * Deviations, on purpose:
 * - `@timestamp` is `requestReceivedTimestamp`: the integration's file input stamps the time a line was
 *   read, which a webhook body has no equivalent of; the request time is the event's own time.
 * - `event.outcome` falls back to `responseStatus.code` (>= 400 failure, else success) when the event has no
 *   decision annotation (the pipeline leaves it unset), so webhook events without authorization annotations
 *   (RequestReceived stages, non-resource requests) still say how the request ended when it did.
 * - `event.dataset`, `event.ingested` and `orchestrator.cluster.name` are set here, as the data stream,
 *   the final pipeline and the agent's metadata processors would otherwise add them.
 * - `kubernetes.audit.kind` and `apiVersion` are filled in when a webhook item leaves them out.
 * - `related.user` also holds the impersonated user name.
 * `data_stream.*` is left to the writer, which knows the target data stream.
 */
export function toIntegrationDoc(raw: RawAuditEvent, ingestedAt: string, options: IntegrationDocOptions = {}): Json {
  const audit: Json = structuredClone(raw);
  audit.kind ??= 'Event';
  audit.apiVersion ??= AUDIT_API_VERSION;
  if (audit.requestObject !== undefined) audit.requestObject = withoutMetadata(audit.requestObject);
  if (audit.responseObject !== undefined) audit.responseObject = withoutMetadata(audit.responseObject);

  let outcome: 'success' | 'failure' | undefined;
  if (raw.annotations) {
    const renamed: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw.annotations)) renamed[integrationAnnotationKey(key)] = value;
    audit.annotations = renamed;
    const decision = raw.annotations['authorization.k8s.io/decision'];
    if (decision === 'allow') outcome = 'success';
    else if (decision === 'forbid') outcome = 'failure';
  }
  const code = raw.responseStatus?.code;
  if (outcome === undefined && code !== undefined && code !== 0) outcome = code >= 400 ? 'failure' : 'success';

  const doc: Json = {
    '@timestamp': raw.requestReceivedTimestamp,
    event: {
      kind: 'event',
      dataset: AUDIT_DATASET,
      action: raw.verb,
      ...(outcome ? { outcome } : {}),
      ingested: ingestedAt,
    },
    kubernetes: { audit: pruneEmpty(audit) ?? {} },
  };

  const username = raw.user?.username || undefined;
  const uid = raw.user?.uid || undefined;
  if (username || uid) doc.user = { ...(username ? { name: username } : {}), ...(uid ? { id: uid } : {}) };
  if (raw.userAgent) doc.user_agent = { original: raw.userAgent };

  const ips = raw.sourceIPs ?? [];
  const allIps = ips.length > 0 && ips.every((ip) => isIP(ip) !== 0);
  if (allIps) {
    doc.source = { ip: [...ips] };
    doc.client = { ip: [...ips] };
  }

  const ref = raw.objectRef;
  const resource: Json = {};
  if (ref?.name) resource.name = ref.name;
  if (ref?.resource) resource.type = ref.resource;
  doc.orchestrator = {
    type: 'kubernetes',
    api_version: raw.apiVersion || AUDIT_API_VERSION,
    ...(ref?.namespace ? { namespace: ref.namespace } : {}),
    ...(Object.keys(resource).length > 0 ? { resource } : {}),
    ...(options.cluster ? { cluster: { name: options.cluster } } : {}),
  };

  const relatedUsers = [uid, username, raw.impersonatedUser?.username || undefined].filter((u): u is string => u !== undefined);
  const related: Json = {};
  if (allIps) related.ip = [...new Set(ips)];
  if (relatedUsers.length > 0) related.user = [...new Set(relatedUsers)];
  if (Object.keys(related).length > 0) doc.related = related;
  return doc;
}
