/** Maps stored Kibana-style alert documents to the API's alert shape. */
import { closingReasonSchema, severitySchema, workflowStatusSchema, type Alert, type AlertDetail, type AlertEntity, type ChecklistProgress } from '@execwatch/api';
import type { Doc, StoredAlert } from '../store/ports';
import { ATTRIBUTION_ALERT_FIELDS, presentAttribution } from '../features/attribution/alert-fields';
import { presentSession } from '../features/session-risk/alert-fields';
import { bool, getField, num, str, strings } from '../services/detection/get-field';

/**
 * Every field `presentAlert` (and the list's rule lookup) reads: a list page asks the store for just
 * these, so it never parses whole alert documents. Keep in step with presentEntity and presentAlert.
 */
export const ALERT_LIST_FIELDS: readonly string[] = [
  'orchestrator.cluster.name',
  'orchestrator.namespace',
  'orchestrator.resource.name',
  'container.id',
  'container.image.name',
  'container.image.tag',
  'host.name',
  'host.hostname',
  'user.id',
  'user.name',
  'process.user.id',
  'process.user.name',
  'process.name',
  'process.executable',
  'process.args',
  'process.command_line',
  'process.working_directory',
  'process.interactive',
  'process.entry_leader.entity_id',
  'process.entry_leader.entry_meta.type',
  'process.entry_leader.same_as_process',
  'process.parent.name',
  'process.parent.args',
  '@timestamp',
  'kibana.alert.ancestors',
  'kibana.alert.workflow_reason',
  'kibana.alert.original_time',
  'kibana.alert.rule.uuid',
  'kibana.alert.rule.rule_id',
  'kibana.alert.rule.name',
  'kibana.alert.severity',
  'kibana.alert.risk_score',
  'kibana.alert.reason',
  'kibana.alert.workflow_status',
  'kibana.alert.workflow_reason_text',
  'kibana.alert.workflow_user',
  'kibana.alert.workflow_status_updated_at',
  'kibana.alert.workflow_assignee_ids',
  'kibana.alert.workflow_tags',
  ...ATTRIBUTION_ALERT_FIELDS,
  'execwatch.session',
];

/** The who/what/where of the exec from the alert's ECS fields. */
export function presentEntity(doc: Doc): AlertEntity {
  const args = strings(doc, 'process.args');
  const imageName = str(doc, 'container.image.name');
  const imageTag = str(doc, 'container.image.tag');
  return {
    cluster: str(doc, 'orchestrator.cluster.name'),
    namespace: str(doc, 'orchestrator.namespace'),
    pod: str(doc, 'orchestrator.resource.name'),
    container_id: str(doc, 'container.id'),
    image: imageName ? (imageTag ? `${imageName}:${imageTag}` : imageName) : null,
    host: str(doc, 'host.name') ?? str(doc, 'host.hostname'),
    user_id: str(doc, 'user.id') ?? str(doc, 'process.user.id'),
    user_name: str(doc, 'user.name') ?? str(doc, 'process.user.name'),
    process_name: str(doc, 'process.name'),
    executable: str(doc, 'process.executable'),
    args,
    command_line: args.length > 0 ? args.join(' ') : (str(doc, 'process.command_line') ?? null),
    working_directory: str(doc, 'process.working_directory'),
    interactive: bool(doc, 'process.interactive'),
    entry_leader_entity_id: str(doc, 'process.entry_leader.entity_id'),
    entry_meta_type: str(doc, 'process.entry_leader.entry_meta.type'),
    same_as_process: bool(doc, 'process.entry_leader.same_as_process'),
    parent_name: str(doc, 'process.parent.name'),
    parent_args: strings(doc, 'process.parent.args'),
  };
}

function enumOr<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, fallback: T): T {
  const r = schema.safeParse(value);
  return r.success ? r.data : fallback;
}

/** Extra per-alert data the list view shows beside the document. */
export interface AlertExtras {
  checklist: ChecklistProgress;
  notesCount: number;
}

/** The API's alert from a stored alert. */
export function presentAlert(alert: StoredAlert, extras: AlertExtras): Alert {
  const d = alert.doc;
  const a = (p: string) => `kibana.alert.${p}`;
  const ancestor = getField(d, a('ancestors'));
  const first = Array.isArray(ancestor) && ancestor[0] && typeof ancestor[0] === 'object' ? (ancestor[0] as Doc) : {}; // checked to be an object
  const reason = getField(d, a('workflow_reason'));
  return {
    id: alert.id,
    index: alert.index,
    '@timestamp': str(d, '@timestamp') ?? new Date(0).toISOString(),
    original_time: str(d, a('original_time')),
    rule: { uuid: str(d, a('rule.uuid')) ?? '', rule_id: str(d, a('rule.rule_id')) ?? '', name: str(d, a('rule.name')) ?? '' },
    severity: enumOr(severitySchema, str(d, a('severity')), 'low'),
    risk_score: num(d, a('risk_score')) ?? 0,
    reason: str(d, a('reason')) ?? '',
    workflow_status: enumOr(workflowStatusSchema, str(d, a('workflow_status')), 'open'),
    workflow_reason: reason === null || reason === undefined ? null : enumOr(closingReasonSchema.nullable(), reason, null),
    workflow_reason_text: str(d, a('workflow_reason_text')),
    workflow_user: str(d, a('workflow_user')),
    workflow_status_updated_at: str(d, a('workflow_status_updated_at')),
    assignees: strings(d, a('workflow_assignee_ids')),
    tags: strings(d, a('workflow_tags')),
    entity: presentEntity(d),
    checklist: extras.checklist,
    notes_count: extras.notesCount,
    source: { index: typeof first._index === 'string' ? first._index : (str(first, 'index') ?? ''), id: str(first, 'id') ?? '' },
    attribution: presentAttribution(d),
    session: presentSession(d),
  };
}

/** The alert plus its whole stored document. */
export function presentAlertDetail(alert: StoredAlert, extras: AlertExtras): AlertDetail {
  return { ...presentAlert(alert, extras), document: alert.doc };
}
