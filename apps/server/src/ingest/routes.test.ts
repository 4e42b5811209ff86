import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { RouteContext } from '../http/context';
import { HttpError, forbidden } from '../http/errors';
import { silentLogger } from '../log';
import { createEmbeddedStore } from '../store/embedded';
import type { Store } from '../store/ports';
import { bulkRoutes } from './routes';

let dir: string;
let store: Store;
let server: Server;
let base: string;
const NOW = Date.parse('2025-06-01T12:00:00.000Z');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-bulk-'));
  store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
  const ctx: RouteContext = {
    store,
    log: silentLogger,
    now: () => NOW,
    // The test's stand-in for authentication: the header names the caller's abilities.
    authorize: (ability) => (req, _res, next) => next(String(req.headers['x-abilities'] ?? '').split(',').includes(ability) ? undefined : forbidden(`needs ${ability}`)),
    audit: async () => {},
  };
  const app = express();
  app.use(bulkRoutes(ctx, { bodyLimit: '64kb' }));
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const e = err instanceof HttpError ? err : new HttpError(500, 'internal', 'internal');
    res.status(e.status).json(e.toBody());
  };
  app.use(onError);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // listening on TCP: an AddressInfo
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const post = (p: string, body: string, abilities = 'ingest') =>
  fetch(`${base}${p}`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', 'x-abilities': abilities } });

interface BulkResponse {
  took: number;
  errors: boolean;
  items: Record<string, { _index: string; _id: string | null; status: number; result?: string; error?: { type: string; reason: string } }>[];
}

describe('POST /_bulk', () => {
  it('stores documents and answers in the Elasticsearch bulk shape', async () => {
    const body = [
      '{"create":{"_index":"logs-cloud_defend.process-default"}}',
      '{"@timestamp":"2025-06-01T11:59:00Z","process.name":"bash"}',
      '{"delete":{"_index":"x","_id":"1"}}',
      '{"create":{"_index":"logs-cloud_defend.process-default"}}',
      '{"no":"timestamp"}',
      '{"create":{"_index":"logs-cloud_defend.process-default"}}',
      '{"@timestamp":"2025-06-01T11:59:00Z","a":1,"a.b":2}',
      '',
    ].join('\n');
    const res = await post('/_bulk?refresh=wait_for', body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as BulkResponse;
    expect(json.errors).toBe(true);
    expect(typeof json.took).toBe('number');
    expect(json.items.map((i) => Object.keys(i)[0])).toEqual(['create', 'index', 'create', 'create']);
    expect(json.items.map((i) => Object.values(i)[0]?.status)).toEqual([201, 400, 400, 400]);
    // a dotted key Elasticsearch could not map fails its own item, with its line
    expect(json.items[3]?.create?.error).toEqual({
      type: 'document_parsing_exception',
      reason: '[7:1] Could not dynamically add mapping for field [a.b]. Existing mapping for [a] must be of type object but found [long].',
    });
    expect(json.items[0]?.create).toMatchObject({ _index: 'logs-cloud_defend.process-default', result: 'created' });
    const id = json.items[0]?.create?._id ?? '';
    const related = await store.events.relatedEvents('process.name', 'bash', { from: 0, to: NOW }, 5);
    expect(related.events.map((e) => e._id)).toEqual([id]);
    expect(related.events[0]?._source.event).toEqual({ ingested: new Date(NOW).toISOString() });
  });

  it('uses the index from the path', async () => {
    const res = await post('/logs-cloud_defend.file-default/_bulk', '{"create":{}}\n{"@timestamp":"2025-06-01T11:59:00Z"}');
    const json = (await res.json()) as BulkResponse;
    expect(json.errors).toBe(false);
    expect(json.items[0]?.create?._index).toBe('logs-cloud_defend.file-default');
  });

  it('needs the ingest ability', async () => {
    const res = await post('/_bulk', '{"create":{"_index":"a"}}\n{}', 'alerts:read');
    expect(res.status).toBe(403);
  });

  it('answers 413 past the body limit and 400 for an empty body', async () => {
    const big = `{"index":{"_index":"a"}}\n{"pad":"${'x'.repeat(70_000)}"}\n`;
    expect((await post('/_bulk', big)).status).toBe(413);
    expect((await post('/_bulk', '\n\n')).status).toBe(400);
  });
});
