import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

/** Why a body could not be read: too large (413), an unknown encoding (415) or a broken stream (400). */
export class BodyReadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
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

/**
 * Reads a request body (identity, gzip or deflate), at most `limit` bytes after decoding, into one buffer
 * from `alloc` (by default a SharedArrayBuffer of its own; see BodySlabs). Rejects with BodyReadError; on an error the rest of the body is drained, not read into memory.
 */
export function readBody(req: IncomingMessage, limit: number, alloc: (size: number) => Buffer = sharedBuffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
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
    const direct = known >= 0 ? alloc(known) : null;
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const fail = (e: BodyReadError) => {
      if (done) return;
      done = true;
      source.removeAllListeners('data');
      if (source !== req) source.destroy();
      req.resume();
      reject(e);
    };
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
      } else chunks.push(chunk);
      received += chunk.length;
    });
    source.on('end', () => {
      if (done) return;
      done = true;
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
    req.on('aborted', () => fail(new BodyReadError(400, 'the request was aborted')));
  });
}

const sharedBuffer = (size: number): Buffer => Buffer.from(new SharedArrayBuffer(size));

/** readBody, split into lines (views of the body; see splitLines). */
export async function readBodyLines(req: IncomingMessage, limit: number, alloc?: (size: number) => Buffer): Promise<Buffer[]> {
  return splitLines(await readBody(req, limit, alloc));
}
