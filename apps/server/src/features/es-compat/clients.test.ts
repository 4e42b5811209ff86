/**
 * Real Elastic clients against a real server on loopback: the official JavaScript client with its default options
 * (it refuses any answer without `X-Elastic-Product: Elasticsearch`, and sends the compatibility media types), and a
 * replay of what Filebeat does when it connects.
 */
import { gzipSync } from 'node:zlib';
import { Client, errors } from '@elastic/elasticsearch';
import type { Execution, ListAlertsResponse } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processEvent } from '../../testing/events';
import { seedRuleId } from '../../testing/scenario';
import { startTestServer, testPasswords, type TestServer } from '../../testing/test-server';

const SHIPPER = { username: 'es-client-shipper', password: 'shipper-password-12' };
const INDEX = 'logs-cloud_defend.process-default';

let server: TestServer;
let apiKey: string;
const clients: Client[] = [];

/** The client as an application would make it: only the node and credentials given. */
function client(auth: { apiKey: string } | { username: string; password: string }, extra: { compression?: boolean } = {}): Client {
  const c = new Client({ node: server.url, auth, ...extra });
  clients.push(c);
  return c;
}

/** Exec shells the built-in rule alerts on, each with its own entity id (`prefix-N`), a minute before the server's now. */
function shells(prefix: string, count: number): Record<string, unknown>[] {
  const at = server.clock.now() - 60_000;
  return Array.from({ length: count }, (_, i) => processEvent({ at: at + i, entityId: `${prefix}-${i}`, entryLeaderId: `${prefix}-${i}` }));
}

beforeAll(async () => {
  server = await startTestServer();
  // an ingest user and its key, made as an operator would: through the API
  const created = await server.json('POST', '/api/users', { body: { ...SHIPPER, roles: ['ingest'] } });
  expect(created.status).toBe(201);
  const basic = `Basic ${Buffer.from(`${SHIPPER.username}:${SHIPPER.password}`).toString('base64')}`;
  const key = await server.json<{ encoded: string }>('POST', '/api/security/api_key', { user: null, headers: { authorization: basic }, body: { name: 'es-client', expiration: '1d' } });
  expect(key.status).toBe(200);
  apiKey = key.body.encoded;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.close();
});

