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
 * Splits a body's chunks into lines (`\n`, with a trailing `\r` dropped), the way
 * `text.split('\n')` would minus a final empty line. A `\n` byte never occurs inside a multi-byte
 * UTF-8 sequence, so each line decodes on its own: the body is never copied into one buffer nor
 * decoded into one string.
 */
export class LineSplitter {
  readonly lines: string[] = [];
  private tail: Buffer | null = null;

  push(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl !== -1 && this.tail !== null) {
      this.emit(Buffer.concat([this.tail, chunk.subarray(0, nl)]), 0, this.tail.length + nl);
      this.tail = null;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl !== -1) {
      this.emit(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      // copied: a kept view would pin the whole chunk
      const rest = Buffer.from(chunk.subarray(start));
      this.tail = this.tail === null ? rest : Buffer.concat([this.tail, rest]);
    }
  }

  /** Flushes the last line (one without a final newline). */
  end(): string[] {
    if (this.tail !== null && this.tail.length > 0) this.emit(this.tail, 0, this.tail.length);
    this.tail = null;
    return this.lines;
  }

  private emit(buf: Buffer, start: number, end: number): void {
    const stop = end > start && buf[end - 1] === 13 ? end - 1 : end;
    this.lines.push(buf.toString('utf8', start, stop));
  }
}

/** Parses a size such as `100mb`, `64kb` or a byte count. */
export function parseByteLimit(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!m) throw new Error(`not a byte size: ${limit}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const scale = unit === 'gb' ? 2 ** 30 : unit === 'mb' ? 2 ** 20 : unit === 'kb' ? 2 ** 10 : 1;
  return Math.floor(Number(m[1]) * scale);
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads a request body (identity, gzip or deflate) as lines, at most `limit` bytes after decoding.
 * Rejects with BodyReadError; on an error the rest of the body is drained, not read into memory.
 */
export function readBodyLines(req: IncomingMessage, limit: number): Promise<string[]> {
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
    // Chunks stay as received (off the JS heap) until the body is complete: requests arriving together
    // then do not all grow the heap with their lines; each is split once its turn comes.
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
      received += chunk.length;
      if (received > limit) {
        fail(new BodyReadError(413, 'request entity too large'));
        return;
      }
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (done) return;
      done = true;
      const splitter = new LineSplitter();
      for (let i = 0; i < chunks.length; i++) {
        splitter.push(chunks[i] as Buffer); // i < length
        chunks[i] = EMPTY; // split: the chunk can go
      }
      resolve(splitter.end());
    });
    source.on('error', (e: Error) => fail(new BodyReadError(400, `the request body could not be read: ${e.message}`)));
    req.on('aborted', () => fail(new BodyReadError(400, 'the request was aborted')));
  });
}
