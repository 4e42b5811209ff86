import { describe, expect, it } from 'vitest';
import { parseBulkBody } from './parse-bulk';
import { applyIngestLane, DEFAULT_INGEST_INDICES, IngestLane } from './lane';

describe('the ingest lane', () => {
  const lane = new IngestLane(DEFAULT_INGEST_INDICES, () => ['auditbeat-*', 'logs-cloud_defend.process*', '-logs-excluded*', 'remote:logs-*']);

  it("accepts the configured sources and the rules' index patterns", () => {
    expect(lane.check('logs-cloud_defend.process-default')).toBeNull();
    expect(lane.check('auditbeat-8.19.0')).toBeNull();
    expect(lane.accepted()).toEqual(['auditbeat-*', 'logs-*', 'logs-cloud_defend.process*']);
  });

  it("refuses Execwatch's own indices, system and alert indices, and anything else, in Elasticsearch's words", () => {
    for (const index of ['execwatch-users', 'execwatch-exceptions', '.alerts-security.alerts-default', '.kibana']) {
      const r = lane.check(index);
      expect(r?.type).toBe('security_exception');
      expect(r?.reason).toContain(`index [${index}] is outside the ingest lane`);
    }
    expect(lane.check('metrics-system.cpu-default')?.reason).toMatch(/accepted: auditbeat-\*, logs-\*/);
    // a pattern cannot open a reserved prefix
    expect(new IngestLane(['*']).check('execwatch-alerts-default')).not.toBeNull();
  });

  it('fails the refused items alone, at their own positions', () => {
    const body = [
      '{"create":{"_index":"logs-a-default"}}', '{"a":1}',
      '{"create":{"_index":"execwatch-users"}}', '{"username":"mallory"}',
      '{"delete":{"_index":"logs-a-default","_id":"x"}}',
      '{"index":{"_index":".alerts-security.alerts-default"}}', '{"b":2}',
      '{"create":{}}', '{"c":3}',
    ].join('\n');
    const parsed = parseBulkBody(body, 'logs-b-default');
    applyIngestLane(parsed, lane);
    expect(parsed.operations.map((o) => o.index)).toEqual(['logs-a-default', 'logs-b-default']);
    const byPosition = Object.fromEntries(parsed.errors.map((e) => [e.position, e.result]));
    expect(byPosition[1]).toMatchObject({ action: 'create', _index: 'execwatch-users', status: 403, error: { type: 'security_exception' } });
    expect(byPosition[2]?.status).toBe(400); // the delete, refused by the parser
    expect(byPosition[3]).toMatchObject({ action: 'index', _index: '.alerts-security.alerts-default', status: 403 });
    expect(parsed.items).toBe(5);
  });
});
