/**
 * Limits on connections and on how long a client may take to send a request, applied to the `http.Server`
 * (main.ts, and test servers that ask for them). Nothing a client sends slowly, or a lot of connections that
 * send nothing, may hold the server's memory or connections for long:
 * - headers must arrive within `headersTimeoutMs` of a request's first byte (of a new connection's opening),
 *   checked every `checkIntervalMs` (Node checks its header and request deadlines on that interval only, 30 s
 *   by default, which is why a 66 s header deadline let connections live 96 s);
 * - a body must arrive within `bodyTimeoutMs`, except on the bulk API and the audit webhook, whose large
 *   bodies have `longBodyTimeoutMs` (the bulk routes hold their bodies to deadlines of their own too);
 * - a body the server refused before reading it (401, 413, 429...) is read and dropped for at most
 *   `bodyTimeoutMs` on any route;
 * - an answer must be taken at a useful pace (`minSendBytes` every `sendWindowMs` while data waits), or the
 *   connection closes;
 * - at most `maxConnections` connections, and `maxConnectionsPerAddress` from one address (an IPv6 /64),
 *   further ones are closed at once. A trusted reverse proxy (`EXECWATCH_TRUSTED_PROXIES`) carries every client's
 *   connections, so it is not held to the per-address cap; the clients behind it are, by their `X-Forwarded-For`
 *   address: at most `maxConnectionsPerAddress` requests in flight each, further ones answered 429.
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import { isIPv4, isIPv6, type Socket } from 'node:net';
import { createClientAddress, createProxyCheck } from '../auth/source-ip';
import type { Logger } from '../log';

export interface ServerLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  longBodyTimeoutMs: number;
  /** Idle kept-alive connections close after this; longer than shippers' idle pools, so a reused connection is not closed under a request. */
  keepAliveTimeoutMs: number;
  /**
   * A client must take an answer at a useful pace: while data waits to go out to it, at least `minSendBytes`
   * must go within each `sendWindowMs`, or the connection is closed (a slow reader holds no memory for long).
   */
  sendWindowMs: number;
  minSendBytes: number;
  checkIntervalMs: number;
}

export const SERVER_LIMIT_DEFAULTS: ServerLimits = {
  maxConnections: 2000,
  maxConnectionsPerAddress: 200,
  headersTimeoutMs: 20_000,
  bodyTimeoutMs: 30_000,
  // 100 MB bulk bodies over slow links
  longBodyTimeoutMs: 10 * 60_000,
  keepAliveTimeoutMs: 65_000,
  sendWindowMs: 30_000,
  minSendBytes: 16 * 1024,
  checkIntervalMs: 1000,
};

