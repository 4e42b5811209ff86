import type { Doc } from '../ports';
import { getField } from './field-path';

export const SEVERITY_RANK: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** The columns the alert list filters, sorts and groups on, derived from the stored document. */
export interface AlertColumns {
  status: string;
  severity: string | null;
  severity_rank: number | null;
  risk: number | null;
  rule_id: string | null;
  rule_name: string | null;
  ts: number | null;
  original_time: number | null;
  namespace: string | null;
  pod: string | null;
  image: string | null;
  user: string | null;
  cluster: string | null;
  /** The Kubernetes user behind the exec, when attributed exactly. */
  requested_by: string | null;
  /** exact, ambiguous, none, or unknown (not attributed yet). */
  attribution: string;
  /** The session's risk score (0-100), once scored. */
  session_risk: number | null;
  /** The session's entry leader (`process.entry_leader.entity_id`): the alerts of one session. */
  session_id: string | null;
  assignees: string;
  tags: string;
  search_text: string;
}

const str = (v: unknown): string | null => {
  if (Array.isArray(v)) return v.length > 0 ? str(v[0]) : null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
};
const first = (doc: Doc, ...fields: string[]): string | null => {
  for (const f of fields) {
    const v = str(getField(doc, f));
    if (v !== null) return v;
  }
  return null;
};
const strings = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter((x): x is string => typeof x === 'string');
const toNumber = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};
const time = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  const s = str(v);
  if (s === null) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
};

/** The image as the list shows it: `name:tag` when a tag is known. */
export function alertImage(doc: Doc): string | null {
  const name = first(doc, 'container.image.name');
  if (name === null) return null;
  const tag = first(doc, 'container.image.tag');
  return tag === null || name.includes(':') ? name : `${name}:${tag}`;
}

/** The user an alert is about: the name when known, else the id. */
export function alertUser(doc: Doc): string | null {
  return first(doc, 'user.name', 'process.user.name', 'user.id', 'process.user.id');
}

/** The Kubernetes user an exact attribution names (its `kubernetes.audit.*` fields are written only then). */
export function alertRequestedBy(doc: Doc): string | null {
  return first(doc, 'execwatch.attribution.match') === 'exact' ? first(doc, 'kubernetes.audit.user.username') : null;
}

/** Derives every indexed column of an alert from its document. */
export function alertColumns(doc: Doc): AlertColumns {
  const severity = first(doc, 'kibana.alert.severity', 'kibana.alert.rule.severity');
  const risk = getField(doc, 'kibana.alert.risk_score') ?? getField(doc, 'kibana.alert.rule.risk_score');
  const args = getField(doc, 'process.args');
  const commandLine = first(doc, 'process.command_line') ?? (Array.isArray(args) ? args.filter((a) => typeof a === 'string').join(' ') : null);
  const cols = {
    status: first(doc, 'kibana.alert.workflow_status') ?? 'open',
    severity,
    severity_rank: severity === null ? null : SEVERITY_RANK[severity] ?? null,
    risk: toNumber(risk),
    rule_id: first(doc, 'kibana.alert.rule.rule_id'),
    rule_name: first(doc, 'kibana.alert.rule.name'),
    ts: time(getField(doc, '@timestamp')),
    original_time: time(getField(doc, 'kibana.alert.original_time')),
    namespace: first(doc, 'orchestrator.namespace'),
    pod: first(doc, 'orchestrator.resource.name'),
    image: alertImage(doc),
    user: alertUser(doc),
    cluster: first(doc, 'orchestrator.cluster.name', 'orchestrator.cluster.id'),
    requested_by: alertRequestedBy(doc),
    attribution: first(doc, 'execwatch.attribution.match') ?? 'unknown',
    session_risk: toNumber(getField(doc, 'execwatch.session.risk_score')),
    session_id: first(doc, 'process.entry_leader.entity_id'),
    assignees: JSON.stringify(strings(getField(doc, 'kibana.alert.workflow_assignee_ids'))),
    tags: JSON.stringify(strings(getField(doc, 'kibana.alert.workflow_tags'))),
    search_text: '',
  };
  cols.search_text = [
    first(doc, 'kibana.alert.reason'),
    cols.rule_name,
    cols.user,
    cols.requested_by,
    first(doc, 'user.id', 'process.user.id'),
    cols.namespace,
    cols.pod,
    cols.image,
    first(doc, 'container.id'),
    commandLine,
    first(doc, 'host.name'),
    first(doc, 'host.hostname'),
  ]
    .filter((s): s is string => s !== null && s !== '')
    .join('\n')
    .toLowerCase();
  return cols;
}
