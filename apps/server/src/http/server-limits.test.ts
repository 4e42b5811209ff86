import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SERVER_LIMIT_DEFAULTS, addressKey, createLimitedServer, isBulkPath, isLongBodyPath, type ServerLimits } from './server-limits';

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

const small: ServerLimits = {
  ...SERVER_LIMIT_DEFAULTS,
  headersTimeoutMs: 300,
  bodyTimeoutMs: 300,
  longBodyTimeoutMs: 60_000,
  checkIntervalMs: 50,
};

/**
 * A limited server whose handler reads bodies and answers with their length, except on `/refuse`, which
 * answers at once without reading (as a route that refuses a caller does).
 */
async function serve(limits: ServerLimits): Promise<number> {
  const server = createLimitedServer((req, res) => {
    if (req.url?.startsWith('/refuse') || req.url?.endsWith('/refuse/_bulk')) {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('no');
      return;
    }
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(String(n)));
  }, limits);
  if (!('closeAllConnections' in server)) throw new Error('expected a plain HTTP server');
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port; // listening on TCP: an AddressInfo
}

/** A raw client connection that records what it receives and when it is closed. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let isClosed = false;
  socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, connected, received: () => received, isClosed: () => isClosed };
}

/** Writes `text` a character at a time every `everyMs` until the socket closes or the text ends; stopping says how far it got. */
function trickle(socket: net.Socket, text: string, everyMs: number): () => number {
  let at = 0;
  const timer = setInterval(() => {
    if (at >= text.length || socket.destroyed) clearInterval(timer);
    else socket.write(text[at++] ?? '');
  }, everyMs);
  return () => {
    clearInterval(timer);
    return at;
  };
}

const head = (method: string, target: string, length: number) => `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${length}\r\n\r\n`;

describe('header and body deadlines', () => {
  it('cuts off a client that sends its headers slowly, and one that sends nothing', async () => {
    const port = await serve(small);
    const slow = connect(port);
    slow.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const stop = trickle(slow.socket, 'X-Slow: 1\r\n'.repeat(1000), 20);
    const silent = connect(port);
    try {
      await slow.closed;
      await silent.closed;
    } finally {
      stop();
    }
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off a slow body on ordinary routes (408), not on the bulk API', async () => {
    const port = await serve(small);
    const body = 'x'.repeat(400);
    const ordinary = connect(port);
    ordinary.socket.write(head('POST', '/api/auth/login', body.length));
    const bulk = connect(port);
    bulk.socket.write(head('POST', '/logs-a/_bulk', body.length));
    const stopOrdinary = trickle(ordinary.socket, body, 20);
    const stopBulk = trickle(bulk.socket, body, 20);
    let sent = 0;
    try {
      await ordinary.closed;
    } finally {
      stopOrdinary();
      sent = stopBulk();
    }
    expect(ordinary.received()).toMatch(/^HTTP\/1\.1 408 /);
    // the bulk request outlived the ordinary deadline; its body completes and is answered
    expect(bulk.isClosed()).toBe(false);
    bulk.socket.write(body.slice(sent));
    await vi.waitFor(() => expect(bulk.received()).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\n400$/));
  });

  it('drops a refused body that keeps coming slowly, on the bulk API too', async () => {
    const port = await serve(small);
    const refused = connect(port);
    refused.socket.write(head('POST', '/refuse/_bulk', 10_000));
    const stop = trickle(refused.socket, 'y'.repeat(10_000), 20);
    try {
      await refused.closed;
    } finally {
      stop();
    }
    expect(refused.received()).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('leaves kept-alive connections with complete requests alone', async () => {
    const port = await serve(small);
    const client = connect(port);
    client.socket.write(`${head('POST', '/api/x', 3)}abc`);
    await vi.waitFor(() => expect(client.received()).toMatch(/\r\n\r\n3$/));
    client.socket.write(`${head('POST', '/api/x', 2)}de`);
    await vi.waitFor(() => expect(client.received()).toMatch(/\r\n\r\n2$/));
    expect(client.isClosed()).toBe(false);
  });
});

describe('connection caps', () => {
  /** Opens a connection and completes one request on it, so the server surely counts it. */
  async function openCounted(port: number) {
    const c = connect(port);
    c.socket.write(`${head('POST', '/api/x', 1)}z`);
    await vi.waitFor(() => expect(c.received()).toMatch(/\r\n\r\n1$/));
    return c;
  }

  /** Whether a new connection gets its request answered (false: it was closed first). */
  function answered(port: number): Promise<boolean> {
    const c = connect(port);
    c.socket.write(`${head('POST', '/api/x', 1)}z`);
    return new Promise((resolve) => {
      c.socket.on('data', () => {
        if (/\r\n\r\n1$/.test(c.received())) resolve(true);
      });
      void c.closed.then(() => resolve(false));
    });
  }

  it('closes a connection over the per-address cap at once, and counts a closed one out', async () => {
    const port = await serve({ ...small, maxConnectionsPerAddress: 2 });
    const first = await openCounted(port);
    await openCounted(port);
    const over = connect(port);
    over.socket.write(`${head('POST', '/api/x', 1)}z`);
    await over.closed;
    expect(over.received()).toBe('');
    first.socket.destroy();
    // once the server has seen the close, a new connection gets in
    await vi.waitFor(async () => expect(await answered(port)).toBe(true));
  });

  it('closes a connection over the server-wide cap at once', async () => {
    const port = await serve({ ...small, maxConnections: 2 });
    await openCounted(port);
    await openCounted(port);
    const over = connect(port);
    over.socket.write(`${head('POST', '/api/x', 1)}z`);
    await over.closed;
    expect(over.received()).toBe('');
  });
});

describe('addressKey', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, key) => expect(addressKey(address)).toBe(key));
});

