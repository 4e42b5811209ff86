import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEvents } from '@execwatch/simulator';
import { silentLogger } from '../../log';
import { createDocPrep, packColumns, preparedDoc, STORED_WIDTH, TS_INVALID, TS_MISSING, TS_OK, unpackColumns, type PreparedDocs, type SourceLine } from './doc-prep';
import { PreparationLostError, createDocPreparer, type DocPreparer } from './doc-prep-pool';

const db = new Database(':memory:');
const open: DocPreparer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** A batch with every kind of line: good events (bytes and text), and each way a line can fail. */
function batch(n: number): SourceLine[] {
  const events = generateEvents(n, { seed: 11 }).map((e) => JSON.stringify(e));
  const lines: SourceLine[] = events.map((e, i) => (i % 2 === 0 ? Buffer.from(e) : e));
  lines[3] = Buffer.from('{"not json"');
  lines[5] = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
  lines[7] = '[1,2]';
  lines[9] = '{"event":{}}';
  lines[11] = '{"@timestamp":"yesterday"}';
  return lines;
}

/** The prepared batch as plain data, to compare two ways of preparing. */
const plain = (p: PreparedDocs) => ({
  count: p.count,
  docs: Buffer.from(p.docs.subarray(0, p.docStarts[p.count])).toString('base64'),
  docStarts: [...p.docStarts],
  ts: [...p.ts],
  tsState: [...p.tsState],
  columns: p.columns,
  errors: p.errors,
});

const AT = '2026-11-23T12:00:00.000Z';

