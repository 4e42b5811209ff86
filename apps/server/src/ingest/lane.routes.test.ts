/** The ingest lane and string coercion through the HTTP API, over both store adapters. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution, ListAlertsResponse } from '@execwatch/api';
import type { RouteContext } from '../http/context';
import { silentLogger } from '../log';
import { FakeCluster, FIXED_NOW, storeOn } from '../store/elasticsearch/test-helpers';
import { processEvent } from '../testing/events';
import { startTestServer, type TestServer } from '../testing/test-server';
import { documentWriteRouter } from './doc-routes';
import { DEFAULT_INGEST_INDICES, IngestLane } from './lane';
import { bulkRoutes } from './routes';

const SEED_RULE = '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1';
const EVENTS = 'logs-cloud_defend.process-default';
type Items = { items: Record<string, { _index: string; status: number; error?: { type: string; reason: string } }>[]; errors: boolean };
const ndjson = (lines: unknown[]) => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;

describe('the ingest lane, embedded store', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it("refuses writes into Execwatch's own, system and alert indices per item, with a 403 in Elasticsearch's shape", async () => {
    const e = processEvent({ at: server.clock.now() });
    const body = ndjson([
      { create: { _index: 'execwatch-users' } }, { username: 'mallory', roles: ['admin'] },
      { create: { _index: '.alerts-security.alerts-default' } }, { kibana: { alert: { workflow_status: 'closed' } } },
      { create: { _index: 'metrics-system.cpu-default' } }, { a: 1 },
      { create: { _index: EVENTS } }, e,
    ]);
    const res = await server.json<Items>('POST', '/_bulk', { rawBody: body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBe(true);
    expect(res.body.items.map((i) => i.create?.status)).toEqual([403, 403, 403, 201]);
    expect(res.body.items[0]?.create?.error).toMatchObject({ type: 'security_exception', reason: expect.stringContaining('[execwatch-users] is outside the ingest lane') });
    expect(res.body.items[1]?.create?.error?.reason).toContain("names starting with '.'");
  });

  it('takes single documents in the lane and refuses them outside it', async () => {
    const e = processEvent({ at: server.clock.now() });
    const created = await server.json<Record<string, unknown>>('PUT', `/${EVENTS}/_create/doc-1`, { body: e });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ _index: EVENTS, _id: 'doc-1', result: 'created', _version: 1 });
    const again = await server.json<{ error: { type: string }; status: number }>('PUT', `/${EVENTS}/_create/doc-1`, { body: e });
    expect(again.status).toBe(409);
    expect(again.body.error.type).toBe('version_conflict_engine_exception');
    const auto = await server.json<{ _id: string }>('POST', `/${EVENTS}/_doc`, { body: e });
    expect(auto.status).toBe(201);
    expect(auto.body._id).toMatch(/\S/);
    for (const [method, path] of [['POST', '/execwatch-exceptions/_doc'], ['PUT', '/.kibana/_doc/1'], ['PUT', '/execwatch-users/_create/x']] as const) {
      const refused = await server.json<{ error: { type: string; reason: string; root_cause: unknown[] }; status: number }>(method, path, { body: { username: 'mallory' } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.type).toBe('security_exception');
      expect(refused.body.error.root_cause).toHaveLength(1);
    }
    expect((await server.json('POST', `/${EVENTS}/_doc`, { body: e, user: 'viewer' })).status).toBe(403);
  });

  it('coerces "true" and "42" so that the rule matches process.interactive == true', async () => {
    const e = processEvent({ at: server.clock.now() }) as { process: Record<string, unknown> };
    e.process.interactive = 'true';
    e.process.pid = '4242';
    e.process.entity_id = 'coerced-entity';
    const res = await server.json<Items>('POST', `/${EVENTS}/_bulk`, { rawBody: ndjson([{ create: {} }, e]), headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.body.errors).toBe(false);
    server.clock.advance(1000);
    const run = await server.json<Execution>('POST', `/api/rules/${SEED_RULE}/_run`, { body: {} });
    expect(run.body.status).not.toBe('failed');
    const alerts = await server.json<ListAlertsResponse>('GET', '/api/alerts?size=100');
    const found = await Promise.all(alerts.body.alerts.map((a) => server.json<{ document: { process: { pid: unknown; entity_id: string } } }>('GET', `/api/alerts/${a.id}`)));
    const coerced = found.find((f) => f.body.document.process.entity_id === 'coerced-entity');
    expect(coerced?.body.document.process.pid).toBe(4242);
    expect(run.body.events_matched).toBeGreaterThanOrEqual(1);
  });
});

describe('the ingest lane, Elasticsearch adapter', () => {
  let server: Server;
  let base: string;
  const cluster = new FakeCluster();
  beforeAll(async () => {
    const ctx: RouteContext = { store: storeOn(cluster), log: silentLogger, now: () => FIXED_NOW, authorize: () => (_req, _res, next) => next(), audit: async () => {} };
    const lane = new IngestLane(DEFAULT_INGEST_INDICES);
    const app = express();
    app.use(bulkRoutes(ctx, {}, lane));
    app.use(documentWriteRouter(ctx, lane));
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // a TCP listener
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it("never sends a refused item to the cluster, where Execwatch's own privileges would write it", async () => {
    const body = ndjson([
      { index: { _index: 'execwatch-users' } }, { username: 'mallory' },
      { create: { _index: EVENTS } }, { '@timestamp': '2024-06-01T11:59:00Z', process: { interactive: 'true', pid: '7' } },
    ]);
    const res = await fetch(`${base}/_bulk`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    const answer = (await res.json()) as Items;
    expect(answer.items.map((i) => Object.values(i)[0]?.status)).toEqual([403, 201]);
    const single = await fetch(`${base}/execwatch-alerts-default/_doc`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(single.status).toBe(403);
    const sent = cluster.sent('_bulk').flatMap((r) => r.body as Record<string, unknown>[]);
    expect(sent).toEqual([{ create: { _index: EVENTS } }, { '@timestamp': '2024-06-01T11:59:00Z', process: { interactive: true, pid: 7 }, event: { ingested: new Date(FIXED_NOW).toISOString() } }]);
  });
});
