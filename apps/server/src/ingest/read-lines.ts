import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

/**
 * Why a body could not be read: a broken or abandoned stream (400), too slow (408), too large (413), an unknown
 * encoding (415), or more than the memory left for bodies (429).
 */
export class BodyReadError extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 415 | 429,
    message: string,
  ) {
    super(message);
    this.name = 'BodyReadError';
  }
}

/**
 * Splits a body into lines (`\n`, with a trailing `\r` dropped), the way `text.split('\n')` would minus a
 * final empty line. The lines are views of the body, not copies and not decoded: source lines go to the
 * store as the bytes that arrived (a `\n` byte never occurs inside a multi-byte UTF-8 sequence).
 */
export function splitLines(body: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(10, start);
    if (end === -1) end = body.length;
    lines.push(body.subarray(start, end > start && body[end - 1] === 13 ? end - 1 : end));
    start = end + 1;
  }
  return lines;
}

/** Parses a size such as `100mb`, `64kb` or a byte count. */
export function parseByteLimit(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!m) throw new Error(`not a byte size: ${limit}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const scale = unit === 'gb' ? 2 ** 30 : unit === 'mb' ? 2 ** 20 : unit === 'kb' ? 2 ** 10 : 1;
  return Math.floor(Number(m[1]) * scale);
}

/** How long a body may take, and what may stop it early. */
export interface ReadBodyOptions {
  /** The whole body must arrive within this many ms of the call (408 otherwise). */
  deadlineMs?: number;
  /** At most this many ms may pass without a byte of the body (408 otherwise). */
  idleTimeoutMs?: number;
  /** Stops the read (400): the caller gave up on the request. */
  signal?: AbortSignal;
  /** Called with the bytes read so far (after decoding) whenever they grow; false stops the read (429). */
  onGrow?(bytes: number): boolean;
}

/**
 * Reads a request body (identity, gzip or deflate), at most `limit` bytes after decoding, into one buffer
 * from `alloc` (by default a SharedArrayBuffer of its own; see BodySlabs). Rejects with BodyReadError, at
 * once when the client goes away; on a refused body the rest is drained, not read into memory.
 */
export function readBody(req: IncomingMessage, limit: number, alloc: (size: number) => Buffer = sharedBuffer, opts: ReadBodyOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (req.readableEnded || req.destroyed) {
      // nothing more will come: another reader took the body, or the client has gone
      reject(new BodyReadError(400, 'the request body is no longer readable'));
      return;
    }
    let source: Readable = req;
    if (encoding === 'gzip') source = req.pipe(createGunzip());
    else if (encoding === 'deflate') source = req.pipe(createInflate());
    else if (encoding !== 'identity') {
      req.resume();
      reject(new BodyReadError(415, `unsupported content encoding "${encoding.slice(0, 40)}"`));
      return;
    }
    if (encoding === 'identity' && Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyReadError(413, 'request entity too large'));
      return;
    }
    // With the length declared, chunks are copied into the body as they arrive, so only a few socket
    // chunks are alive at a time (collected, 18 MB of them would fragment the allocator's heap, which then
    // does not shrink). Otherwise they are kept until the end and copied once. Either way the body is one
    // buffer in shared memory: the store's preparation thread reads the lines from it without another copy.
    const known = encoding === 'identity' && Number.isFinite(declared) && declared >= 0 ? declared : -1;
    if (known >= 0 && opts.onGrow && !opts.onGrow(known)) {
      req.resume();
      reject(new BodyReadError(429, 'no room for another request body now'));
      return;
    }
    const direct = known >= 0 ? alloc(known) : null;
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const idle = opts.idleTimeoutMs ? setTimeout(() => fail(new BodyReadError(408, `no part of the request body arrived for ${opts.idleTimeoutMs} ms`)), opts.idleTimeoutMs) : null;
    if (idle) timers.push(idle);
    if (opts.deadlineMs) timers.push(setTimeout(() => fail(new BodyReadError(408, `the request body did not arrive within ${opts.deadlineMs} ms`)), opts.deadlineMs));
    const onAbort = () => fail(new BodyReadError(400, 'the request was abandoned'));
    const finish = () => {
      done = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (e: BodyReadError) => {
      if (done) return;
      finish();
      source.removeAllListeners('data');
      if (source !== req) source.destroy();
      chunks.length = 0;
      req.resume();
      reject(e);
    };
    if (opts.signal?.aborted) {
      fail(new BodyReadError(400, 'the request was abandoned'));
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    source.on('data', (chunk: Buffer) => {
      if (done) return;
      if (received + chunk.length > limit) {
        fail(new BodyReadError(413, 'request entity too large'));
        return;
      }
      if (direct) {
        if (received + chunk.length > direct.length) {
          fail(new BodyReadError(400, 'the request body is longer than its content-length'));
          return;
        }
        chunk.copy(direct, received);
      } else {
        if (opts.onGrow && !opts.onGrow(received + chunk.length)) {
          fail(new BodyReadError(429, 'no room for this request body now'));
          return;
        }
        chunks.push(chunk);
      }
      received += chunk.length;
      idle?.refresh();
    });
    source.on('end', () => {
      if (done) return;
      finish();
      if (direct) {
        resolve(received === direct.length ? direct : direct.subarray(0, received));
        return;
      }
      const body = alloc(received);
      let at = 0;
      for (const c of chunks) {
        c.copy(body, at);
        at += c.length;
      }
      chunks.length = 0;
      resolve(body);
    });
    source.on('error', (e: Error) => fail(new BodyReadError(400, `the request body could not be read: ${e.message}`)));
    req.on('aborted', onAbort);
    // (a client that goes away mid-body closes the request before it is complete)
    req.on('close', () => {
      if (!req.complete) onAbort();
    });
  });
}

const sharedBuffer = (size: number): Buffer => Buffer.from(new SharedArrayBuffer(size));

/** readBody, split into lines (views of the body; see splitLines). */
export async function readBodyLines(req: IncomingMessage, limit: number, alloc?: (size: number) => Buffer, opts?: ReadBodyOptions): Promise<Buffer[]> {
  return splitLines(await readBody(req, limit, alloc, opts));
}
