/** Splits a byte stream into lines without holding more than one line (plus one chunk) in memory. */

export interface Line {
  /** 1-based line number in the (decompressed) input. */
  lineNo: number;
  /** The line without its `\n` or `\r\n`; undefined when the line exceeded `maxLineBytes`. */
  text: string | undefined;
}

export interface ReadLinesOptions {
  /** Lines longer than this are reported with `text: undefined` instead of being buffered. Default 64 MiB. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

function decode(parts: Buffer[], size: number): string {
  const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
  const end = size > 0 && buf[size - 1] === CR ? size - 1 : size;
  return buf.toString('utf8', 0, end);
}

/**
 * Yields every line of `source`, including a last line without a trailing newline (a trailing newline does not
 * yield an extra empty line). Splitting on the byte 0x0A is safe for UTF-8: it never occurs inside a multi-byte
 * character, so characters split across chunks are reassembled before decoding.
 */
export async function* readLines(source: AsyncIterable<Buffer | string>, opts: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const maxLineBytes = opts.maxLineBytes ?? 64 * 1024 * 1024;
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let lineNo = 0;
  for await (const input of source) {
    const chunk = typeof input === 'string' ? Buffer.from(input) : input;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, from);
      const end = nl === -1 ? chunk.length : nl;
      if (!tooLong) {
        if (size + (end - from) > maxLineBytes) {
          tooLong = true;
          parts = [];
          size = 0;
        } else if (end > from) {
          parts.push(chunk.subarray(from, end));
          size += end - from;
        }
      }
      if (nl === -1) break;
      lineNo++;
      yield { lineNo, text: tooLong ? undefined : decode(parts, size) };
      parts = [];
      size = 0;
      tooLong = false;
      from = nl + 1;
    }
    // Sub-arrays of a chunk keep the whole chunk alive; copy a pending partial line so chunks can be freed.
    if (parts.length > 0 && !tooLong) {
      const copy = Buffer.concat(parts, size);
      parts = [copy];
    }
  }
  if (size > 0 || tooLong) {
    lineNo++;
    yield { lineNo, text: tooLong ? undefined : decode(parts, size) };
  }
}