describe('@elastic/elasticsearch 8.19 with default options', () => {
  it('info() and ping() succeed (no ProductNotSupportedError)', async () => {
    const es = client({ apiKey });
    const info = await es.info();
    expect(info.version.number).toMatch(/^8\./);
    expect(info.tagline).toBe('You Know, for Search');
    expect(await es.ping()).toBe(true);
    const meta = await es.info({}, { meta: true });
    expect(meta.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(meta.headers['content-type']).toMatch(/^application\/vnd\.elasticsearch\+json; compatible-with=8/);
    expect(await es.indices.exists({ index: INDEX })).toBe(true);
    expect(await es.indices.exists({ index: 'no-such-index' })).toBe(false);
  });

  it('reports a wrong key as a 401 ResponseError, not as a product mismatch', async () => {
    const es = client({ apiKey: Buffer.from('nope:nope').toString('base64') });
    const err: unknown = await es.info().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.ResponseError);
    expect(err instanceof errors.ResponseError ? err.statusCode : 0).toBe(401);
    expect(await es.ping().catch((e: unknown) => e)).toBeInstanceOf(errors.ResponseError);
  });

  it('bulk() with create operations, authenticated by API key', async () => {
    const es = client({ apiKey });
    const docs = shells('js-bulk', 3);
    const res = await es.bulk({ operations: docs.flatMap((doc) => [{ create: { _index: INDEX } }, doc]) });
    expect(res.errors).toBe(false);
    expect(res.items.map((i) => i.create?.status)).toEqual([201, 201, 201]);
  });

  it('helpers.bulk with onDocument returning a create action', async () => {
    const es = client({ apiKey });
    const dropped: unknown[] = [];
    const stats = await es.helpers.bulk({
      datasource: shells('js-helper', 5),
      onDocument: () => ({ create: { _index: INDEX } }),
      onDrop: (d) => void dropped.push(d),
    });
    expect(dropped).toEqual([]);
    expect(stats).toMatchObject({ total: 5, successful: 5, failed: 0, aborted: false });
  });

  it('gzip-compressed requests (compression: true)', async () => {
    const es = client({ username: SHIPPER.username, password: SHIPPER.password }, { compression: true });
    const res = await es.bulk({ operations: shells('js-gzip', 2).flatMap((doc) => [{ create: { _index: INDEX } }, doc]) });
    expect(res.errors).toBe(false);
    expect((await es.info()).version.number).toMatch(/^8\./);
  });

  it('surfaces a bad document as its own error item', async () => {
    const es = client({ apiKey });
    // nested deeper than Elasticsearch's index.mapping.depth.limit (20)
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 25; i++) deep = { nested: deep };
    const [good] = shells('js-mixed', 1);
    const res = await es.bulk({ operations: [{ create: { _index: INDEX } }, good ?? {}, { create: { _index: INDEX } }, { '@timestamp': new Date(server.clock.now()).toISOString(), deep }] });
    expect(res.errors).toBe(true);
    expect(res.items[0]?.create?.status).toBe(201);
    expect(res.items[1]?.create?.status).toBe(400);
    expect(res.items[1]?.create?.error?.type).toBe('document_parsing_exception');

    const dropped: { status: number; error: { type?: string } | null }[] = [];
    const stats = await es.helpers.bulk({
      datasource: [{ '@timestamp': new Date(server.clock.now()).toISOString(), deep }],
      onDocument: () => ({ create: { _index: INDEX } }),
      onDrop: (d) => void dropped.push({ status: d.status, error: d.error }),
    });
    expect(stats).toMatchObject({ total: 1, failed: 1, successful: 0 });
    expect(dropped).toEqual([{ status: 400, error: expect.objectContaining({ type: 'document_parsing_exception' }) as unknown }]);
  });

  it('the rule run over those events creates their alerts', async () => {
    server.clock.advance(1000);
    const run = await server.json<Execution>('POST', `/api/rules/${seedRuleId}/_run`, { body: {} });
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('succeeded');
    for (const [prefix, count] of [['js-bulk', 3], ['js-helper', 5], ['js-gzip', 2], ['js-mixed', 1]] as const) {
      const ids = new Set<string>();
      for (let i = 0; i < count; i++) {
        const one = await server.json<ListAlertsResponse>('GET', `/api/alerts?field.process.entity_id=${prefix}-${i}`);
        expect(one.body.total, `${prefix}-${i}`).toBe(1);
        for (const a of one.body.alerts) ids.add(a.id);
      }
      expect(ids.size, prefix).toBe(count);
    }
  });
});

/**
 * What Filebeat 8.19's Elasticsearch output does on connect, replayed with fetch. From Filebeat's documentation
 * ("Configure the Elasticsearch output", https://www.elastic.co/guide/en/beats/filebeat/8.19/elasticsearch-output.html;
 * "Load the Elasticsearch index template" and "Index lifecycle management (ILM)" in the same guide):
 * - credentials on every request: `username`/`password` as HTTP Basic, or `api_key` (`id:key`) as
 *   `Authorization: ApiKey base64(id:key)`; custom `headers` may be added;
 * - it first reads `GET /` and compares `version.number` with its own: 8.x Beats accept any 8.x cluster while
 *   `allow_older_versions` keeps its default (true); a major other than 8 is refused;
 * - then the setup (`setup.template.*`, `setup.ilm.*`): it looks for its index template `filebeat-<version>` and
 *   puts it when missing, and looks for its ILM policy (`filebeat` by default) likewise;
 * - then it sends events with `POST /_bulk`, `create` actions into the data stream `filebeat-<version>`, gzipped
 *   (`Content-Encoding: gzip`) when `compression_level` is above 0, with its JSON headers
 *   (`Content-Type: application/json`, `Accept: application/json`) and its user agent.
 */
