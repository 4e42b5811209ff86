import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEvents } from '@execwatch/simulator';
import { expandDottedKeys, hasDottedKey } from '../../ingest/expand-dotted';
import { createDocPrep, STORED_WIDTH, TS_INVALID, TS_MISSING, TS_OK } from './doc-prep';
import { STORED_COLUMNS } from './hot-fields';
import { JsonbFieldReader, UNDECIDED, fieldJsonType, fieldValue, isoEpochMs, isoEpochMsAt } from './jsonb-fields';
import { TIMESTAMP_MS } from './time-sql';

const db = new Database(':memory:');
afterAll(() => db.close());

const PATHS = [...STORED_COLUMNS.map((c) => c.path), ['@timestamp']];
const TS = STORED_COLUMNS.length;

/** What SQLite alone makes of a line: its JSONB, stored columns, `@timestamp` in ms and json_type. */
const sqlRead = db
  .prepare<[string], unknown[]>(
    `SELECT jsonb_set(x, '$.event.ingested', 'now') AS doc, ${TIMESTAMP_MS('x')} AS t, json_type(x, '$."@timestamp"') AS ts_type,
      ${STORED_COLUMNS.map((c) => c.sql('x')).join(', ')}
     FROM (SELECT CAST(? AS TEXT) AS x)`,
  )
  .raw(true);
const sqlEpochMs = db.prepare<[string], number | null>(`SELECT CAST(round(unixepoch(?, 'subsec') * 1000) AS INTEGER)`).pluck();

// Keys near and on the read paths; the values SQLite and JS might read differently.
const KEYS = ['process', 'entry_leader', 'interactive', 'same_as_process', 'entry_meta', 'type', 'container', 'id', 'event', 'entity_id', 'start', '@timestamp', 'x'];
const text = fc.oneof(
  fc.constantFrom('container', 'bash', '', 'a"b', 'back\\slash', 'tab\there', 'line\nbreak', 'é', '日本', '🙂', '\u2028', '\u0000', 'x/y'),
  fc.string({ maxLength: 6 }),
  fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
);
/** Raw JSON text of numbers, as a producer might write them. */
const number = fc.constantFrom('0', '-0', '7', '-12', '1679328239520', '9007199254740993', '123456789012345678901', '1.5', '-0.25', '1e3', '2E-2', '1679328239520.7', '0.0');
const scalar = fc.oneof(text.map((s) => JSON.stringify(s)), number, fc.constantFrom('true', 'false', 'null'));
/** An object as JSON text; keys may repeat, be written with escapes, or have whitespace around. */
const objectText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    tie('object'),
    fc.array(fc.oneof(scalar, tie('object')), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    fc.array(text, { maxLength: 3 }).map((items) => JSON.stringify(items)),
  ),
  object: fc
    .array(
      fc.tuple(
        fc.constantFrom(...KEYS),
        fc.constantFrom('plain', 'plain', 'plain', 'escaped', 'slash'),
        tie('value'),
        fc.constantFrom('', ' ', '\n  '),
      ),
      { maxLength: 5 },
    )
    .map((members) => {
      const keyText = (key: string, how: string) =>
        how === 'escaped' ? `"\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${key.slice(1)}"` : how === 'slash' ? `"${key}\\/"` : `"${key}"`;
      return `{${members.map(([key, how, value, ws]) => `${ws}${keyText(key, how)}${ws}:${ws}${value}`).join(',')}}`;
    }),
})).object;

/** A document with the read paths spelled out, their leaves drawn from `value`. */
const pathDoc = fc
  .record({
    interactive: fc.oneof(scalar, objectText),
    same: scalar,
    metaType: scalar,
    containerId: scalar,
    eventType: fc.oneof(scalar, fc.array(text, { maxLength: 3 }).map((a) => JSON.stringify(a)), fc.array(scalar, { maxLength: 3 }).map((a) => `[${a.join(',')}]`)),
    entityId: scalar,
    start: scalar,
    timestamp: fc.oneof(scalar, fc.constant(null)),
    extra: objectText,
  })
  .map(
    (v) =>
      `{${v.timestamp === null ? '' : `"@timestamp":${v.timestamp},`}"extra":${v.extra},"process":{"interactive":${v.interactive},"entry_leader":{"same_as_process":${v.same},"entry_meta":{"type":${v.metaType}},"entity_id":${v.entityId},"start":${v.start}}},"container":{"id":${v.containerId}},"event":{"type":${v.eventType}}}`,
  );

