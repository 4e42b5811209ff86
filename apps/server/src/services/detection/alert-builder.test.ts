import { describe, expect, it } from 'vitest';
import { processEvent } from '../../testing/events';
import type { EffectiveRule } from '../rules/rule-definition';
import { alertId, buildAlert, buildReason } from './alert-builder';
import { getField } from './get-field';

const rule: EffectiveRule = {
  id: 'rule-uuid',
  rule_id: '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1',
  name: 'Interactive Exec Command Launched Against A Running Container',
  description: 'd',
  type: 'eql',
  language: 'eql',
  query: 'process where true',
  index: ['logs-cloud_defend*'],
  interval: '5m',
  from: 'now-6m',
  max_signals: 100,
  severity: 'high',
  risk_score: 73,
  timestamp_override: 'event.ingested',
  tags: ['Domain: Container'],
  threat: [],
  note: null,
  references: [],
  false_positives: [],
  author: ['Elastic'],
  license: null,
  version: 1,
  enabled: true,
  source_file: null,
  required_steps: ['investigation'],
  runnable: true,
  not_runnable_reason: null,
  last_covered_to: null,
};
const at = Date.UTC(2026, 0, 1, 12);

describe('alertId', () => {
  it('is deterministic per source index, source id and rule', () => {
    const a = alertId([{ _index: 'i', _id: '1' }], 'r');
    expect(alertId([{ _index: 'i', _id: '1' }], 'r')).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(alertId([{ _index: 'i', _id: '2' }], 'r')).not.toBe(a);
    expect(alertId([{ _index: 'j', _id: '1' }], 'r')).not.toBe(a);
    expect(alertId([{ _index: 'i', _id: '1' }], 's')).not.toBe(a);
    // the separator keeps ("ab","c") and ("a","bc") apart
    expect(alertId([{ _index: 'ab', _id: 'c' }], 'r')).not.toBe(alertId([{ _index: 'a', _id: 'bc' }], 'r'));
  });
});

describe('buildReason', () => {
  it("reads like Kibana's reason", () => {
    const e = processEvent({ at });
    expect(buildReason(e, rule)).toBe(
      'process event with process bash, parent process runc, by root on webapp-node created high alert Interactive Exec Command Launched Against A Running Container.',
    );
  });
  it('leaves out what the event does not have', () => {
    expect(buildReason({}, rule)).toBe('event event created high alert Interactive Exec Command Launched Against A Running Container.');
  });
});

describe('buildAlert', () => {
  it('writes the source ECS fields and kibana.alert.* like Kibana', () => {
    const source = processEvent({ at });
    const alert = buildAlert([{ _index: 'logs-cloud_defend.process-default', _id: 'ev1', _source: source }], rule, { now: at + 1000, executionId: 'exec-1', space: 'default' });
    const f = (p: string) => getField(alert.doc, p);
    expect(alert.id).toBe(alertId([{ _index: 'logs-cloud_defend.process-default', _id: 'ev1' }], rule.rule_id));
    expect(f('@timestamp')).toBe(new Date(at + 1000).toISOString());
    expect(f('event.kind')).toBe('signal');
    expect(f('event.action')).toBe('exec');
    expect(f('process.entry_leader.same_as_process')).toBe(true);
    expect(f('kibana.alert.uuid')).toBe(alert.id);
    expect(f('kibana.alert.workflow_status')).toBe('open');
    expect(f('kibana.alert.status')).toBe('active');
    expect(f('kibana.alert.original_time')).toBe(new Date(at).toISOString());
    expect(f('kibana.alert.original_event.kind')).toBe('event');
    expect(f('kibana.alert.severity')).toBe('high');
    expect(f('kibana.alert.risk_score')).toBe(73);
    expect(f('kibana.alert.rule')).toMatchObject({ uuid: 'rule-uuid', rule_id: rule.rule_id, name: rule.name, execution: { uuid: 'exec-1' } });
    expect(f('kibana.alert.ancestors')).toEqual([{ id: 'ev1', index: 'logs-cloud_defend.process-default', type: 'event', depth: 0 }]);
    expect(f('kibana.alert.depth')).toBe(1);
    expect(f('kibana.alert.reason')).toMatch(/created high alert/);
    expect(f('kibana.space_ids')).toEqual(['default']);
  });
});

describe("Kibana's detection alert schema", () => {
  const build = (r: EffectiveRule = rule) => buildAlert([{ _index: 'logs-cloud_defend.process-default', _id: 'ev1', _source: processEvent({ at }) }], r, { now: at + 1000, executionId: 'exec-1', space: 'default' });

  it('names the alert instance, the rule revision and the rule parameters SOAR and ES|QL tools read', () => {
    const alert = build({ ...rule, revision: 2, updated_at: at - 5000, updated_by: 'admin' });
    const f = (p: string) => getField(alert.doc, p);
    expect(f('kibana.alert.instance.id')).toBe(alert.id);
    expect(f('kibana.alert.rule.revision')).toBe(2);
    expect(f('kibana.alert.rule.updated_by')).toBe('admin');
    expect(f('kibana.alert.rule.updated_at')).toBe(new Date(at - 5000).toISOString());
    expect(f('kibana.alert.rule.immutable')).toBe(true);
    expect(f('kibana.alert.rule.execution.type')).toBe('scheduled');
    expect(f('kibana.alert.rule.parameters')).toMatchObject({
      index: ['logs-cloud_defend*'],
      query: 'process where true',
      language: 'eql',
      type: 'eql',
      from: 'now-6m',
      to: 'now',
      risk_score: 73,
      severity: 'high',
      rule_id: rule.rule_id,
      version: 1,
      max_signals: 100,
      threat: [],
      timestamp_override: 'event.ingested',
    });
    expect(f('kibana.alert.rule.severity_mapping')).toEqual([]);
    expect(f('kibana.alert.rule.risk_score_mapping')).toEqual([]);
  });

  it("moves the source's data_stream to kibana.alert.original_data_stream", () => {
    const alert = build();
    expect(getField(alert.doc, 'kibana.alert.original_data_stream')).toEqual({ type: 'logs', dataset: 'cloud_defend.process', namespace: 'default' });
    expect(alert.doc.data_stream).toBeUndefined();
  });

  it('keeps the alert id of a source event and rule, whatever the rule revision', () => {
    expect(build({ ...rule, revision: 5 }).id).toBe(build().id);
    expect(getField(build({ ...rule, origin: 'imported' }).doc, 'kibana.alert.rule.immutable')).toBe(false);
  });
});
