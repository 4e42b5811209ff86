import type { Execution, Rule } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSessions, seedRuleId } from '../testing/scenario';
import { startTestServer, type TestServer } from '../testing/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe("a rule's default exception list", () => {
  it('suppresses matching events in rule runs and counts the hits', async () => {
    const rule = await server.json<Rule>('GET', `/api/rules/${seedRuleId}`);
    const list = rule.body.exceptions_list[0];
    expect(list?.type).toBe('rule_default');
    const created = await server.json<{ id: string; item_id: string }>('POST', '/api/exception_lists/items', {
      body: {
        list_id: list?.list_id,
        namespace_type: list?.namespace_type,
        name: 'monitoring namespace is debugged by the SRE team',
        description: 'known admin debugging',
        type: 'simple',
        entries: [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'monitoring' }],
        comments: [{ comment: 'agreed with SRE' }],
      },
    });
    expect(created.status).toBe(200);
    await ingestSessions(server, 9);
    const run = await server.json<Execution>('POST', `/api/rules/${seedRuleId}/_run`, { body: {} });
    // one session in three runs in the monitoring namespace
    expect(run.body).toMatchObject({ status: 'succeeded', events_matched: 6, alerts_created: 6, suppressed: 3 });
    const hits = await server.store.exceptions.hitStats([created.body.id]);
    expect(hits[created.body.id]?.hits).toBe(3);
  });
});
