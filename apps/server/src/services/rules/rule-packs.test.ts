/** EXECWATCH_RULES_DIR as a detection-rules checkout: subfolders, plain reasons, Elastic's newer copy of a built-in rule. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ListRulesResponse, Rule } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../config';
import { seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';

const sharedDomain = process.env.EXECWATCH_SHARED_DOMAIN ?? path.resolve(repoRoot, '../shared/domain');
const rulepack = path.join(sharedDomain, 'cloud_defend_rulepack');

const ML_RULE = `[metadata]
creation_date = "2020/03/25"
maturity = "production"
updated_date = "2025/01/15"

[rule]
anomaly_threshold = 50
author = ["Elastic"]
description = "Looks for unusual processes."
from = "now-45m"
interval = "15m"
license = "Elastic License v2"
machine_learning_job_id = ["v3_linux_anomalous_process_all_hosts"]
name = "Anomalous Process For a Linux Population"
risk_score = 21
rule_id = "647fc812-7996-4795-8869-9c4ea595fe88"
severity = "low"
type = "machine_learning"
`;

describe.runIf(existsSync(rulepack))('a rule pack checkout in EXECWATCH_RULES_DIR', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    // the pack as detection-rules lays it out: rules under subfolders, a machine learning rule beside them
    dir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-pack-'));
    cpSync(rulepack, path.join(dir, 'rules/integrations/cloud_defend'), { recursive: true });
    mkdirSync(path.join(dir, 'rules/ml'), { recursive: true });
    writeFileSync(path.join(dir, 'rules/ml/discovery_ml_linux_anomalous_process.toml'), ML_RULE);
    server = await startTestServer({ rulesDir: dir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the rules of every subfolder and says why each file it cannot load or run is left out', async () => {
    const { body } = await server.json<ListRulesResponse>('GET', '/api/rules');
    expect(body.total).toBeGreaterThan(40);
    expect(body.load_errors).toEqual([
      { file: path.join(dir, 'rules/ml/discovery_ml_linux_anomalous_process.toml'), reason: expect.stringMatching(/^machine learning rule: .*v3_linux_anomalous_process_all_hosts, which Execwatch does not run/) },
    ]);
    const kql = body.rules.find((r) => r.language === 'kuery');
    expect(kql?.runnable).toBe(false);
    expect(kql?.not_runnable_reason).toMatch(/^KQL query rule \(kuery language\): Execwatch runs EQL rules only/);
  });

  it("runs Elastic's newer copy of the built-in rule and says which version runs and what it replaced", async () => {
    const { status, body } = await server.json<Rule>('GET', `/api/rules/${seedRuleId}`);
    expect(status).toBe(200);
    expect(body.name).toBe('Exec Into Container Detected via Defend for Containers');
    expect(body.version).toBe(4);
    expect(body.origin).toBe('rules_dir');
    expect(body.upgraded_from).toMatchObject({ version: 3, source: 'built-in', reason: expect.stringMatching(/updated 2026\/07\/29/) });
    const run = await server.json<{ status: string }>('POST', `/api/rules/${seedRuleId}/_run`, { body: {} });
    expect(run.body.status).toBe('succeeded');
  });
});

describe('the built-in rule alone', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('names its origin and no upgrade', async () => {
    const { body } = await server.json<Rule>('GET', `/api/rules/${seedRuleId}`);
    expect(body.origin).toBe('built-in');
    expect(body.upgraded_from).toBeNull();
  });
});
