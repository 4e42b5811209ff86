import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server';
import { SHEDDING_DEFAULTS, createLoadShedder, eventLoopDelaySource, shedDecision, type LoopDelaySource } from './load-shedding';
import { SERVER_LIMIT_DEFAULTS, createLimitedServer } from './server-limits';

/** A delay source the test sets. */
function stubSource(initial = 0): LoopDelaySource & { set(ms: number): void } {
  let ms = initial;
  return { sustainedP99Ms: () => ms, close() {}, set: (v) => void (ms = v) };
}

describe('shedDecision', () => {
  const policy = { maxLoopDelayMs: 200, maxBulkInFlight: 4 };
  it.each([
    [0, 0, 1, null],
    [200, 3, 1, null],
    [201, 0, 1, /event loop delay p99 \[201ms\] is above \[200ms\]/],
    [5000, 0, 3, /overloaded/],
    [5000, 0, 0, null],
    [0, 4, 1, /\[4\] bulk requests are in flight already \(at most \[4\]\)/],
    [0, 4, 0, /in flight already/],
  ])('delay %d ms, %d bulk and %d other requests in flight: %s', (loopDelayMs, bulkInFlight, interactiveInFlight, expected) => {
    const reason = shedDecision({ loopDelayMs, bulkInFlight, interactiveInFlight }, policy);
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toMatch(expected);
  });

  it('0 turns a check off', () => {
    expect(shedDecision({ loopDelayMs: 10_000, bulkInFlight: 10_000, interactiveInFlight: 5 }, { maxLoopDelayMs: 0, maxBulkInFlight: 0 })).toBeNull();
  });
});

describe('eventLoopDelaySource', () => {
  it('reports a lag once every recent window lagged, and none once the loop runs freely', async () => {
    const source = eventLoopDelaySource({ windowMs: 150, windows: 2, resolutionMs: 1 });
    // the loop blocked (busy, not asleep) again and again, so that every window has a stall
    const block = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // busy
      }
    };
    try {
      await vi.waitFor(
        () => {
          block(100);
          expect(source.sustainedP99Ms()).toBeGreaterThanOrEqual(80);
        },
        { timeout: 10_000, interval: 5 },
      );
      await vi.waitFor(() => expect(source.sustainedP99Ms()).toBeLessThan(80), { timeout: 10_000 });
    } finally {
      source.close();
    }
  });
});

describe('load shedding in the server', () => {
  let server: TestServer;
  const source = stubSource();
  const shedder = createLoadShedder({ source, policy: SHEDDING_DEFAULTS });
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    server = await startTestServer({ createServer: (app) => createLimitedServer(shedder.wrap(app), SERVER_LIMIT_DEFAULTS) });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    shedder.close();
    await server.close();
  });

  const bulk = () =>
    server.request('POST', '/_bulk', {
      rawBody: `{"create":{"_index":"logs-shed-default"}}\n{"@timestamp":"2026-01-01T11:59:00Z","a":1}\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    });

  /** A person's request kept in flight (its body not sent yet) until the socket is destroyed. */
  async function personWaiting(): Promise<net.Socket> {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    const before = shedder.interactiveInFlight();
    socket.write('POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
    await vi.waitFor(() => expect(shedder.interactiveInFlight()).toBe(before + 1));
    return socket;
  }

  it('while the loop lags and a person waits, refuses new bulk requests (429, Elasticsearch shape); health, sign-in and the API go on', async () => {
    source.set(1000);
    const waiting = await personWaiting();
    const refused = await bulk();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const body = (await refused.json()) as { error: { type: string; reason: string; root_cause: unknown[] }; status: number };
    expect(body.status).toBe(429);
    expect(body.error.type).toBe('es_rejected_execution_exception');
    expect(body.error.root_cause).toEqual([{ type: 'es_rejected_execution_exception', reason: body.error.reason }]);
    expect(body.error.reason).toMatch(/event loop delay/);

    expect((await server.request('GET', '/api/health', { user: null })).status).toBe(200);
    expect((await server.request('GET', '/api/auth/me', { user: 'analyst' })).status).toBe(200);
    expect((await server.request('GET', '/api/alerts', { user: 'analyst' })).status).toBe(200);
    expect((await bulk()).status).toBe(429);

    // with nobody but shippers and health checks waiting, ingest may take the lagging loop
    waiting.destroy();
    await vi.waitFor(() => expect(shedder.interactiveInFlight()).toBe(0));
    expect((await server.request('GET', '/api/health', { user: null })).status).toBe(200);
    expect((await bulk()).status).toBe(200);

    // and once the loop keeps up, whoever waits
    source.set(0);
    const again = await personWaiting();
    expect((await bulk()).status).toBe(200);
    again.destroy();
    await vi.waitFor(() => expect(shedder.bulkInFlight()).toBe(0));
  });
});

describe("whose requests count as people's", () => {
  it.each([
    ['/api/alerts?size=50', true],
    ['/api/auth/login', true],
    ['/API/rules', true],
    ['/api/health', false],
    ['/api/health?x=1', false],
    ['/api/k8s/audit', false],
    ['/api/healthy', true],
    ['/', false],
    ['/_license', false],
    ['/alerts', false],
  ])('%s: %s', async (url, person) => {
    const shedder = createLoadShedder({ source: stubSource() });
    let seen = -1;
    const listener = shedder.wrap(() => (seen = shedder.interactiveInFlight()));
    const res = new EventEmitter();
    // the shedder reads only the request's method and URL, and listens only for the response's close: bare stand-ins do
    listener({ method: 'GET', url } as IncomingMessage, res as ServerResponse);
    expect(seen).toBe(person ? 1 : 0);
    res.emit('close');
    expect(shedder.interactiveInFlight()).toBe(0);
  });
});
