import type { ListAlertsResponse } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSessions, seedRuleId } from '../../testing/scenario';
import { startTestServer, testPasswords, type TestServer } from '../../testing/test-server';

interface SearchAnswer {
  hits: { total: { value: number; relation: string }; hits: { _id: string; _index: string; _source?: Record<string, unknown>; sort?: unknown[] }[] };
  aggregations?: Record<string, { buckets: { key: string; doc_count: number }[]; sum_other_doc_count: number }>;
}
interface UpdateAnswer {
  updated: number;
  total: number;
  failures: { cause: { type: string; reason: string } }[];
  version_conflicts: number;
}

let server: TestServer;
let ids: string[] = [];
const search = (body: unknown, user: 'admin' | 'viewer' = 'viewer') => server.json<SearchAnswer>('POST', '/api/detection_engine/signals/search', { body, user });
const alertsOf = async (q = '') => (await server.json<ListAlertsResponse>('GET', `/api/alerts?size=100${q}`)).body;

beforeAll(async () => {
  server = await startTestServer();
  await ingestSessions(server, 6);
  const run = await server.json<{ alerts_created: number }>('POST', `/api/rules/${seedRuleId}/_run`, { body: {} });
  expect(run.body.alerts_created).toBe(6);
  ids = (await alertsOf()).alerts.map((a) => a.id);
});
afterAll(async () => server?.close());

describe('POST /api/detection_engine/signals/search', () => {
  it("answers a bool query with sort, size and terms aggregations in Elasticsearch's shape", async () => {
    const { status, body } = await search({
      query: { bool: { filter: [{ term: { 'kibana.alert.workflow_status': 'open' } }, { range: { '@timestamp': { gte: 'now-1h', lte: 'now' } } }, { exists: { field: 'kibana.alert.instance.id' } }] } },
      size: 2,
      sort: [{ 'kibana.alert.original_time': { order: 'asc' } }],
      aggs: { by_namespace: { terms: { field: 'orchestrator.namespace', size: 10 } } },
      _source: ['kibana.alert.rule.parameters.index', 'orchestrator.namespace'],
    });
    expect(status).toBe(200);
    expect(body.hits.total).toEqual({ value: 6, relation: 'eq' });
    expect(body.hits.hits).toHaveLength(2);
    const [first, second] = body.hits.hits;
    expect(String(first?.sort?.[0]) <= String(second?.sort?.[0])).toBe(true);
    expect(first?._source).toEqual({ kibana: { alert: { rule: { parameters: { index: ['logs-cloud_defend*'] } } } }, orchestrator: { namespace: expect.any(String) } });
    const buckets = body.aggregations?.by_namespace?.buckets ?? [];
    expect(buckets.reduce((n, b) => n + b.doc_count, 0)).toBe(6);
    for (const b of buckets) expect((await alertsOf(`&namespace=${b.key}`)).total).toBe(b.doc_count);
  });

  it('takes terms, ids, match and must_not', async () => {
    const two = ids.slice(0, 2);
    expect((await search({ query: { ids: { values: two } } })).body.hits.total.value).toBe(2);
    expect((await search({ query: { bool: { must_not: [{ terms: { _id: two } }] } } })).body.hits.total.value).toBe(4);
    expect((await search({ query: { match: { 'kibana.alert.rule.name': 'interactive exec' } } })).body.hits.total.value).toBe(6);
    expect((await search({ query: { term: { 'kibana.alert.rule.rule_id': 'no-such-rule' } } })).body.hits.total.value).toBe(0);
  });

  it('refuses what the subset lacks by name', async () => {
    const res = await server.json<{ message: string }>('POST', '/api/detection_engine/signals/search', { body: { query: { query_string: { query: 'x' } } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/\[query_string\] is not supported/);
    const agg = await server.json<{ message: string }>('POST', '/api/detection_engine/signals/search', { body: { aggs: { x: { cardinality: { field: 'a' } } } } });
    expect(agg.body.message).toMatch(/\[cardinality\] is not supported/);
  });
});

describe('status, tags and assignees', () => {
  it('changes status by signal_ids with a session cookie and kbn-xsrf, as Kibana scripts send it', async () => {
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'analyst', password: testPasswords.analyst }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const send = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/detection_engine/signals/status`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify({ signal_ids: [ids[0]], status: 'in-progress' }) });
    expect((await send({})).status).toBe(400);
    const res = await send({ 'kbn-xsrf': 'true' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as UpdateAnswer;
    expect(body).toMatchObject({ updated: 1, total: 1, version_conflicts: 0, failures: [] });
    expect((await server.json<{ workflow_status: string }>('GET', `/api/alerts/${ids[0]}`)).body.workflow_status).toBe('acknowledged');
  });

  it('keeps the checklist gate: closing as false positive by query leaves alerts with required steps open, and says why', async () => {
    const gated = await server.json<UpdateAnswer>('POST', '/api/detection_engine/signals/status', {
      body: { query: { bool: { filter: [{ term: { 'kibana.alert.workflow_status': 'open' } }] } }, status: 'closed', reason: 'false_positive' },
      user: 'analyst',
    });
    expect(gated.status).toBe(200);
    expect(gated.body.total).toBe(5);
    expect(gated.body.updated).toBe(0);
    expect(gated.body.failures[0]?.cause.type).toBe('required_steps_incomplete');
    const closed = await server.json<UpdateAnswer>('POST', '/api/detection_engine/signals/status', {
      body: { query: { terms: { _id: ids.slice(1, 3) } }, status: 'closed', reason: 'true_positive' },
      user: 'analyst',
    });
    expect(closed.body.updated).toBe(2);
    expect((await alertsOf('&status=closed')).total).toBe(2);
    const audit = await server.json<{ events: { action: string; after: { via?: string } | null }[] }>('GET', '/api/audit?size=50');
    expect(audit.body.events.filter((e) => e.action === 'alert.bulk_update' && e.after?.via === 'signals/status').length).toBeGreaterThanOrEqual(2);
  });

  it('adds and removes tags and assignees', async () => {
    const tagged = await server.json<UpdateAnswer>('POST', '/api/detection_engine/signals/tags', { body: { ids: ids.slice(3, 5), tags: { tags_to_add: ['soar'], tags_to_remove: [] } }, user: 'analyst' });
    expect(tagged.body.updated).toBe(2);
    expect((await alertsOf('&tag=soar')).total).toBe(2);
    const assigned = await server.json<UpdateAnswer>('POST', '/api/detection_engine/signals/assignees', { body: { ids: [ids[5]], assignees: { add: ['analyst'], remove: [] } }, user: 'analyst' });
    expect(assigned.body.updated).toBe(1);
    expect((await server.json<{ assignees: string[] }>('GET', `/api/alerts/${ids[5]}`)).body.assignees).toEqual(['analyst']);
    const unknown = await server.json('POST', '/api/detection_engine/signals/assignees', { body: { ids: [ids[5]], assignees: { add: ['nobody-here'] } }, user: 'analyst' });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
  });

  it('needs alerts:triage for changes and alerts:read for search', async () => {
    expect((await server.json('POST', '/api/detection_engine/signals/status', { body: { signal_ids: [ids[0]], status: 'open' }, user: 'viewer' })).status).toBe(403);
    expect((await search({ size: 0 }, 'viewer')).status).toBe(200);
  });
});
