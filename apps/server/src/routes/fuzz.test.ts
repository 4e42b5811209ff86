import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSessions, seedRuleId } from '../testing/scenario';
import { startTestServer, type TestServer } from '../testing/test-server';

let server: TestServer;
let alertId: string;

beforeAll(async () => {
  server = await startTestServer();
  await ingestSessions(server, 3);
  await server.json('POST', `/api/rules/${seedRuleId}/_run`, { body: {} });
  const list = await server.json<{ alerts: { id: string }[] }>('GET', '/api/alerts?size=1');
  alertId = list.body.alerts[0]?.id ?? '';
});
afterAll(async () => server?.close());

const keys = ['size', 'page', 'sort_field', 'sort_order', 'from', 'to', 'query', 'status', 'severity', 'rule_id', 'namespace', 'image', 'user', 'assignee', 'tag', 'field.container.id', 'field.', 'group_by', 'buckets', 'groups_size'];
const values = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('0', '-1', '1001', 'now-1d', 'now+', 'open,closed', 'high', '@timestamp', 'asc', '%', '*', "'", '"', '\\', 'null'), fc.integer().map(String));
const jsonValue = fc.jsonValue({ maxDepth: 3 });

function expectClientOrOk(status: number): void {
  expect(status === 200 || status === 201 || (status >= 400 && status < 500)).toBe(true);
}

describe('fuzzed input never breaks the server', () => {
  it('GET /api/alerts and /_stats with arbitrary query parameters answer 200 or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), values, { maxKeys: 5 }), fc.boolean(), async (params, stats) => {
        const qs = new URLSearchParams(params).toString();
        const res = await server.request('GET', `/api/alerts${stats ? '/_stats' : ''}?${qs}`);
        expectClientOrOk(res.status);
        await res.arrayBuffer();
      }),
      { numRuns: 60 },
    );
  });

  it('PATCH, bulk update, checklist, notes and _run with arbitrary JSON bodies answer 2xx or 4xx', async () => {
    const routes: [string, () => string][] = [
      ['PATCH', () => `/api/alerts/${alertId}`],
      ['POST', () => '/api/alerts/_bulk_update'],
      ['PUT', () => `/api/alerts/${alertId}/checklist/step`],
      ['POST', () => `/api/alerts/${alertId}/notes`],
      ['POST', () => `/api/rules/${seedRuleId}/_run`],
      ['PATCH', () => `/api/rules/${seedRuleId}`],
    ];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: routes.length - 1 }), jsonValue, async (i, body) => {
        const [method, pathOf] = routes[i] as [string, () => string];
        const res = await server.request(method, pathOf(), { body, user: 'viewer' });
        // viewers are refused changes (or the JSON is not an object); admins see validation
        expect([400, 403]).toContain(res.status);
        await res.arrayBuffer();
        const asAdmin = await server.request(method, pathOf(), { body });
        expectClientOrOk(asAdmin.status);
        await asAdmin.arrayBuffer();
      }),
      { numRuns: 60 },
    );
    // undo whatever the fuzzed PATCH did to the rule
    await server.json('PATCH', `/api/rules/${seedRuleId}`, { body: { enabled: true } });
  });

  it('related events with arbitrary parameters answer 200 or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('field', 'value', 'from', 'to', 'size'), values, { maxKeys: 5 }), async (params) => {
        const res = await server.request('GET', `/api/events/_related?${new URLSearchParams(params).toString()}`);
        expectClientOrOk(res.status);
        await res.arrayBuffer();
      }),
      { numRuns: 40 },
    );
    expect((await server.json('GET', '/api/health', { user: null })).status).toBe(200);
  });
});
