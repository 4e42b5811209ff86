/** Builds Kibana-compatible alert documents from matched events. */
import { createHash } from 'node:crypto';
import type { Doc, EventHit, StoredAlert } from '../../store/ports';
import type { EffectiveRule } from '../rules/rule-definition';
import { getField, str } from './get-field';

/** Index name alerts are stored under (Kibana's alias for the default space). */
export const alertsIndex = '.alerts-security.alerts-default';

/** Deterministic alert id: sha256 of the source events' index and id and the rule, so re-runs never duplicate. */
export function alertId(sources: { _index: string; _id: string }[], ruleId: string): string {
  const h = createHash('sha256');
  for (const s of sources) h.update(`${s._index}\u0000${s._id}\u0000`);
  h.update(ruleId);
  return h.digest('hex');
}

/** Kibana's reason sentence: "process event with process bash, parent process runc, by root on node created high alert Name." */
export function buildReason(source: Doc, rule: Pick<EffectiveRule, 'name' | 'severity'>): string {
  const category = str(source, 'event.category') ?? 'event';
  const parts: string[] = [];
  const processName = str(source, 'process.name');
  const parentName = str(source, 'process.parent.name');
  const fileName = str(source, 'file.name');
  const user = str(source, 'user.name') ?? str(source, 'process.user.name');
  const host = str(source, 'host.name') ?? str(source, 'host.hostname');
  if (processName) parts.push(`process ${processName}`);
  if (parentName) parts.push(`parent process ${parentName}`);
  if (fileName) parts.push(`file ${fileName}`);
  const withParts = parts.length > 0 ? ` with ${parts.join(', ')},` : '';
  return `${category} event${withParts}${user ? ` by ${user}` : ''}${host ? ` on ${host}` : ''} created ${rule.severity} alert ${rule.name}.`;
}

/** `kibana.alert.rule.parameters`: the rule's own parameters, as Kibana's security rule type stores them. */
export function ruleParameters(rule: EffectiveRule): Doc {
  return {
    author: rule.author,
    description: rule.description,
    false_positives: rule.false_positives,
    from: rule.from,
    to: 'now',
    immutable: isImmutable(rule),
    index: rule.index,
    language: rule.language,
    license: rule.license,
    max_signals: rule.max_signals,
    note: rule.note,
    query: rule.query,
    references: rule.references,
    risk_score: rule.risk_score,
    risk_score_mapping: [],
    rule_id: rule.rule_id,
    severity: rule.severity,
    severity_mapping: [],
    threat: rule.threat,
    timestamp_override: rule.timestamp_override,
    type: rule.type,
    version: rule.version,
    exceptions_list: [],
    building_block_type: null,
  };
}

/** Rules shipped by Elastic (built in, or from a rule pack) are Kibana's prebuilt, immutable rules. */
const isImmutable = (rule: EffectiveRule) => rule.origin !== 'imported';

function ruleFields(rule: EffectiveRule, executionId: string, nowIso: string): Doc {
  const updatedAt = rule.updated_at === undefined || rule.updated_at === null ? null : new Date(rule.updated_at).toISOString();
  return {
    uuid: rule.id,
    rule_id: rule.rule_id,
    name: rule.name,
    description: rule.description,
    type: rule.type,
    rule_type_id: rule.type === 'eql' ? 'siem.eqlRule' : `siem.${rule.type}Rule`,
    category: rule.type === 'eql' ? 'Event Correlation Rule' : rule.type,
    consumer: 'siem',
    producer: 'siem',
    enabled: rule.enabled,
    interval: rule.interval,
    from: rule.from,
    to: 'now',
    max_signals: rule.max_signals,
    severity: rule.severity,
    risk_score: rule.risk_score,
    timestamp_override: rule.timestamp_override,
    tags: rule.tags,
    threat: rule.threat,
    references: rule.references,
    false_positives: rule.false_positives,
    author: rule.author,
    license: rule.license,
    version: rule.version,
    revision: rule.revision ?? 0,
    immutable: isImmutable(rule),
    note: rule.note,
    exceptions_list: [],
    building_block_type: null,
    rule_name_override: null,
    timeline_id: null,
    timeline_title: null,
    meta: {},
    output_index: '',
    severity_mapping: [],
    risk_score_mapping: [],
    actions: [],
    created_at: null,
    created_by: null,
    updated_at: updatedAt,
    updated_by: rule.updated_by ?? null,
    parameters: ruleParameters(rule),
    execution: { uuid: executionId, type: 'scheduled', timestamp: nowIso },
  };
}

/** The source's `data_stream.*` as Kibana keeps it on an alert (the alert itself is not in that data stream). */
function originalDataStream(source: Doc): Doc | null {
  const ds = source.data_stream;
  if (!ds || typeof ds !== 'object' || Array.isArray(ds)) return null;
  const out: Doc = {};
  for (const key of ['type', 'dataset', 'namespace']) {
    const v = (ds as Doc)[key]; // checked to be an object
    if (typeof v === 'string') out[key] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * One alert per matched event (or per sequence): the last event's ECS fields, `event.kind: signal`,
 * and `kibana.alert.*` as Kibana's detection engine writes them.
 */
export function buildAlert(events: EventHit[], rule: EffectiveRule, ctx: { now: number; executionId: string; space: string }): StoredAlert {
  const last = events[events.length - 1];
  if (!last) throw new Error('buildAlert needs at least one event');
  const id = alertId(events, rule.rule_id);
  const nowIso = new Date(ctx.now).toISOString();
  const source: Doc = { ...last._source };
  delete source.kibana; // a source event never carries alert state of its own into the alert
  const dataStream = originalDataStream(source);
  delete source.data_stream;
  const originalEvent = getField(last._source, 'event');
  const event: Doc = { ...(originalEvent && typeof originalEvent === 'object' ? (originalEvent as Doc) : {}), kind: 'signal' }; // checked to be an object
  const ancestors = events.map((e) => ({ id: e._id, index: e._index, type: 'event', depth: 0 }));
  const doc: Doc = {
    ...source,
    '@timestamp': nowIso,
    event,
    kibana: {
      space_ids: [ctx.space],
      version: '8.19.0',
      alert: {
        uuid: id,
        // one alert per source event (or sequence): the alert's own id, stable across runs, as Kibana's security rules set it
        instance: { id },
        status: 'active',
        workflow_status: 'open',
        workflow_reason: null,
        workflow_reason_text: null,
        workflow_user: null,
        workflow_status_updated_at: null,
        workflow_assignee_ids: [],
        workflow_tags: [],
        original_time: str(last._source, '@timestamp'),
        original_event: originalEvent ?? {},
        reason: buildReason(last._source, rule),
        severity: rule.severity,
        risk_score: rule.risk_score,
        rule: ruleFields(rule, ctx.executionId, nowIso),
        ...(dataStream ? { original_data_stream: dataStream } : {}),
        ancestors,
        depth: 1,
        start: nowIso,
        last_detected: nowIso,
        building_block_type: null,
        ...(events.length > 1 ? { group: { id } } : {}),
      },
    },
  };
  return { id, index: alertsIndex, doc };
}
