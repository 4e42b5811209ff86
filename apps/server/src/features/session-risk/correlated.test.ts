/** Other rules' alerts in the same session: listed on the exec alert and counted in its risk, and the other way round. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ListAlertsResponse } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkBody, processEvent } from '../../testing/events';
import { seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';

const NETCAT_RULE = 'f0e1d2c3-0000-4000-8000-00000000c0de';
const rule = `[metadata]
creation_date = "2026/01/01"
maturity = "production"
updated_date = "2026/01/01"

[rule]
author = ["Execwatch tests"]
description = "Netcat run in a container."
from = "now-6m"
index = ["logs-cloud_defend.process*"]
interval = "5m"
language = "eql"
license = "Elastic License v2"
name = "Netcat in a Container"
risk_score = 47
rule_id = "${NETCAT_RULE}"
severity = "medium"
type = "eql"
query = '''
process where event.type == "start" and process.name == "nc"
'''
`;

let server: TestServer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-rules-'));
  writeFileSync(path.join(dir, 'netcat.toml'), rule);
  server = await startTestServer({ rulesDir: dir });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('lists the other rule\'s alert on the exec alert, counts it in the risk, and links it back', async () => {
  const at = server.clock.now() - 50_000;
  const leader = 'leader-corr';
  const shell = processEvent({ at, entityId: leader, entryLeaderId: leader, name: 'bash', pod: 'corr-1' });
  const nc = processEvent({ at: at + 2000, entityId: `${leader}-nc`, parentEntityId: leader, entryLeaderId: leader, entryLeader: false, name: 'nc', args: ['nc', '-z', 'db', '5432'], pod: 'corr-1' });
  const res = await server.request('POST', '/_bulk', { rawBody: bulkBody([shell, nc]), headers: { 'content-type': 'application/x-ndjson' } });
  expect(res.status).toBe(200);
  server.clock.advance(1000);
  for (const id of [seedRuleId, NETCAT_RULE]) expect((await server.json('POST', `/api/rules/${id}/_run`, { body: { from: 'now-1h' } })).status).toBe(200);
  // the exec alert was scored before the other rule ran: the next pass sees the new alert in its session
  while ((await server.services.sessionRisk.rescoreLive()) > 0);

  const { body } = await server.json<ListAlertsResponse>('GET', '/api/alerts?from=now-1d&size=10&field.orchestrator.resource.name=corr-1');
  const exec = body.alerts.find((a) => a.rule.rule_id === seedRuleId);
  const netcat = body.alerts.find((a) => a.rule.rule_id === NETCAT_RULE);
  expect(exec?.session?.related_alerts.map((r) => r.id)).toEqual([netcat?.id]);
  expect(exec?.session?.behaviors.find((b) => b.id === 'correlated.other_rules')?.title).toContain('Netcat in a Container');
  expect(netcat?.session?.related_alerts.map((r) => r.id)).toEqual([exec?.id]);
  // the other rule's alert weighs as one more behaviour of 20, combined as the scorer combines them
  const withoutRelated = exec?.session?.behaviors.filter((b) => b.id !== 'correlated.other_rules').map((b) => b.weight) ?? [];
  const expected = Math.round(100 * (1 - withoutRelated.reduce((p, w) => p * (1 - w / 100), 1) * 0.8));
  expect(exec?.session?.risk_score).toBe(expected);
});