describe('paths with long bodies', () => {
  it.each([
    ['/_bulk', true, true],
    ['/_bulk?refresh=true', true, true],
    ['/logs-x/_bulk', true, true],
    ['/api/_bulk', true, true],
    ['/Logs-X/_BULK/', true, true],
    ['/api/k8s/audit?cluster=a', false, true],
    ['/api/auth/login', false, false],
    ['/a/b/_bulk', false, false],
    ['/_bulkx', false, false],
    ['/api/k8s/auditx', false, false],
  ])('%s: bulk %s, long body %s', (url, bulk, long) => {
    expect(isBulkPath(url)).toBe(bulk);
    expect(isLongBodyPath(url)).toBe(long);
  });
});

describe('behind a trusted reverse proxy', () => {
  it('does not cap the proxy by its address, but each client behind it by its X-Forwarded-For address', async () => {
    const limits: ServerLimits = { ...small, maxConnectionsPerAddress: 2 };
    const held: Array<() => void> = [];
    const server = createLimitedServer(
      (req, res) => {
        if (req.url === '/hold') held.push(() => res.end('done'));
        else res.end('ok');
      },
      limits,
      { trustedProxies: ['127.0.0.1'] },
    );
    if (!('closeAllConnections' in server)) throw new Error('expected a plain HTTP server');
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port; // listening on TCP: an AddressInfo
    const ask = (path: string, client: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-forwarded-for': client, connection: 'close' } });

    // two requests of one client held open: the proxy now has more connections than the per-address cap allows
    const first = [ask('/hold', '203.0.113.7'), ask('/hold', '203.0.113.7')];
    await vi.waitFor(() => expect(held).toHaveLength(2));
    const third = await ask('/hold', '203.0.113.7');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(((await third.json()) as { error: string }).error).toBe('rate_limited');
    // another client through the same proxy is served, on a fourth connection
    const other = await ask('/', '198.51.100.9');
    expect(other.status).toBe(200);
    for (const release of held) release();
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    // the client's share is free again once its requests are answered
    expect((await ask('/', '203.0.113.7')).status).toBe(200);
  });
});

describe('a client that reads answers too slowly', () => {
  it('is cut off once its answer stops going out, while a client that reads gets all of it', async () => {
    const limits: ServerLimits = { ...small, sendWindowMs: 300, minSendBytes: 64 * 1024 };
    const big = Buffer.alloc(32 * 1024 * 1024, 'x');
    const answers: Array<{ cut: boolean | null }> = [];
    const server = createLimitedServer((_req, res) => {
      const answer: { cut: boolean | null } = { cut: null };
      answers.push(answer);
      let finished = false;
      res.once('finish', () => (finished = true));
      res.once('close', () => (answer.cut = !finished));
      res.end(big);
    }, limits);
    if (!('closeAllConnections' in server)) throw new Error('expected a plain HTTP server');
    servers.push(server);
    const serverSockets: net.Socket[] = [];
    server.on('connection', (socket: net.Socket) => serverSockets.push(socket));
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port; // listening on TCP: an AddressInfo

    const reader = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
    expect((await reader.arrayBuffer()).byteLength).toBe(big.length);
    await vi.waitFor(() => expect(answers[0]?.cut).toBe(false));

    // asks, then does not read: the answer waits in the server's buffers until the server gives up on it
    const stalled = net.connect(port, '127.0.0.1');
    sockets.push(stalled);
    stalled.on('error', () => {});
    stalled.pause();
    stalled.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await vi.waitFor(() => expect(serverSockets[1]?.destroyed).toBe(true), { timeout: 20_000, interval: 50 });
    // what had reached the client by then is all it gets
    let received = 0;
    stalled.on('data', (d: Buffer) => (received += d.length));
    const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.resume();
    await closed;
    expect(received).toBeLessThan(big.length);
  });
});