describe('Filebeat on connect (replayed)', () => {
  const basic = `Basic ${Buffer.from(`admin:${testPasswords.admin}`).toString('base64')}`;
  const filebeat = { authorization: basic, accept: 'application/json', 'user-agent': 'Elastic-filebeat/8.19.0 (linux; amd64; unknown; unknown)' };
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
    fetch(`${server.url}${path}`, { method, headers: { ...filebeat, ...headers }, body });

  it('connects, sets up its template, and ships', async () => {
    const root = await send('GET', '/');
    expect(root.status).toBe(200);
    expect(root.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const info = (await root.json()) as { version: { number: string } }; // Elasticsearch's root answer
    expect(info.version.number.startsWith('8.')).toBe(true);

    const license = await send('GET', '/_license');
    expect(license.status).toBe(200);
    expect(((await license.json()) as { license: { type: string } }).license.type).toBe('basic'); // the license answer

    const noTemplate = await send('GET', '/_index_template/filebeat-8.19.0');
    expect(noTemplate.status).toBe(404);
    const template = {
      index_patterns: ['filebeat-8.19.0'],
      data_stream: {},
      priority: 150,
      template: { settings: { index: { lifecycle: { name: 'filebeat' }, 'mapping.total_fields.limit': 10000 } }, mappings: { dynamic_templates: [], properties: { '@timestamp': { type: 'date' }, message: { type: 'match_only_text' } } } },
    };
    const put = await send('PUT', '/_index_template/filebeat-8.19.0', { 'content-type': 'application/json' }, JSON.stringify(template));
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ acknowledged: true });
    expect((await send('GET', '/_index_template/filebeat-8.19.0')).status).toBe(200);

    const noPolicy = await send('GET', '/_ilm/policy/filebeat');
    expect(noPolicy.status).toBe(404);
    expect(((await noPolicy.json()) as { error: { type: string } }).error.type).toBe('resource_not_found_exception'); // Elasticsearch's error shape

    const at = new Date(server.clock.now()).toISOString();
    // Filebeat's own default index is outside the ingest lane (EXECWATCH_INGEST_INDICES, `logs-*` by default):
    // each item is refused alone, as a cluster refuses an index the key may not write
    const outside = await send('POST', '/_bulk', { 'content-type': 'application/json' }, `${JSON.stringify({ create: { _index: 'filebeat-8.19.0' } })}\n${JSON.stringify({ '@timestamp': at, message: 'x' })}\n`);
    expect(((await outside.json()) as { items: { create: { status: number; error: { type: string } } }[] }).items[0]?.create).toMatchObject({ status: 403, error: { type: 'security_exception' } });
    const lines = [1, 2, 3].flatMap((n) => [
      // `output.elasticsearch.index` set to a data stream of the lane
      { create: { _index: 'logs-filebeat.app-default' } },
      { '@timestamp': at, message: `line ${n}`, log: { offset: n * 100, file: { path: '/var/log/app.log' } }, input: { type: 'filestream' }, agent: { type: 'filebeat', version: '8.19.0' }, ecs: { version: '8.0.0' } },
    ]);
    const body = gzipSync(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const bulk = await send('POST', '/_bulk', { 'content-type': 'application/json', 'content-encoding': 'gzip', 'user-agent': 'Go-http-client/1.1' }, body);
    expect(bulk.status).toBe(200);
    expect(bulk.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const result = (await bulk.json()) as { errors: boolean; items: { create: { status: number } }[] }; // bulk response shape
    expect(result.errors).toBe(false);
    expect(result.items.map((i) => i.create.status)).toEqual([201, 201, 201]);
  });
});
