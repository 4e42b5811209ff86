import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkBody, processEvent } from '../../testing/events';
import { startTestServer, type TestServer } from '../../testing/test-server';
import { isElasticsearchErrorBody, type EsErrorBody } from './es-errors';

const COMPAT_JSON_8 = 'application/vnd.elasticsearch+json; compatible-with=8';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0 Safari/537.36';

let server: TestServer;
let outer: string;

beforeAll(async () => {
  outer = mkdtempSync(path.join(os.tmpdir(), 'execwatch-es-compat-'));
  const webDist = path.join(outer, 'dist');
  mkdirSync(path.join(webDist, 'assets'), { recursive: true });
  writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><html><head></head><body><div id="root"></div></body></html>');
  writeFileSync(path.join(webDist, 'assets', 'app.js'), 'console.log(1)');
  server = await startTestServer({ webDist });
  await server.auth.ensureUser({ username: 'shipper', password: 'shipper-password-1', roles: ['ingest'] });
});
afterAll(async () => {
  await server?.close();
  rmSync(outer, { recursive: true, force: true });
});

const shipper = `Basic ${Buffer.from('shipper:shipper-password-1').toString('base64')}`;

async function esError(res: Response): Promise<EsErrorBody> {
  const body: unknown = await res.json();
  if (!isElasticsearchErrorBody(body)) throw new Error(`not an Elasticsearch error: ${JSON.stringify(body)}`);
  return body;
}

