/** A Kibana rules export, built at run time from the shared rule pack and exception export, imported over HTTP. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRuleToml } from '@execwatch/rules';
import type { ListRulesResponse, Rule } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../config';
import { startTestServer, type TestServer } from '../../testing/test-server';

const sharedDomain = process.env.EXECWATCH_SHARED_DOMAIN ?? path.resolve(repoRoot, '../shared/domain');
const ruleFile = path.join(sharedDomain, 'cloud_defend_rulepack/discovery_tool_enumeration.toml');
const exceptionsFile = path.join(sharedDomain, 'exceptions_example.ndjson');

interface ImportAnswer {
  success: boolean;
  success_count: number;
  rules_count: number;
  errors: { rule_id?: string; error: { status_code: number; message: string } }[];
  exceptions_success_count: number;
}

/** Kibana's export of one rule with its own exception list: the rule line, the list and items, the summary. */
function kibanaExport(): string {
  const toml = parseRuleToml(readFileSync(ruleFile, 'utf8'), ruleFile);
  const exceptionLines = readFileSync(exceptionsFile, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const [container, ...rest] = exceptionLines;
  const listId = String(container?.list_id);
  const rule = {
    id: '6f2b1a3e-0000-4000-8000-000000000001',
    rule_id: toml.rule_id,
    name: `${toml.name} (tuned)`,
    description: toml.description,
    type: toml.type,
    language: toml.language,
    query: toml.query,
    index: toml.index,
    interval: toml.interval,
    from: toml.from,
    max_signals: toml.max_signals,
    severity: toml.severity,
    risk_score: toml.risk_score,
    tags: toml.tags,
    threat: toml.threat,
    version: toml.version + 1,
    enabled: true,
    immutable: false,
    rule_source: { type: 'internal' },
    exceptions_list: [{ id: String(container?.id), list_id: listId, type: 'rule_default', namespace_type: 'single' }],
    actions: [],
  };
  const ml = { rule_id: 'ml-1', name: 'Unusual process', description: 'ml', type: 'machine_learning', machine_learning_job_id: ['v3_linux_rare'], anomaly_threshold: 50, risk_score: 21, severity: 'low', version: 1 };
  const list = { ...container, type: 'rule_default' };
  const items = rest.filter((l) => 'item_id' in l);
  return [rule, ml, list, ...items, { exported_rules_count: 2, missing_rules: [], missing_rules_count: 0, exported_exception_list_count: 1 }].map((l) => JSON.stringify(l)).join('\n');
}

const upload = (server: TestServer, text: string, query = '', user: 'admin' | 'analyst' = 'admin') => {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'application/ndjson' }), 'rules_export.ndjson');
  return fetch(`${server.url}/api/detection_engine/rules/_import${query}`, { method: 'POST', headers: { authorization: server.authHeader(user) }, body: form });
};

describe.runIf(existsSync(ruleFile) && existsSync(exceptionsFile))('POST /api/detection_engine/rules/_import', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it("imports the rules and the rule's own exception items into its default list", async () => {
    const res = await upload(server, kibanaExport());
    expect(res.status).toBe(200);
    const body = (await res.json()) as ImportAnswer;
    expect(body).toMatchObject({ success_count: 2, rules_count: 2, exceptions_success_count: 2 });
    const { body: rules } = await server.json<ListRulesResponse>('GET', '/api/rules');
    const tuned = rules.rules.find((r) => r.name.endsWith('(tuned)'));
    expect(tuned?.origin).toBe('imported');
    expect(tuned?.runnable).toBe(true);
    const ml = rules.rules.find((r) => r.rule_id === 'ml-1');
    expect(ml?.runnable).toBe(false);
    expect(ml?.not_runnable_reason).toMatch(/machine_learning rule/);
    const list = tuned?.exceptions_list[0];
    const items = await server.json<{ data: { item_id: string }[] }>('GET', `/api/exception_lists/items/_find?list_id=${list?.list_id}&namespace_type=single`);
    expect(items.body.data.map((i) => i.item_id).sort()).toHaveLength(2);
    const run = await server.json<{ status: string }>('POST', `/api/rules/${tuned?.rule_id}/_run`, { body: {} });
    expect(run.body.status).toBe('succeeded');
  });

  it('refuses a rule_id that exists unless overwrite, then says what it replaced', async () => {
    const again = (await (await upload(server, kibanaExport())).json()) as ImportAnswer;
    expect(again.success).toBe(false);
    expect(again.errors.filter((e) => e.error.status_code === 409).map((e) => e.error.message)).toContain(`rule_id: "ml-1" already exists`);
    const over = (await (await upload(server, kibanaExport(), '?overwrite=true&overwrite_exceptions=true')).json()) as ImportAnswer;
    expect(over.success_count).toBe(2);
    const ml = await server.json<Rule>('GET', '/api/rules/ml-1');
    expect(ml.body.upgraded_from).toMatchObject({ version: 1, source: 'imported' });
  });

  it('keeps imported rules in the store, read again at start-up, and needs rules:write', async () => {
    expect((await upload(server, kibanaExport(), '', 'analyst')).status).toBe(403);
    const saved = await server.store.settings.get<Record<string, unknown>>('detection_engine.imported_rules');
    expect(Object.keys(saved ?? {}).sort()).toContain('ml-1');
  });
});