describe('JsonbFieldReader', () => {
  const reader = new JsonbFieldReader(PATHS);

  /** Checks every value the reader decides on against SQLite's; returns how many it decided. */
  function agreesWithSqlite(line: string): number {
    const [doc, t, tsType, ...columns] = sqlRead.get(line) as [Buffer, number | null, string | null, ...unknown[]];
    if (!reader.read(doc)) return 0;
    let decided = 0;
    STORED_COLUMNS.forEach((c, k) => {
      if (c.exists) {
        const type = fieldJsonType(reader, k);
        expect(type === null || type === 'null' ? 0 : 1, `${c.name} of ${line}`).toBe(columns[k]);
        decided++;
        return;
      }
      const v = fieldValue(reader, doc, k);
      if (v === UNDECIDED) return;
      expect(v, `${c.name} of ${line}`).toStrictEqual(columns[k]);
      decided++;
    });
    expect(fieldJsonType(reader, TS), `@timestamp type of ${line}`).toBe(tsType);
    const tsValue = fieldValue(reader, doc, TS);
    if (tsType === 'text' && typeof tsValue === 'string') {
      const ms = isoEpochMs(tsValue);
      if (ms !== UNDECIDED) expect(ms, `@timestamp of ${line}`).toBe(t);
    }
    return decided;
  }

  it('reads what SQLite reads from documents with the read paths, or leaves it undecided', () => {
    let decided = 0;
    fc.assert(
      fc.property(pathDoc, (line) => {
        decided += agreesWithSqlite(line);
      }),
      { numRuns: 3000 },
    );
    // most values are plain enough to be read in JS
    expect(decided).toBeGreaterThan(3000 * 2);
  });

  it('reads what SQLite reads from arbitrary objects (duplicate and escaped keys, any nesting)', () => {
    fc.assert(
      fc.property(objectText, (line) => {
        agreesWithSqlite(line);
      }),
      { numRuns: 3000 },
    );
  });

  it('decides every field of the simulator’s events', () => {
    for (const event of generateEvents(3000, { seed: 5, start: Date.parse('2026-11-24T00:00:00Z'), end: Date.parse('2026-11-24T01:00:00Z') })) {
      expect(agreesWithSqlite(JSON.stringify(event))).toBe(STORED_COLUMNS.length);
    }
  });

  it('takes the first of duplicate keys, and a path through a non-object leads nowhere', () => {
    const doc = db.prepare<[string], Buffer>('SELECT jsonb(?)').pluck().get(
      '{"process":{"interactive":true},"process":{"interactive":false},"container":[{"id":"c"}],"event":"x"}',
    ) as Buffer;
    expect(reader.read(doc)).toBe(true);
    expect(fieldValue(reader, doc, 0)).toBe(1);
    expect(fieldJsonType(reader, 3)).toBeNull(); // container.id under an array
    expect(fieldJsonType(reader, 4)).toBeNull(); // event.type under a string
  });

  it('stops on damaged documents without throwing or looping', () => {
    const docs = generateEvents(20, { seed: 8, start: 0, end: 60_000 }).map((e) => sqlRead.get(JSON.stringify(e))?.[0] as Buffer);
    fc.assert(
      fc.property(fc.nat(19), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), (d, edits, cut) => {
        const doc = Buffer.from(docs[d] as Buffer);
        for (const [at, byte] of edits) doc[at % doc.length] = byte;
        const damaged = doc.subarray(0, doc.length - (cut % 64));
        if (reader.read(damaged)) for (let f = 0; f < PATHS.length; f++) fieldValue(reader, damaged, f);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses more keys in one object than its walk can track', () => {
    const paths = (n: number) => Array.from({ length: n }, (_, i) => ['process', `k${i}`]);
    expect(() => new JsonbFieldReader(paths(31))).not.toThrow();
    expect(() => new JsonbFieldReader(paths(32))).toThrow(/more than 31 keys wanted inside process/);
  });

  it('leaves escaped keys to SQLite', () => {
    const doc = db.prepare<[string], Buffer>('SELECT jsonb(?)').pluck().get('{"pro\\u0063ess":{"interactive":true}}') as Buffer;
    expect(reader.read(doc)).toBe(false);
  });
});

describe('isoEpochMs', () => {
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
  const dateText = fc
    .record({
      year: fc.oneof(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 0, max: 999 })).map((y) => String(y).padStart(4, '0')),
      month: two(13),
      day: two(32),
      sep: fc.constantFrom('T', 'T', 'T', ' ', 't'),
      hour: two(25),
      minute: two(60),
      second: two(61),
      fraction: fc.oneof(
        fc.constant(''),
        fc.stringMatching(/^[0-9]{1,16}$/).map((d) => `.${d}`),
        // near the millisecond's edges: .xxx5, .999x
        fc.tuple(fc.constantFrom('000', '001', '499', '500', '998', '999'), fc.stringMatching(/^[0-9]{0,5}$/)).map(([a, b]) => `.${a}${b}`),
      ),
      zone: fc.oneof(fc.constantFrom('Z', 'Z', 'z', ''), fc.tuple(fc.constantFrom('+', '-'), two(15), two(60)).map(([s, h, m]) => `${s}${h}:${m}`)),
    })
    .map((p) => `${p.year}-${p.month}-${p.day}${p.sep}${p.hour}:${p.minute}:${p.second}${p.fraction}${p.zone}`);

  it('gives SQLite’s milliseconds for every time it decides', () => {
    let decided = 0;
    fc.assert(
      fc.property(dateText, (t) => {
        const ms = isoEpochMs(t);
        if (ms === UNDECIDED) return;
        decided++;
        expect(ms, t).toBe(sqlEpochMs.get(t));
      }),
      { numRuns: 20000 },
    );
    expect(decided).toBeGreaterThan(1000);
  });

  it('reads the same from the bytes of a text as from the text (isoEpochMsAt)', () => {
    const within = (t: string, pad: number) => {
      const b = Buffer.alloc(pad + Buffer.byteLength(t) + pad, 0x37); // digits around it, which must not be read
      b.write(t, pad);
      return isoEpochMsAt(b, pad, pad + Buffer.byteLength(t));
    };
    fc.assert(
      fc.property(fc.oneof(dateText, fc.string({ maxLength: 30 }), dateText.map((t) => t.replace(/\d/, 'x'))), fc.nat(3), (t, pad) => {
        expect(within(t, pad), t).toBe(isoEpochMs(t));
      }),
      { numRuns: 20000 },
    );
    expect(within('2026-11-24T03:04:05.123456789012345Z', 2)).toBe(isoEpochMs('2026-11-24T03:04:05.123456789012345Z'));
    expect(within('2026-11-24T03:04:05.Z', 1)).toBe(UNDECIDED);
  });

  it('decides the usual forms and rounds fractions to the millisecond as SQLite does', () => {
    for (const t of ['2026-11-24T03:04:05Z', '2026-11-24T03:04:05.123Z', '2026-11-24T03:04:05.1235Z', '2026-11-24T03:04:05.9999Z', '2026-11-24T03:04:05.9995Z', '2026-11-24T03:04:05.0005Z', '2026-11-24T03:04:05.99949Z', '2024-02-29T23:59:59.999999+05:30', '1999-12-31T00:00:00-14:00']) {
      expect(isoEpochMs(t), t).toBe(sqlEpochMs.get(t));
    }
    for (const t of ['2026-11-24 03:04:05Z', '2026-02-30T00:00:00Z', '2026-11-24T24:00:00Z', '2026-11-24T03:04:05', '0999-01-01T00:00:00Z', 'now']) {
      expect(isoEpochMs(t), t).toBe(UNDECIDED);
    }
  });
});

describe('document preparation', () => {
  const prepare = createDocPrep(db);

  it('gives the documents, columns and times SQLite alone gives, for any object', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(pathDoc, objectText), { minLength: 1, maxLength: 20 }), (lines) => {
        const out = prepare(lines, 'now');
        lines.forEach((source, i) => {
          // lines that may have dotted keys are rewritten first (as JSON.stringify writes them)
          const line = hasDottedKey(source) ? expandDottedKeys(source) : source;
          const [doc, t, tsType, ...columns] = sqlRead.get(line) as [Buffer, number | null, string | null, ...unknown[]];
          expect(out.errors[i]).toBeNull();
          expect(Buffer.from(out.docs.subarray(out.docStarts[i], out.docStarts[i + 1])).equals(doc), line).toBe(true);
          expect(out.columns.slice(i * STORED_WIDTH, i * STORED_WIDTH + STORED_COLUMNS.length), line).toStrictEqual(columns);
          expect(out.tsState[i], line).toBe(t !== null ? TS_OK : tsType === null ? TS_MISSING : TS_INVALID);
          if (t !== null) expect(out.ts[i], line).toBe(t);
        });
      }),
      { numRuns: 300 },
    );
  });
});
