import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toItems } from './documents';
import { readLines, type Line } from './line-reader';

/** Splits bytes at the given cut points, as a file stream or gunzip might. */
async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (cut > from) yield bytes.subarray(from, cut);
    from = Math.max(from, cut);
  }
  if (from < bytes.length) yield bytes.subarray(from);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const lineText = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\n') && !s.includes('\r'));

describe('readLines', () => {
  it('yields the lines of any input however it is chunked (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineText, { maxLength: 30 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), async (lines, trailingNewline, cuts, crlf) => {
        const text = lines.join(crlf ? '\r\n' : '\n') + (trailingNewline && lines.length > 0 ? (crlf ? '\r\n' : '\n') : '');
        const got = await collect(readLines(chunked(Buffer.from(text), cuts)));
        // An empty last line without a newline is no line at all.
        const expected = text === '' ? [] : lines.length > 0 && lines[lines.length - 1] === '' && !trailingNewline ? lines.slice(0, -1) : lines;
        expect(got.map((l) => l.text)).toEqual(expected);
        expect(got.map((l) => l.lineNo)).toEqual(expected.map((_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });

  it('reports an over-long line without buffering it and goes on', async () => {
    const input = `short\n${'x'.repeat(100)}\nafter\n`;
    const got = await collect(readLines(chunked(Buffer.from(input), [3, 20, 50, 90]), { maxLineBytes: 50 }));
    expect(got).toEqual([{ lineNo: 1, text: 'short' }, { lineNo: 2, text: undefined }, { lineNo: 3, text: 'after' }]);
  });

  it('reassembles multi-byte characters split across chunks', async () => {
    const bytes = Buffer.from('é€😀\nñ');
    const got = await collect(readLines(chunked(bytes, [1, 2, 4, 6, 8, 9])));
    expect(got.map((l) => l.text)).toEqual(['é€😀', 'ñ']);
  });
});

async function* linesOf(texts: (string | undefined)[]): AsyncGenerator<Line> {
  let lineNo = 0;
  for (const text of texts) yield { lineNo: ++lineNo, text };
}

describe('toItems', () => {
  it('classifies any mix of JSON values and garbage, keeping line numbers (fuzz)', async () => {
    const lineArb = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n')),
      fc.constant('{"event": {"action": "exec"}, "data_stream": {"type": "logs", "dataset": "cloud_defend.process", "namespace": "prod"}}'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 40 }), async (texts) => {
        const items = await collect(toItems(linesOf(texts)));
        for (const item of items) {
          const text = texts[item.lineNo - 1].trim();
          expect(text).not.toBe('');
          if (item.kind === 'doc') {
            const parsed: unknown = JSON.parse(item.source);
            expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)).toBe(true);
            expect(item.index).toMatch(/^logs-cloud_defend\.process-(default|prod)$/);
          } else {
            expect(item.reason.length).toBeGreaterThan(0);
          }
        }
        // Every non-blank line that is not an action line is accounted for exactly once.
        const lineNos = items.map((i) => i.lineNo);
        expect(new Set(lineNos).size).toBe(lineNos.length);
      }),
      { numRuns: 300 },
    );
  });

  it('reads bulk format: action lines give op, index and id to the next line', async () => {
    const items = await collect(toItems(linesOf([
      '{"create":{"_index":"logs-cloud_defend.process-prod","_id":"a1"}}', '{"a":1}',
      '{"index":{}}', '{"b":2,"data_stream":{"type":"logs","dataset":"cloud_defend.process","namespace":"qa"}}',
      '{"delete":{"_id":"x"}}',
      '{"update":{"_id":"y"}}', '{"doc":{"c":3}}',
      '', '{"c":3}',
      '{"create":{}}',
    ])));
    expect(items).toEqual([
      { kind: 'doc', lineNo: 2, op: 'create', index: 'logs-cloud_defend.process-prod', id: 'a1', source: '{"a":1}' },
      { kind: 'doc', lineNo: 4, op: 'index', index: 'logs-cloud_defend.process-qa', id: undefined, source: expect.any(String) },
      { kind: 'bad', lineNo: 5, reason: 'unsupported bulk action "delete" (only index and create)' },
      { kind: 'bad', lineNo: 6, reason: 'unsupported bulk action "update" (only index and create)' },
      { kind: 'doc', lineNo: 9, op: 'create', index: 'logs-cloud_defend.process-default', source: '{"c":3}' },
      { kind: 'bad', lineNo: 10, reason: 'action line without a source line' },
    ]);
  });

  it('names invalid JSON and non-objects, and lets --index win over the data stream', async () => {
    const items = await collect(toItems(linesOf(['{"x":', '[1]', 'null', '"s"', '{"data_stream":{"type":"logs","dataset":"d","namespace":"n"}}']), 'my-index'));
    expect(items.map((i) => (i.kind === 'bad' ? `${i.lineNo}:${i.reason.split(' (')[0]}` : `${i.lineNo}:${i.index}`))).toEqual([
      '1:invalid JSON', '2:not a JSON object', '3:not a JSON object', '4:not a JSON object', '5:my-index',
    ]);
  });
});
