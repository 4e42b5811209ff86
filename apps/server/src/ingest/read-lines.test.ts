import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyReadError, parseByteLimit, readBodyLines, splitLines } from './read-lines';

/** What parseBulkBody's own splitting yields for a text body. */
function splitText(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    out.push(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end));
    start = end + 1;
  }
  return out;
}

describe('splitLines', () => {
  it('fuzz: the byte lines of any text decode to the lines of the text', () => {
    const text = fc.array(fc.oneof(fc.string(), fc.constantFrom('\n', '\r\n', '\r', 'é', '日本', '😀', '{"a":1}')), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(splitLines(Buffer.from(t, 'utf8')).map((l) => l.toString('utf8'))).toEqual(splitText(t));
      }),
      { numRuns: 500 },
    );
  });

  it('lines are views of the body, not copies', () => {
    const body = Buffer.from('{"index":{}}\n{"a":1}\r\n');
    const [, source] = splitLines(body);
    expect(source?.toString()).toBe('{"a":1}');
    expect(source?.buffer).toBe(body.buffer);
  });
});

describe('parseByteLimit', () => {
  it.each([
    ['100mb', 100 * 2 ** 20],
    ['64kb', 65536],
    ['12', 12],
    ['1.5KB', 1536],
  ])('%s', (text, bytes) => expect(parseByteLimit(text)).toBe(bytes));
  it('rejects other text', () => expect(() => parseByteLimit('lots')).toThrow(/byte size/));
});

describe('readBodyLines over HTTP', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      readBodyLines(req, 1000).then(
        (lines) => res.end(JSON.stringify({ lines: lines.map((l) => l.toString('utf8')) })),
        (e: unknown) => {
          res.statusCode = e instanceof BodyReadError ? e.status : 500;
          res.end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
        },
      );
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // a TCP listener: AddressInfo
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (body: Buffer | string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', body, headers });

  it('reads plain and gzip bodies into the same lines', async () => {
    const text = '{"index":{}}\r\n{"a":"é"}\n\n{"b":2}';
    const plain = (await (await post(text)).json()) as { lines: string[] };
    const zipped = (await (await post(gzipSync(text), { 'content-encoding': 'gzip' })).json()) as { lines: string[] };
    expect(plain.lines).toEqual(['{"index":{}}', '{"a":"é"}', '', '{"b":2}']);
    expect(zipped.lines).toEqual(plain.lines);
  });

  it('answers 413 past the limit (declared, streamed or decompressed) and 415 for unknown encodings', async () => {
    expect((await post('x'.repeat(2000))).status).toBe(413);
    expect((await post(gzipSync('y'.repeat(5000)), { 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post('z', { 'content-encoding': 'br' })).status).toBe(415);
  });

  it('answers 400 for a corrupt gzip body', async () => {
    expect((await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).status).toBe(400);
  });
});
