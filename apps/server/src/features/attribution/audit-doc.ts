/**
 * A typed view of the `kubernetes.audit.*` fields of a stored `kubernetes.audit_logs` document, whether made by
 * toIntegrationDoc or shipped in that shape by Elastic Agent.
 *
 * The store expands dotted keys into objects on ingest (`{"kubernetes.audit.verb": "get"}` is stored as
 * `{kubernetes: {audit: {verb: "get"}}}`), so the fields are read from nested objects; getField also
 * tolerates a dotted key left at any level. Annotation keys are read in the integration's form
 * (`authorization_k8s_io/decision`) first, then as Kubernetes writes them, which after expansion becomes
 * `annotations.authorization.k8s.io/decision` spread over nested objects.
 */
import { getField, num, str, strings } from '../../services/detection/get-field';
import { AUDIT_STAGES, type AuditStage, microTimeMs } from './audit-event';

export interface AuditUser {
  username: string | null;
  groups: string[];
}

export interface AuditObjectRef {
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
}

/** One stored audit event (one stage of one request). */
export interface AuditStageRecord {
  auditID: string;
  stage: AuditStage | null;
  verb: string | null;
  requestURI: string | null;
  user: AuditUser;
  impersonatedUser: AuditUser | null;
  sourceIPs: string[];
  userAgent: string | null;
  objectRef: AuditObjectRef;
  /** `responseStatus.code`; null when absent or 0 (Kubernetes' "not set"). */
  responseCode: number | null;
  decision: string | null;
  decisionReason: string | null;
  requestReceivedTimestamp: string | null;
  requestReceivedMs: number | null;
  /** `orchestrator.cluster.name`, when the writer knew it. */
  cluster: string | null;
  /**
   * Names of the ephemeral containers in the request body, when the audit level recorded it
   * (`requestObject.spec.ephemeralContainers[].name`, or the values of a JSON patch adding to that list); null when unknown.
   */
  ephemeralContainerNames: string[] | null;
}

const AUDIT = 'kubernetes.audit.';

function annotation(doc: unknown, name: 'decision' | 'reason'): string | null {
  return str(doc, `${AUDIT}annotations.authorization_k8s_io/${name}`) ?? str(doc, `${AUDIT}annotations.authorization.k8s.io/${name}`);
}

function user(doc: unknown, prefix: string): AuditUser | null {
  const username = str(doc, `${prefix}.username`);
  const groups = strings(doc, `${prefix}.groups`);
  return username === null && groups.length === 0 ? null : { username, groups };
}

function nameOf(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const name = (v as Record<string, unknown>).name; // a non-null, non-array object, checked above
  return typeof name === 'string' ? name : null;
}

function ephemeralContainerNames(doc: unknown): string[] | null {
  const body = getField(doc, `${AUDIT}requestObject`);
  if (Array.isArray(body)) {
    // a JSON patch: [{op: "add", path: "/spec/ephemeralContainers/-", value: {name: ...}}, ...]
    const names: string[] = [];
    for (const op of body) {
      if (op === null || typeof op !== 'object' || Array.isArray(op)) continue;
      const o = op as Record<string, unknown>; // checked above
      if (typeof o.path !== 'string' || !o.path.startsWith('/spec/ephemeralContainers')) continue;
      const values = Array.isArray(o.value) ? o.value : [o.value];
      for (const v of values) {
        const n = nameOf(v);
        if (n !== null) names.push(n);
      }
    }
    return names.length > 0 ? names : null;
  }
  const list = getField(body, 'spec.ephemeralContainers');
  if (!Array.isArray(list)) return null;
  const names = list.map(nameOf).filter((n): n is string => n !== null);
  return names.length > 0 ? names : null;
}

function stageOf(value: string | null): AuditStage | null {
  return value !== null && (AUDIT_STAGES as readonly string[]).includes(value) ? (value as AuditStage) : null; // membership checked
}

/** Reads one stored audit document; null when it has no `kubernetes.audit.auditID` (not an audit event). */
export function readAuditDoc(doc: unknown): AuditStageRecord | null {
  const auditID = str(doc, `${AUDIT}auditID`);
  if (!auditID) return null;
  const code = num(doc, `${AUDIT}responseStatus.code`);
  const requestReceivedTimestamp = str(doc, `${AUDIT}requestReceivedTimestamp`);
  return {
    auditID,
    stage: stageOf(str(doc, `${AUDIT}stage`)),
    verb: str(doc, `${AUDIT}verb`),
    requestURI: str(doc, `${AUDIT}requestURI`),
    user: user(doc, `${AUDIT}user`) ?? { username: null, groups: [] },
    impersonatedUser: user(doc, `${AUDIT}impersonatedUser`),
    sourceIPs: strings(doc, `${AUDIT}sourceIPs`),
    userAgent: str(doc, `${AUDIT}userAgent`),
    objectRef: {
      resource: str(doc, `${AUDIT}objectRef.resource`),
      subresource: str(doc, `${AUDIT}objectRef.subresource`),
      namespace: str(doc, `${AUDIT}objectRef.namespace`),
      name: str(doc, `${AUDIT}objectRef.name`),
    },
    responseCode: code === null || code === 0 ? null : code,
    decision: annotation(doc, 'decision'),
    decisionReason: annotation(doc, 'reason'),
    requestReceivedTimestamp,
    requestReceivedMs: microTimeMs(requestReceivedTimestamp),
    cluster: str(doc, 'orchestrator.cluster.name'),
    ephemeralContainerNames: ephemeralContainerNames(doc),
  };
}
