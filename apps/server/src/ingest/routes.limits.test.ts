/**
 * The bulk API's limits over real sockets: slow, stalled and vanishing senders never stop ingest, and
 * whatever exceeds a limit is refused the way Elasticsearch refuses it (429 es_rejected_execution_exception).
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RouteContext } from '../http/context';
import { HttpError, forbidden } from '../http/errors';
import { silentLogger } from '../log';
import { createEmbeddedStore } from '../store/embedded';
import type { BulkOperation, Store } from '../store/ports';
import { createBulkIngest, type BulkIngestOptions, type BulkIngestState } from './routes';

let dir: string;
let store: Store;
const NOW = Date.parse('2025-06-01T12:00:00.000Z');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-bulk-limits-'));
  store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Served {
  url: string;
  port: number;
  state(): BulkIngestState;
}
const servers: Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/** A server with only the bulk routes (the header names the caller's abilities, as in routes.test.ts). */
async function serve(options: BulkIngestOptions, over: Store = store): Promise<Served> {
  const ctx: RouteContext = {
    store: over,
    log: silentLogger,
    now: () => NOW,
    authorize: (ability) => (req, _res, next) => next(String(req.headers['x-abilities'] ?? '').split(',').includes(ability) ? undefined : forbidden(`needs ${ability}`)),
    audit: async () => {},
  };
  const bulk = createBulkIngest(ctx, options);
  const app = express();
  app.use(bulk.router);
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const e = err instanceof HttpError ? err : new HttpError(500, 'internal', 'internal');
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    res.status(e.status).json(e.toBody());
  };
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port; // listening on TCP: an AddressInfo
  return { url: `http://127.0.0.1:${port}`, port, state: bulk.state };
}

let marker = 0;
/** A bulk body of `n` good documents. */
function body(n: number, pad = 0): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `{"create":{"_index":"logs-limits-default"}}\n{"@timestamp":"2025-06-01T11:59:00Z","n":${marker++},"pad":"${'x'.repeat(pad)}"}\n`;
  return out;
}

const post = (url: string, text: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/_bulk`, { method: 'POST', body: text, headers: { 'content-type': 'application/x-ndjson', 'x-abilities': 'ingest', ...headers } });

/** A client that sends the head of a bulk request and `send` bytes of its body, then nothing until told. */
function upload(port: number, text: string, send: number, target = '/_bulk') {
  const bytes = Buffer.from(text);
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nx-abilities: ingest\r\nContent-Length: ${bytes.length}\r\n\r\n`);
  socket.write(bytes.subarray(0, send));
  return { socket, closed, received: () => received, rest: () => socket.write(bytes.subarray(send)) };
}

interface EsRejection {
  error: { root_cause: { type: string; reason: string }[]; type: string; reason: string };
  status: number;
}

async function expectRejected(res: Response): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('1');
  const json = (await res.json()) as EsRejection;
  expect(json.status).toBe(429);
  expect(json.error.type).toBe('es_rejected_execution_exception');
  expect(json.error.root_cause).toEqual([{ type: 'es_rejected_execution_exception', reason: json.error.reason }]);
}