/** The bulk API's paths (`/_bulk`, `/{index}/_bulk`), as Express matches them: any case, an optional trailing slash. */
const BULK_PATH = /^\/(?:[^/?#]+\/)?_bulk\/?(?:[?#]|$)/i;
const LONG_BODY_PATH = /^\/(?:(?:[^/?#]+\/)?_bulk|api\/k8s\/audit)\/?(?:[?#]|$)/i;

/** Whether a request URL is the bulk API's. */
export const isBulkPath = (url: string | undefined): boolean => url !== undefined && BULK_PATH.test(url);

/** Whether a request URL takes large, slow bodies: the bulk API and the kube-apiserver's audit webhook. */
export const isLongBodyPath = (url: string | undefined): boolean => url !== undefined && LONG_BODY_PATH.test(url);

/**
 * The options to create the server with (`http.createServer` / `https.createServer`): Node reads the check
 * interval when it starts listening, and TLS handshakes are held to the header deadline too.
 */
export function serverOptions(limits: ServerLimits): {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
  handshakeTimeout: number;
} {
  return {
    headersTimeout: limits.headersTimeoutMs,
    // a backstop: the routes' own deadlines on bodies start once the headers are in
    requestTimeout: limits.longBodyTimeoutMs + limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    handshakeTimeout: limits.headersTimeoutMs,
  };
}

/** The key connections are counted under: an IPv4 address, or an IPv6 address's /64 (one host usually has a whole /64). */
export function addressKey(address: string): string {
  const plain = address.split('%')[0] ?? address;
  if (plain.toLowerCase().startsWith('::ffff:') && isIPv4(plain.slice(7))) return plain.slice(7);
  if (!isIPv6(plain)) return plain;
  const [head = '', tail] = plain.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((g) => (isIPv4(g) ? g : g.replace(/^0+(?=.)/, ''))).join(':')}::/64`;
}

const timeoutBody = (message: string) => JSON.stringify({ error: 'request_timeout', message, status: 408 });

/** Ends a request whose body is late: a 408 when nothing was answered yet, then the connection closes. */
function cutOff(req: IncomingMessage, res: ServerResponse, message: string): void {
  const socket = req.socket;
  if (!res.headersSent && !res.writableEnded) {
    const body = timeoutBody(message);
    res.writeHead(408, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  }
  // what is still unsent goes out within a moment, or not at all
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Socket internals Node has kept for years (net.Socket's bufferSize reads them); absent, a coarser measure is used. */
interface SocketInternals {
  _bytesDispatched?: number;
  _handle?: { writeQueueSize?: number } | null;
}

/**
 * Bytes of a socket's output the kernel has taken. `bytesWritten` counts what is still queued too, and one large
 * write stays whole in `writableLength` until it completes, so the progress of a write is read from libuv's queue.
 */
function bytesOnTheWire(socket: Socket): number {
  const internals = socket as unknown as SocketInternals; // see SocketInternals
  const dispatched = internals._bytesDispatched;
  const queued = internals._handle?.writeQueueSize;
  if (typeof dispatched === 'number' && typeof queued === 'number') return dispatched - queued;
  return socket.bytesWritten - socket.writableLength;
}

/** 429 to a client behind a trusted proxy that has too many requests in flight; the proxy's connection stays open. */
function refuseBehindProxy(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify({ error: 'rate_limited', message: 'too many requests in flight from this client; retry shortly', status: 429 });
  res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': '1' });
  res.end(body);
  req.resume();
}

/**
 * The handler, with the clients behind trusted proxies held to `maxConnectionsPerAddress` requests in flight each
 * (by their `X-Forwarded-For` address; the proxies' own connections are not capped per address).
 */
export function perClientBehindProxies(handler: RequestListener, limits: ServerLimits, trustedProxies: readonly string[], onRefused: () => void = () => undefined): RequestListener {
  if (trustedProxies.length === 0) return handler;
  const isProxy = createProxyCheck(trustedProxies);
  const clientOf = createClientAddress(trustedProxies);
  const inFlight = new Map<string, number>();
  return (req, res) => {
    const peer = req.socket.remoteAddress;
    if (peer === undefined || !isProxy(peer)) return handler(req, res);
    const key = addressKey(clientOf(peer, req.headers['x-forwarded-for']));
    const open = inFlight.get(key) ?? 0;
    if (open >= limits.maxConnectionsPerAddress) {
      onRefused();
      refuseBehindProxy(req, res);
      return;
    }
    inFlight.set(key, open + 1);
    res.once('close', () => {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left <= 0) inFlight.delete(key);
      else inFlight.set(key, left);
    });
    handler(req, res);
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Holds the request's body to a deadline `ms` from now (a body complete by then is left alone). */
function bodyDeadline(req: IncomingMessage, res: ServerResponse, ms: number, message: string): void {
  if (req.complete) return;
  const socket = req.socket;
  const stop = () => {
    clearTimeout(timer);
    socket.off('close', stop);
    req.off('end', check);
    res.off('close', check);
  };
  const check = () => {
    if (req.complete) stop();
  };
  const timer = setTimeout(() => {
    stop();
    if (!req.complete && !socket.destroyed) cutOff(req, res, message);
  }, ms);
  timer.unref();
  // (kept-alive sockets carry many requests: each request's listeners go with it)
  socket.once('close', stop);
  req.once('end', check);
  res.once('close', check);
}

/**
 * Applies the limits to a server that is not listening yet (create it with serverOptions(limits) too).
 * `log` hears, at most once a minute, that connections were refused.
 */
export function applyServerLimits(server: http.Server | https.Server, limits: ServerLimits, log?: Logger, trustedProxies: readonly string[] = []): void {
  if (server.listening) throw new Error('applyServerLimits: apply the limits before the server listens');
  const options = serverOptions(limits);
  server.headersTimeout = options.headersTimeout;
  server.requestTimeout = options.requestTimeout;
  server.keepAliveTimeout = options.keepAliveTimeout;
  // (not in Node's typings as a property: read from the server when it starts listening)
  Object.assign(server, { connectionsCheckingInterval: options.connectionsCheckingInterval });
  server.maxConnections = limits.maxConnections;

  let refused = 0;
  let lastReport = 0;
  const report = (why: string) => {
    refused++;
    const now = Date.now();
    if (!log || now - lastReport < 60_000) return;
    lastReport = now;
    log.warn('connections refused', { reason: why, refused_since_last_report: refused });
    refused = 0;
  };
  server.on('drop', () => report('max_connections'));

  const perAddress = new Map<string, number>();
  const isProxy = createProxyCheck(trustedProxies);
  // before the HTTP (or TLS) layer sees the connection: one over the cap is closed without a byte read
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || isProxy(address)) return;
    const key = addressKey(address);
    const open = perAddress.get(key) ?? 0;
    if (open >= limits.maxConnectionsPerAddress) {
      report('max_connections_per_address');
      socket.destroy();
      return;
    }
    perAddress.set(key, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(key) ?? 1) - 1;
      if (left <= 0) perAddress.delete(key);
      else perAddress.set(key, left);
    });
  });

  // slow readers: answers whose data waits are checked each interval for progress
  const sending = new Map<ServerResponse, { since: number; bytes: number }>();
  const sent = bytesOnTheWire;
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [res, window] of sending) {
      const socket = res.socket;
      if (!socket || socket.destroyed) {
        sending.delete(res);
        continue;
      }
      const waiting = res.writableLength > 0 || socket.writableLength > 0;
      if (!waiting) {
        window.since = now;
        window.bytes = sent(socket);
        continue;
      }
      if (now - window.since < limits.sendWindowMs) continue;
      if (sent(socket) - window.bytes < limits.minSendBytes) {
        report('slow_reader');
        socket.destroy();
        sending.delete(res);
        continue;
      }
      window.since = now;
      window.bytes = sent(socket);
    }
  }, limits.checkIntervalMs);
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    sending.set(res, { since: Date.now(), bytes: res.socket ? sent(res.socket) : 0 });
    res.once('close', () => sending.delete(res));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!hasBody(req)) return;
    if (!isLongBodyPath(req.url)) {
      bodyDeadline(req, res, limits.bodyTimeoutMs, `the request body did not arrive within ${limits.bodyTimeoutMs} ms`);
      return;
    }
    // answered without reading its body (refused): the rest is dropped as it comes, for a while
    res.once('finish', () => bodyDeadline(req, res, limits.bodyTimeoutMs, 'the rest of a refused request body came too slowly'));
  });
}

/** An HTTP server (HTTPS with `tls`) for `handler`, created with the limits and with them applied; not listening yet. */
export function createLimitedServer(handler: RequestListener, limits: ServerLimits, opts: { tls?: https.ServerOptions; log?: Logger; trustedProxies?: readonly string[] } = {}): http.Server | https.Server {
  const options = serverOptions(limits);
  const trustedProxies = opts.trustedProxies ?? [];
  let lastWarning = 0;
  const warn = () => {
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    opts.log?.warn('requests refused: too many in flight from one client behind a trusted proxy');
  };
  const limited = perClientBehindProxies(handler, limits, trustedProxies, warn);
  const server = opts.tls ? https.createServer({ ...opts.tls, ...options }, limited) : http.createServer(options, limited);
  applyServerLimits(server, limits, opts.log, trustedProxies);
  return server;
}
