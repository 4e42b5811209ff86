import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Execution, ListExecutionsResponse, ListRulesResponse, Rule } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../config';
import { ingestSessions, seedRuleId } from '../testing/scenario';
import { startTestServer, type TestServer } from '../testing/test-server';

const sharedDomain = process.env.EXECWATCH_SHARED_DOMAIN ?? path.resolve(repoRoot, '../shared/domain');
const rulepack = path.join(sharedDomain, 'cloud_defend_rulepack');

describe('rules API with the built-in rule', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('lists the seed rule with its default exception list and no load errors', async () => {
    const { status, body } = await server.json<ListRulesResponse>('GET', '/api/rules', { user: 'viewer' });
    expect(status).toBe(200);
    expect(body.load_errors).toEqual([]);
    const seed = body.rules.find((r) => r.rule_id === seedRuleId);
    expect(seed).toMatchObject({ runnable: true, severity: 'high', risk_score: 73, interval: '5m', from: 'now-6m', max_signals: 100, timestamp_override: 'event.ingested', required_steps: ['investigation'] });
    expect(seed?.exceptions_list[0]).toMatchObject({ type: 'rule_default' });
    expect(seed?.threat.flatMap((t) => t.technique ?? []).map((t) => t.id)).toContain('T1609');
  });

  it('PATCH changes settings for admins only and validates them', async () => {
    expect((await server.json('PATCH', `/api/rules/${seedRuleId}`, { user: 'analyst', body: { enabled: false } })).status).toBe(403);
    const ok = await server.json<Rule>('PATCH', `/api/rules/${seedRuleId}`, { body: { interval: '1m', from: 'now-2m', max_signals: 50, required_steps: ['response'] } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ interval: '1m', from: 'now-2m', max_signals: 50, required_steps: ['response'] });
    expect((await server.json('PATCH', `/api/rules/${seedRuleId}`, { body: { interval: 'often' } })).status).toBe(400);
    expect((await server.json('PATCH', `/api/rules/${seedRuleId}`, { body: { from: 'yesterday' } })).status).toBe(400);
    expect((await server.json('PATCH', '/api/rules/no-such-rule', { body: { enabled: true } })).status).toBe(404);
    await server.json('PATCH', `/api/rules/${seedRuleId}`, { body: { interval: '5m', from: 'now-6m', max_signals: 100, required_steps: ['investigation'] } });
  });

  it('POST _run runs the window asked for and validates date math', async () => {
    await ingestSessions(server, 3);
    const run = await server.json<Execution>('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-1h', to: 'now' } });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ trigger: 'manual', status: 'succeeded', alerts_created: 3 });
    expect(run.body.window.from).toBe(new Date(server.clock.now() - 3_600_000).toISOString());
    const bad = await server.json<{ error: string; message: string }>('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-1x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/from/);
    expect((await server.json('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now', to: 'now-1h' } })).status).toBe(400);
    expect((await server.json('POST', '/api/rules/nope/_run', { body: {} })).status).toBe(404);
    const log = await server.json<ListExecutionsResponse>('GET', `/api/rules/${seedRuleId}/executions?size=5`);
    expect(log.body.total).toBeGreaterThanOrEqual(1);
    expect(log.body.executions[0]?.id).toBe(run.body.id);
    const detail = await server.json<Rule>('GET', `/api/rules/${seedRuleId}`);
    expect(detail.body.last_execution?.id).toBe(run.body.id);
  });
});

describe('EXECWATCH_RULES_DIR', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-rules-'));
    writeFileSync(path.join(dir, 'broken.toml'), '[rule\nname = ');
    writeFileSync(path.join(dir, 'missing-fields.toml'), '[metadata]\ncreation_date = "2024/01/01"\n[rule]\nname = "x"\n');
    if (existsSync(path.join(rulepack, 'discovery_tool_enumeration.toml'))) {
      writeFileSync(path.join(dir, 'good.toml'), readFileSync(path.join(rulepack, 'discovery_tool_enumeration.toml')));
    }
    server = await startTestServer({ rulesDir: dir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports invalid rule files by name and reason, and keeps serving', async () => {
    const { body } = await server.json<ListRulesResponse>('GET', '/api/rules');
    const files = body.load_errors.map((e) => path.basename(e.file)).sort();
    expect(files).toEqual(['broken.toml', 'missing-fields.toml']);
    expect(body.load_errors.every((e) => e.reason.length > 0)).toBe(true);
    expect(body.rules.some((r) => r.rule_id === seedRuleId)).toBe(true);
    expect((await server.json('GET', '/api/health', { user: null })).status).toBe(200);
  });
});

describe.runIf(existsSync(rulepack))('the Defend for Containers rule pack', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rulesDir: rulepack });
  });
  afterAll(async () => server?.close());

  it('loads the pack; rules the engine cannot run are listed with the reason', async () => {
    const { body } = await server.json<ListRulesResponse>('GET', '/api/rules');
    expect(body.total).toBeGreaterThan(10);
    expect(body.rules.filter((r) => r.runnable).length).toBeGreaterThan(5);
    for (const r of body.rules.filter((x) => !x.runnable)) expect(r.not_runnable_reason).toBeTruthy();
    for (const r of body.rules.filter((x) => x.runnable)) {
      const run = await server.json<Execution>('POST', `/api/rules/${r.rule_id}/_run`, { body: {} });
      expect(run.status).toBe(200);
      expect(run.body.status).not.toBe('failed');
    }
  });
});