describe('bulk ingest under slow and vanishing senders', () => {
  it('three stalled uploads (as many as the turns) do not hold up a fourth request', async () => {
    const s = await serve({ concurrency: 3 });
    const stalled = [0, 1, 2].map(() => {
      const text = body(50);
      return upload(s.port, text, Math.floor(text.length / 2));
    });
    await vi.waitFor(() => expect(s.state().bodies).toBe(3));
    const res = await post(s.url, body(5));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { errors: boolean; items: unknown[] };
    expect(json.errors).toBe(false);
    expect(json.items).toHaveLength(5);
    expect(s.state().busy).toBe(0);
    for (const u of stalled) u.socket.destroy();
    await vi.waitFor(() => expect(s.state()).toEqual({ bodies: 0, bytes: 0, busy: 0, waiting: 0 }));
  });

  it('a client that leaves mid-body frees what it held at once; at the cap, others get 429 meanwhile', async () => {
    const s = await serve({ concurrency: 1, maxBodies: 1 });
    const text = body(50);
    const leaving = upload(s.port, text, 100);
    await vi.waitFor(() => expect(s.state().bodies).toBe(1));
    await expectRejected(await post(s.url, body(1)));
    leaving.socket.destroy();
    await vi.waitFor(() => expect(s.state()).toEqual({ bodies: 0, bytes: 0, busy: 0, waiting: 0 }));
    for (let i = 0; i < 3; i++) expect((await post(s.url, body(2))).status).toBe(200);
  });

  it('a stalled upload is cut off at its idle deadline, a trickling one at its body deadline (408, connection closed)', async () => {
    const s = await serve({ idleTimeoutMs: 150, bodyTimeoutMs: 60_000 });
    const text = body(20);
    const stalled = upload(s.port, text, 10);
    await stalled.closed;
    expect(stalled.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(s.state().bodies).toBe(0);

    const t = await serve({ idleTimeoutMs: 60_000, bodyTimeoutMs: 300 });
    const trickling = upload(t.port, text, 1);
    let at = 1;
    const drip = setInterval(() => {
      if (at < text.length - 1) trickling.socket.write(text.slice(at, ++at));
    }, 20);
    try {
      await trickling.closed;
    } finally {
      clearInterval(drip);
    }
    expect(trickling.received()).toMatch(/^HTTP\/1\.1 408 /);
    await vi.waitFor(() => expect(t.state().bodies).toBe(0));
    expect((await post(t.url, body(1))).status).toBe(200);
  });

  it('refuses a body that does not fit in the buffer limit while others are held (429), and takes it alone', async () => {
    const s = await serve({ bufferLimit: '1kb', maxBodies: 4 });
    const big = body(3, 110);
    expect(Buffer.byteLength(big)).toBeGreaterThan(600);
    expect(Buffer.byteLength(big)).toBeLessThan(800);
    const holding = upload(s.port, big, 10);
    await vi.waitFor(() => expect(s.state().bodies).toBe(1));
    await expectRejected(await post(s.url, body(4, 100)));
    expect((await post(s.url, body(1))).status).toBe(200);
    holding.rest();
    await vi.waitFor(() => expect(holding.received()).toMatch(/^HTTP\/1\.1 200 /));
    // alone, a body larger than the buffer limit still gets in
    const json = (await (await post(s.url, body(12, 100))).json()) as { errors: boolean };
    expect(json.errors).toBe(false);
  });

  it('a document over the document limit fails its own item; the others are stored', async () => {
    const s = await serve({ documentLimit: '1kb' });
    const text = `${body(1)}{"create":{"_index":"logs-limits-default"}}\n{"@timestamp":"2025-06-01T11:59:00Z","pad":"${'y'.repeat(2000)}"}\n${body(1)}`;
    const json = (await (await post(s.url, text)).json()) as { errors: boolean; items: Record<string, { status: number; error?: { type: string; reason: string } }>[] };
    expect(json.items.map((i) => i.create?.status)).toEqual([201, 400, 201]);
    expect(json.items[1]?.create?.error).toEqual({ type: 'document_parsing_exception', reason: expect.stringMatching(/^\[4:1\] failed to parse: the document is \[\d+\] bytes, more than the limit of \[1024\] bytes$/) as unknown });
  });

  it('a bulk request sent as application/json is read as a bulk body, and frees its turn', async () => {
    const s = await serve({ concurrency: 1 });
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${s.url}/api/_bulk`, { method: 'POST', body: body(1), headers: { 'content-type': 'application/json', 'x-abilities': 'ingest' } });
      expect(res.status).toBe(200);
    }
    expect(s.state()).toEqual({ bodies: 0, bytes: 0, busy: 0, waiting: 0 });
  });
});

/** The embedded store, with `bulk` calls held until released (and counted). */
function gatedStore() {
  const waiting: (() => void)[] = [];
  let calls = 0;
  let open = false;
  const gated: Store = {
    ...store,
    events: {
      ...store.events,
      bulk: async (ops: BulkOperation[], at: number) => {
        calls++;
        if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
        return store.events.bulk(ops, at);
      },
    },
  };
  return {
    store: gated,
    calls: () => calls,
    release: () => {
      open = true;
      for (const r of waiting.splice(0)) r();
    },
  };
}

describe('bulk ingest turns', () => {
  it('a turn held past its deadline goes to the next request (the late one still finishes)', async () => {
    const gate = gatedStore();
    const s = await serve({ concurrency: 1, turnHoldMs: 200, turnTimeoutMs: 60_000 }, gate.store);
    const first = post(s.url, body(1));
    await vi.waitFor(() => expect(gate.calls()).toBe(1));
    const second = post(s.url, body(1));
    await vi.waitFor(() => expect(gate.calls()).toBe(2), { timeout: 5000 });
    gate.release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(s.state()).toEqual({ bodies: 0, bytes: 0, busy: 0, waiting: 0 });
  });

  it('a request that waits for its turn longer than its deadline gets 429', async () => {
    const gate = gatedStore();
    const s = await serve({ concurrency: 1, turnHoldMs: 60_000, turnTimeoutMs: 150 }, gate.store);
    const first = post(s.url, body(1));
    await vi.waitFor(() => expect(gate.calls()).toBe(1));
    await expectRejected(await post(s.url, body(1)));
    expect(s.state().waiting).toBe(0);
    gate.release();
    expect((await first).status).toBe(200);
  });

  it('a client that leaves while it waits for its turn is not stored', async () => {
    const gate = gatedStore();
    const s = await serve({ concurrency: 1 }, gate.store);
    const before = await store.events.count();
    const first = post(s.url, body(3));
    await vi.waitFor(() => expect(gate.calls()).toBe(1));
    const text = body(5);
    const leaving = upload(s.port, text, Buffer.byteLength(text));
    await vi.waitFor(() => expect(s.state().waiting).toBe(1));
    leaving.socket.destroy();
    await vi.waitFor(() => expect(s.state().waiting).toBe(0));
    gate.release();
    expect((await first).status).toBe(200);
    await vi.waitFor(() => expect(s.state().bodies).toBe(0));
    expect(gate.calls()).toBe(1);
    expect(await store.events.count()).toBe(before + 3);
  });
});