describe('GET / and HEAD /', () => {
  it('answers as Elasticsearch 8 with X-Elastic-Product, to an ingest user', async () => {
    const res = await server.request('GET', '/', { user: null, headers: { authorization: shipper } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const body = (await res.json()) as { version: { number: string }; cluster_uuid: string }; // the shape under test
    expect(body).toMatchObject({
      cluster_name: 'execwatch',
      cluster_uuid: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) as unknown,
      version: {
        number: '8.19.0',
        build_flavor: 'default',
        build_snapshot: false,
        lucene_version: '9.12.2',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'You Know, for Search',
    });
    const again = (await (await server.request('GET', '/')).json()) as { cluster_uuid: string }; // same shape
    expect(again.cluster_uuid).toBe(body.cluster_uuid);
  });

  it('keeps cluster_uuid across restarts on the same data folder', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-es-uuid-'));
    try {
      const first = await startTestServer({ dataDir });
      const a = (await (await first.request('GET', '/')).json()) as { cluster_uuid: string }; // root answer
      await first.close();
      const second = await startTestServer({ dataDir });
      const b = (await (await second.request('GET', '/')).json()) as { cluster_uuid: string }; // root answer
      await second.close();
      expect(b.cluster_uuid).toBe(a.cluster_uuid);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('asks clients for credentials with 401, WWW-Authenticate and a security_exception', async () => {
    const res = await server.request('GET', '/', { user: null, headers: { accept: 'application/json', 'user-agent': 'Go-http-client/1.1' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=.*ApiKey$/);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const body = await esError(res);
    expect(body).toMatchObject({ status: 401, error: { type: 'security_exception', root_cause: [{ type: 'security_exception' }] } });
    const head = await server.request('HEAD', '/', { user: null });
    expect(head.status).toBe(401);
  });

  it('refuses roles without ingest with 403 naming the ability', async () => {
    const res = await server.request('GET', '/', { user: 'viewer' });
    expect(res.status).toBe(403);
    const body = await esError(res);
    expect(body.error.type).toBe('security_exception');
    expect(body.error.reason).toContain('[ingest]');
  });

  it('answers HEAD / with 200 and no body', async () => {
    const res = await server.request('HEAD', '/', { user: null, headers: { authorization: shipper } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    expect(await res.text()).toBe('');
  });
});

describe('browsers and clients', () => {
  it('gives a browser navigation to / the web app, and a client the root answer', async () => {
    const page = await server.request('GET', '/', { user: null, headers: { accept: BROWSER_ACCEPT, 'user-agent': BROWSER_UA } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('x-elastic-product')).toBeNull();
    expect(await page.text()).toContain('<div id="root">');

    // curl's default Accept, no credentials: Elasticsearch's 401, not the page
    const curl = await server.request('GET', '/', { user: null, headers: { accept: '*/*', 'user-agent': 'curl/8.5.0' } });
    expect(curl.status).toBe(401);
    expect(curl.headers.get('content-type')).toMatch(/json/);

    // credentials make it a client whatever it accepts
    const withAuth = await server.request('GET', '/', { headers: { accept: BROWSER_ACCEPT } });
    expect(withAuth.status).toBe(200);
    expect(await withAuth.json()).toMatchObject({ tagline: 'You Know, for Search' });
  });

  it('serves the app on its own routes and its assets, never on Elasticsearch paths', async () => {
    const route = await server.request('GET', '/rules/abc', { user: null });
    expect(await route.text()).toContain('<div id="root">');
    const asset = await server.request('GET', '/assets/app.js', { user: null });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('x-elastic-product')).toBeNull();
    for (const p of ['/_license', '/_index_template/x', '/logs-a-default/_bulk']) {
      const res = await server.request('GET', p, { user: null, headers: { accept: BROWSER_ACCEPT, 'user-agent': BROWSER_UA } });
      expect(await res.text(), p).not.toContain('<div id="root">');
      expect(res.status, p).toBe(401);
      // a browser gets no Basic challenge (it would pop up its own dialog)
      expect(res.headers.get('www-authenticate'), p).toBeNull();
    }
  });

  it('answers unknown paths with Elasticsearch 404s, and /api paths as before', async () => {
    for (const [method, p] of [
      ['GET', '/no/such/thing'],
      ['POST', '/alerts/123'],
      ['GET', '/_no_such_api'],
      ['DELETE', '/logs-a-default'],
    ] as const) {
      const res = await server.request(method, p, { headers: { accept: '*/*' } });
      expect(res.status, `${method} ${p}`).toBe(404);
      expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
      expect((await esError(res)).error).toMatchObject({ type: 'resource_not_found_exception', reason: `no handler found for uri [${p}] and method [${method}]` });
    }
    const api = await server.json('GET', '/api/nope');
    expect(api.body).toEqual({ error: 'not_found', message: 'no route for GET /api/nope', status: 404 });
    const undecodable = await server.request('GET', '/%E0%A4%A');
    expect(undecodable.status).toBe(400);
    expect((await esError(undecodable)).error.type).toBe('illegal_argument_exception');
  });
});

describe('data streams', () => {
  it('says logs-*-* data streams exist and others do not, for HEAD and GET', async () => {
    expect((await server.request('HEAD', '/logs-cloud_defend.process-default')).status).toBe(200);
    expect((await server.request('HEAD', '/any-index')).status).toBe(404);
    const got = await server.json<Record<string, unknown>>('GET', '/logs-cloud_defend.process-default');
    expect(Object.keys(got.body)).toEqual(['logs-cloud_defend.process-default']);
    const missing = await server.request('GET', '/filebeat-8.19.0');
    expect(missing.status).toBe(404);
    expect((await esError(missing)).error).toMatchObject({ type: 'index_not_found_exception', reason: 'no such index [filebeat-8.19.0]', index: 'filebeat-8.19.0' });
    const invalid = await server.request('GET', '/Logs-A-Default');
    expect(invalid.status).toBe(400);
    expect((await esError(invalid)).error.type).toBe('invalid_index_name_exception');
    expect((await server.json('GET', '/logs-*')).body).toEqual({});
  });
});

describe('probes', () => {
  it('answers _license, _cluster/health, _xpack and _nodes/http', async () => {
    const license = await server.json<{ license: Record<string, unknown> }>('GET', '/_license', { user: null, headers: { authorization: shipper } });
    expect(license.status).toBe(200);
    expect(license.body.license).toMatchObject({ status: 'active', type: 'basic', issuer: 'elasticsearch' });
    expect((await server.json('GET', '/_cluster/health?wait_for_status=yellow&timeout=5s')).body).toMatchObject({ status: 'green', number_of_nodes: 1, timed_out: false });
    const xpack = await server.json<{ features: Record<string, { available: boolean; enabled: boolean }> }>('GET', '/_xpack');
    expect(xpack.body.features.security).toEqual({ available: true, enabled: true });
    expect(JSON.stringify(xpack.body)).not.toMatch(/password|api_key|secret/i);
    const nodes = await server.json<{ nodes: Record<string, { http: { publish_address: string } }> }>('GET', '/_nodes/http');
    const [node] = Object.values(nodes.body.nodes);
    expect(node?.http.publish_address).toBe(new URL(server.url).host);
  });

  it('filters answers by filter_path', async () => {
    expect((await server.json('GET', '/?filter_path=version.number,tagline')).body).toEqual({ version: { number: '8.19.0' }, tagline: 'You Know, for Search' });
    expect((await server.json('GET', '/?filter_path=-version,-name,-cluster_*')).body).toEqual({ tagline: 'You Know, for Search' });
    const bad = processEvent({ at: server.clock.now() });
    const body = `${bulkBody([bad])}{"create":{"_index":"logs-a-default"}}\n{not json\n`;
    const bulk = await server.json<{ items: unknown[] }>('POST', '/_bulk?filter_path=errors,items.*.error.type', { rawBody: body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(bulk.status).toBe(200);
    expect(bulk.body).toEqual({ errors: true, items: [{ create: { error: { type: expect.any(String) as unknown } } }] });
  });
});

describe('compatibility media types', () => {
  it('answers a compatible-with=8 request in the compatibility type, and 7 as 7', async () => {
    const res = await server.request('GET', '/_cluster/health', { headers: { accept: COMPAT_JSON_8 } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.elasticsearch\+json; compatible-with=8/);
    const seven = await server.request('GET', '/', { headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=7' } });
    expect(seven.headers.get('content-type')).toMatch(/compatible-with=7/);
    const nine = await server.request('GET', '/', { headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=9' } });
    expect(nine.status).toBe(400);
    expect((await esError(nine)).error.type).toBe('media_type_header_exception');
  });

  it('takes a bulk body sent as application/vnd.elasticsearch+x-ndjson, gzipped too', async () => {
    const ndjson = bulkBody([processEvent({ at: server.clock.now() }), processEvent({ at: server.clock.now() })]);
    const headers = { 'content-type': 'application/vnd.elasticsearch+x-ndjson; compatible-with=8', accept: COMPAT_JSON_8 };
    const res = await server.request('POST', '/_bulk', { rawBody: ndjson, headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.elasticsearch\+json; compatible-with=8/);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    expect(await res.json()).toMatchObject({ errors: false, items: [{ create: { status: 201 } }, { create: { status: 201 } }] });
    const gz = await server.request('POST', '/logs-cloud_defend.process-default/_bulk', { rawBody: gzipSync(ndjson), headers: { ...headers, 'content-encoding': 'gzip' } });
    expect(await gz.json()).toMatchObject({ errors: false });
  });
});

describe('shipper setup: index templates, ILM policies, ingest pipelines', () => {
  const template = { index_patterns: ['filebeat-8.19.0'], data_stream: {}, priority: 150, template: { settings: { 'index.lifecycle.name': 'filebeat' }, mappings: { properties: { message: { type: 'match_only_text' } } } } };

  it('404s a template never put, acknowledges a PUT and then finds its summary', async () => {
    const missing = await server.request('GET', '/_index_template/execwatch-test-a', { user: null, headers: { authorization: shipper } });
    expect(missing.status).toBe(404);
    expect(await esError(missing)).toMatchObject({ status: 404, error: { type: 'resource_not_found_exception', root_cause: [{ type: 'resource_not_found_exception' }] } });

    const put = await server.json('PUT', '/_index_template/execwatch-test-a', { user: null, headers: { authorization: shipper, 'content-type': COMPAT_JSON_8 }, rawBody: JSON.stringify(template) });
    expect(put).toEqual({ status: 200, body: { acknowledged: true } });
    const found = await server.json<{ index_templates: { name: string; index_template: Record<string, unknown> }[] }>('GET', '/_index_template/execwatch-test-*');
    expect(found.body.index_templates).toEqual([
      { name: 'execwatch-test-a', index_template: expect.objectContaining({ index_patterns: ['filebeat-8.19.0'], priority: 150, data_stream: expect.any(Object) as unknown }) as unknown },
    ]);
    // nothing of what was sent is kept beyond the summary
    expect(JSON.stringify(found.body)).not.toContain('match_only_text');
    expect((await server.request('HEAD', '/_index_template/execwatch-test-a')).status).toBe(200);
  });

  it('audits a change once, not a repeated PUT of the same template', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await server.json('PUT', '/_index_template/execwatch-test-b', { body: template })).status).toBe(200);
    }
    const audit = await server.json<{ events: { action: string; target: { id: string } }[] }>('GET', '/api/audit?action=es_compat.index_template.put&size=100');
    expect(audit.body.events.filter((e) => e.target.id === 'execwatch-test-b')).toHaveLength(1);
  });

  it('refuses bad names, bodies and media types in Elasticsearch shape', async () => {
    const created = await server.request('PUT', '/_index_template/execwatch-test-a?create=true', { body: template });
    expect(created.status).toBe(400);
    expect((await esError(created)).error.reason).toContain('already exists');
    const upper = await server.request('PUT', '/_index_template/Upper', { body: template });
    expect(upper.status).toBe(400);
    const noPatterns = await server.request('PUT', '/_index_template/execwatch-test-c', { body: { template: {} } });
    expect((await esError(noPatterns)).error.type).toBe('action_request_validation_exception');
    const notJson = await server.request('PUT', '/_index_template/execwatch-test-c', { rawBody: 'index_patterns=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(notJson.status).toBe(406);
    const garbage = await server.request('PUT', '/_index_template/execwatch-test-c', { rawBody: '{"index_patterns":', headers: { 'content-type': 'application/json' } });
    expect(garbage.status).toBe(400);
    expect((await esError(garbage)).error.type).toBe('x_content_parse_exception');
  });

  it('acknowledges ILM policies and pipelines and answers what was recorded', async () => {
    const noPolicy = await server.request('GET', '/_ilm/policy/filebeat');
    expect(noPolicy.status).toBe(404);
    expect((await esError(noPolicy)).error.type).toBe('resource_not_found_exception');
    const policy = { policy: { phases: { hot: { actions: { rollover: { max_age: '30d', max_primary_shard_size: '50gb' } } } } } };
    expect((await server.json('PUT', '/_ilm/policy/filebeat', { body: policy })).body).toEqual({ acknowledged: true });
    const gotPolicy = await server.json<Record<string, { version: number; policy: { phases: Record<string, unknown> } }>>('GET', '/_ilm/policy/filebeat');
    expect(gotPolicy.body.filebeat?.version).toBe(1);
    expect(Object.keys(gotPolicy.body.filebeat?.policy.phases ?? {})).toEqual(['hot']);

    const noPipeline = await server.request('GET', '/_ingest/pipeline/filebeat-8.19.0-system-syslog-pipeline');
    expect(noPipeline.status).toBe(404);
    const pipeline = { description: 'Pipeline for parsing Syslog messages.', processors: [{ set: { field: 'event.ingested', value: '{{_ingest.timestamp}}' } }] };
    expect((await server.json('PUT', '/_ingest/pipeline/filebeat-8.19.0-system-syslog-pipeline', { body: pipeline })).body).toEqual({ acknowledged: true });
    const gotPipeline = await server.json<Record<string, { description: string; processors: unknown[] }>>('GET', '/_ingest/pipeline/filebeat-8.19.0-system-syslog-pipeline');
    expect(gotPipeline.body['filebeat-8.19.0-system-syslog-pipeline']).toMatchObject({ description: pipeline.description, processors: [] });
    const noProcessors = await server.request('PUT', '/_ingest/pipeline/p', { body: { description: 'x' } });
    expect(noProcessors.status).toBe(400);
  });
});
