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

function ruleFields(rule: EffectiveRule, executionId: string): Doc {
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
    execution: { uuid: executionId },
  };
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
        rule: ruleFields(rule, ctx.executionId),
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