describe('document preparation', () => {
  it('reads @timestamp and the stored columns, and names each failure', () => {
    const lines = batch(20);
    const p = createDocPrep(db)(lines, AT);
    const first = JSON.parse(String(lines[0])) as { '@timestamp': string; process: { entry_leader: { entity_id: string } } };
    expect(p.ts[0]).toBe(Date.parse(first['@timestamp']));
    expect(p.columns.slice(0, STORED_WIDTH)).toContain(first.process.entry_leader.entity_id);
    expect(p.tsState[0]).toBe(TS_OK);
    expect(p.columns.slice(0, STORED_WIDTH)).toContain('container');
    expect(p.errors[3]).toMatchObject({ kind: 'malformed' });
    expect(p.errors[5]).toEqual({ kind: 'invalid_utf8' });
    expect(p.errors[7]).toEqual({ kind: 'not_object', type: 'array' });
    expect(p.errors[9]).toBeNull();
    expect(p.tsState[9]).toBe(TS_MISSING);
    expect(p.tsState[11]).toBe(TS_INVALID);
    expect(p.errors.filter((e) => e !== null)).toHaveLength(3);
  });

  it('returns each document as JSONB with event.ingested set to the ingest time, and none for a failed line', () => {
    const lines = batch(20);
    const p = createDocPrep(db)(lines, AT);
    const asJson = db.prepare<[Buffer], string>('SELECT json(?)').pluck();
    const first = JSON.parse(String(lines[0])) as { event: Record<string, unknown> };
    expect(JSON.parse(asJson.get(preparedDoc(p, 0)) ?? 'null')).toEqual({ ...first, event: { ...first.event, ingested: AT } });
    // an event without an `event` object gets one
    expect(JSON.parse(asJson.get(preparedDoc(p, 11)) ?? 'null')).toEqual({ '@timestamp': 'yesterday', event: { ingested: AT } });
    expect(JSON.parse(asJson.get(preparedDoc(p, 9)) ?? 'null')).toEqual({ event: { ingested: AT } });
    for (const failed of [3, 5, 7]) expect(preparedDoc(p, failed).length).toBe(0);
    expect(p.docStarts[p.count]).toBeLessThanOrEqual(p.docs.length);
  });

  it('expands dotted keys as Elasticsearch maps them, and fails a document Elasticsearch would reject', () => {
    const p = createDocPrep(db)(
      [Buffer.from('{"process.interactive":true,"process":{"name":"bash"},"msg":"a.b"}'), '{"a":1,"a.b":2}', Buffer.from('{"msg" : "a.b", "n":1.5}')],
      AT,
    );
    const asJson = db.prepare<[Buffer], string>('SELECT json(?)').pluck();
    expect(JSON.parse(asJson.get(preparedDoc(p, 0)) ?? 'null')).toEqual({ process: { interactive: true, name: 'bash' }, msg: 'a.b', event: { ingested: AT } });
    expect(p.columns[0]).toBe(1); // g_interactive, read from the expanded document
    expect(p.errors[1]).toEqual({ kind: 'mapping', message: expect.stringMatching(/Existing mapping for \[a\] must be of type object/) as unknown });
    expect(JSON.parse(asJson.get(preparedDoc(p, 2)) ?? 'null')).toEqual({ msg: 'a.b', n: 1.5, event: { ingested: AT } });
  });

  /** The lines of an NDJSON bulk body in shared memory, as the ingest route hands them over. */
  function sharedBodyLines(sources: string[], actionLine: string): Uint8Array[] {
    const text = sources.map((src) => `${actionLine}${src}\n`).join('');
    const body = Buffer.from(new SharedArrayBuffer(Buffer.byteLength(text)));
    body.write(text);
    const lines: Uint8Array[] = [];
    let at = 0;
    for (const src of sources) {
      at += Buffer.byteLength(actionLine);
      lines.push(body.subarray(at, at + Buffer.byteLength(src)));
      at += Buffer.byteLength(src) + 1;
    }
    return lines;
  }

  const docsAsJson = (p: PreparedDocs): (string | null)[] => {
    const asJson = db.prepare<[Buffer], string>('SELECT json(?)').pluck();
    return Array.from({ length: p.count }, (_, i) => (p.errors[i] ? null : (asJson.get(preparedDoc(p, i)) ?? null)));
  };

  it('writes the documents over a shared body (its lines are read first) and gets the same documents', () => {
    const sources = generateEvents(200, { seed: 5 }).map((e) => JSON.stringify(e));
    sources[7] = '{"not json"';
    // lines without the hot fields are read a second time (for arrays among their parents)
    sources[9] = '{"@timestamp":"2026-01-01T00:00:00Z"}';
    sources[10] = '{"@timestamp":"2026-01-01T00:00:00Z","process":[{"interactive":true}]}';
    const lines = sharedBodyLines(sources, '{"create":{"_index":"logs-cloud_defend.process-default"}}\n');
    const expected = createDocPrep(db)(sources, AT);
    const p = createDocPrep(db)(lines, AT);
    expect(p.docs.buffer).toBe(lines[0]?.buffer); // in place
    expect(p.columns[10 * STORED_WIDTH + STORED_WIDTH - 1]).toBe(1); // g_nested_arrays: process is an array
    expect(docsAsJson(p)).toEqual(docsAsJson(expected));
    expect(plain(p)).toEqual(plain(expected));
  });

  it('fuzz: preparing over a shared body gives what preparing copies of its lines gives', () => {
    const source = fc.oneof(
      fc.json(),
      fc.string(),
      fc.constantFrom('{}', '{"n":1}', '{"a.b":1,"a":{"c":2}}', '{"a":1,"a.b":2}', '{"event":"x"}', '{"process":[{"interactive":true}]}'),
      fc.dictionary(fc.constantFrom('a', 'a.b', 'event', 'event.kind', '@timestamp', 'process.interactive'), fc.jsonValue(), { maxKeys: 4 }).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(source, fc.nat(80)), { minLength: 1, maxLength: 25 }), (items) => {
        const sources = items.map(([src]) => src.replace(/\n/g, ' '));
        // lines separated by action-like lines of any length (the room a document may take)
        const parts = items.map(([, gap], i) => `${'x'.repeat(gap)}\n${sources[i]}\n`);
        const text = parts.join('');
        const body = Buffer.from(new SharedArrayBuffer(Buffer.byteLength(text)));
        body.write(text);
        const lines: Uint8Array[] = [];
        let at = 0;
        items.forEach(([, gap], i) => {
          at += gap + 1;
          const n = Buffer.byteLength(sources[i] as string);
          lines.push(body.subarray(at, at + n));
          at += n + 1;
        });
        const expected = createDocPrep(db)(sources, AT);
        const got = createDocPrep(db)(lines, AT);
        expect(plain(got)).toEqual(plain(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: lines converted sixteen to a statement give what lines converted one at a time give', () => {
    // mostly objects, so that runs of sixteen convertible lines form; now and then a line that fails, which
    // sends its run back to one line at a time
    const source = fc.oneof(
      { weight: 12, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
      { weight: 6, arbitrary: fc.constantFrom(...generateEvents(8, { seed: 3 }).map((e) => JSON.stringify(e))) },
      { weight: 1, arbitrary: fc.constantFrom('{"not json"', '[1,2]', '"text"', '7', '{"a.b":1}', '{"a":1,"a.b":2}', '{"event":"x"}', '') },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
    fc.assert(
      fc.property(fc.array(source, { minLength: 16, maxLength: 70 }), fc.boolean(), (sources, shared) => {
        const oneLine = sources.map((src) => src.replace(/\n/g, ' '));
        const lines = shared ? sharedBodyLines(oneLine, '{"index":{}}\n') : oneLine.map((src) => Buffer.from(src));
        const expected = createDocPrep(db)(oneLine, AT); // text lines never go in groups
        expect(plain(createDocPrep(db)(lines, AT))).toEqual(plain(expected));
      }),
      { numRuns: 150 },
    );
  });

  it('moves the documents to a buffer of their own when the next one would overwrite an unread line', () => {
    // tiny documents with no action lines between them: event.ingested alone outgrows each line's room
    const sources = Array.from({ length: 50 }, (_, i) => `{"n":${i}}`);
    const lines = sharedBodyLines(sources, '');
    const expected = createDocPrep(db)(sources, AT);
    const p = createDocPrep(db)(lines, AT);
    expect(p.docs.buffer).not.toBe(lines[0]?.buffer);
    expect(docsAsJson(p)).toEqual(docsAsJson(expected));
    expect(JSON.parse(docsAsJson(p)[49] ?? 'null')).toEqual({ n: 49, event: { ingested: AT } });
  });

  it('packs the stored columns for another thread and unpacks exactly them, each distinct string once', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('container', 'start', ''), fc.string(), fc.double(), fc.integer(), fc.constant(null)), { maxLength: 60 }), (columns) => {
        const packed = packColumns(columns);
        expect(unpackColumns(structuredClone(packed))).toStrictEqual(columns);
        expect(packed.strings).toStrictEqual([...new Set(columns.filter((v) => typeof v === 'string'))]);
      }),
    );
  });

  it('the worker thread prepares exactly what the calling thread would', async () => {
    const warnings: string[] = [];
    const preparer = createDocPreparer({ db, log: { ...silentLogger, warn: (msg: string) => warnings.push(msg) }, inlineBelow: 1 });
    open.push(preparer);
    const lines = batch(600);
    const [a, b] = await Promise.all([preparer.prepare(lines, AT), preparer.prepare(lines.slice(100), AT)]);
    expect(plain(a)).toEqual(plain(createDocPrep(db)(lines, AT)));
    expect(plain(b)).toEqual(plain(createDocPrep(db)(lines.slice(100), AT)));
    expect(warnings).toEqual([]); // the thread did the work, no fallback
  });

  it('when the worker dies, the batches it held are prepared on the calling thread: nothing is lost', async () => {
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (msg: string) => warnings.push(msg) };
    const preparer = createDocPreparer({ db, log, inlineBelow: 1, workerEntry: new URL('./testing/exiting-worker.ts', import.meta.url) });
    open.push(preparer);
    const lines = batch(300);
    const results = await Promise.all([preparer.prepare(lines, AT), preparer.prepare(lines, AT)]);
    const expected = plain(createDocPrep(db)(lines, AT));
    for (const r of results) expect(plain(r)).toEqual(expected);
    expect(plain(await preparer.prepare(lines, AT))).toEqual(expected);
    expect(warnings).toEqual(['document preparation thread stopped; preparing on the request thread']);
  });

  it('when the worker dies after writing over a body, that request fails to be sent again; the others are prepared here', async () => {
    const preparer = createDocPreparer({ db, log: silentLogger, inlineBelow: 1, workerEntry: new URL('./testing/dying-worker.ts', import.meta.url) });
    open.push(preparer);
    const sources = generateEvents(300, { seed: 3 }).map((e) => JSON.stringify(e));
    const body = sharedBodyLines(sources, '{"create":{}}\n');
    const copied = batch(300);
    const [lost, kept] = await Promise.allSettled([preparer.prepare(body, AT), preparer.prepare(copied, AT)]);
    expect(lost.status === 'rejected' && lost.reason).toBeInstanceOf(PreparationLostError);
    expect(kept.status === 'fulfilled' && plain(kept.value)).toEqual(plain(createDocPrep(db)(copied, AT)));
  });
});
