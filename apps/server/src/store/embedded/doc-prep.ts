import { isUtf8 } from 'node:buffer';
import type Database from 'better-sqlite3';
import { DEFAULT_DEPTH_LIMIT, DottedKeyConflict, depthLimitMessage, expandDottedKeys, hasDottedKey } from '../../ingest/expand-dotted';
import type { DocCompressor } from './doc-codec';
import { NESTED_ARRAYS_COLUMN, STORED_COLUMNS, arrayParentsSql, someHotFieldMissing } from './hot-fields';
import { JsonbFieldReader, UNDECIDED, elementEnd, fieldEpochMs, fieldJsonType, fieldValue, objectTooDeep } from './jsonb-fields';
import { TIMESTAMP_MS } from './time-sql';

/** A source line: its UTF-8 bytes as received, or text. */
export type SourceLine = string | Uint8Array;

/** Why a source line cannot become a stored document. */
export type PrepError =
  | { kind: 'invalid_utf8' }
  | { kind: 'mapping'; message: string }
  | { kind: 'malformed'; message: string }
  | { kind: 'not_object'; type: string };

/** The `@timestamp` of a prepared document: 0 usable, 1 missing, 2 present but not a date. */
export const TS_OK = 0;
export const TS_MISSING = 1;
export const TS_INVALID = 2;

/**
 * Everything storing each source line needs, column by column (cheap to pass between threads):
 * the document itself as JSONB with `event.ingested` set, `docs.subarray(docStarts[i], docStarts[i + 1])`
 * (all documents in one buffer, empty for a line that failed); `ts[i]` its `@timestamp` in epoch ms (NaN
 * when unusable, see `tsState`); `columns[i * STORED_WIDTH + k]` its k-th stored column (`STORED_NAMES`
 * order); and `errors[i]` non-null when it cannot be stored at all.
 */
export interface PreparedDocs {
  count: number;
  /** The documents, back to back from offset 0 (the buffer may be longer, and shared between threads). */
  docs: Uint8Array<ArrayBufferLike>;
  docStarts: Int32Array<ArrayBuffer>;
  ts: Float64Array<ArrayBuffer>;
  tsState: Uint8Array<ArrayBuffer>;
  columns: (string | number | null)[];
  errors: (PrepError | null)[];
  /** The stored format of each document (doc-codec.ts): 0 plain JSONB, else the dictionary it was compressed with. */
  formats: Int32Array<ArrayBuffer>;
}

/** Which documents to compress, and with what: line `i` is compressed when `mask[i]` is 1. */
export interface CompressPlan {
  mask: Uint8Array;
  compressor: DocCompressor;
}

/** The stored document of line `i` (a view, valid while `p` is). */
export function preparedDoc(p: PreparedDocs, i: number): Buffer {
  const start = p.docStarts[i] as number; // i < count
  return Buffer.from(p.docs.buffer, p.docs.byteOffset + start, (p.docStarts[i + 1] as number) - start);
}

/**
 * `PreparedDocs.columns` packed for posting to another thread: numbers and string indexes in one typed array
 * (`kinds[i]`: 0 a number, 1 null, 2 `strings[numbers[i]]`), each distinct string once. Values repeat across
 * a batch (a session's leader id and start, event types): posting the plain array cost 0.93 us an event to
 * write and read back, packed 0.41 us.
 */
export interface PackedColumns {
  numbers: Float64Array<ArrayBuffer>;
  kinds: Uint8Array<ArrayBuffer>;
  strings: string[];
}

export function packColumns(columns: readonly (string | number | null)[]): PackedColumns {
  const n = columns.length;
  const numbers = new Float64Array(n);
  const kinds = new Uint8Array(n);
  const strings: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const v = columns[i] as string | number | null; // i < n
    if (typeof v === 'number') numbers[i] = v;
    else if (v === null) kinds[i] = 1;
    else {
      let k = seen.get(v);
      if (k === undefined) {
        k = strings.length;
        strings.push(v);
        seen.set(v, k);
      }
      kinds[i] = 2;
      numbers[i] = k;
    }
  }
  return { numbers, kinds, strings };
}

export function unpackColumns(p: PackedColumns): (string | number | null)[] {
  const n = p.kinds.length;
  const out = new Array<string | number | null>(n);
  for (let i = 0; i < n; i++) {
    const kind = p.kinds[i];
    out[i] = kind === 0 ? (p.numbers[i] as number) : kind === 1 ? null : (p.strings[p.numbers[i] as number] as string); // i < n; indexes written by packColumns
  }
  return out;
}

/** The stored columns in the order of `PreparedDocs.columns`. */
export const STORED_NAMES: readonly string[] = [...STORED_COLUMNS.map((c) => c.name), NESTED_ARRAYS_COLUMN];
export const STORED_WIDTH = STORED_NAMES.length;

/**
 * The statement reading one source line (parameters: the line, then the ingest time as ISO text): SQLite
 * validates the JSON text and converts it to JSONB with `event.ingested` set (faster than JSON.parse in JS).
 * The stored columns and `@timestamp` are then read from the JSONB in JS (jsonb-fields.ts): one SQL
 * function per field would copy and compare the whole text each time.
 */
const DOC_SQL = `SELECT jsonb_set(CAST(? AS TEXT), '$.event.ingested', ?)`;

/**
 * Lines converted by one statement call, their documents handed back one after another in one blob: each blob
 * SQLite hands to JS costs ~2 us whatever its size (a Buffer of its own), so one per 16 lines instead of one
 * per line took conversion from 7.0-7.5 to 5.6 us a 3.5 kB event (single thread). JSONB elements carry their
 * own length, so the blob splits without a list of lengths (concat() takes each as text and keeps its bytes).
 * Parameters: GROUP lines, then `@ingested`.
 */
const GROUP = 16;
/** Longer lines are converted alone: a group's blob holds its documents at once, besides SQLite's copies. */
const GROUP_LINE_MAX = 64 * 1024;
const GROUP_SQL = `SELECT CAST(concat(${Array.from({ length: GROUP }, () => `jsonb_set(CAST(? AS TEXT), '$.event.ingested', @ingested)`).join(', ')}) AS BLOB)`;

/**
 * The same in SQL alone, for lines whose fields the JS reader leaves undecided, and for lines that are no
 * JSON object (it names their type). Parameters: the ingest time, then the line. Raw rows: [type, doc, ts,
 * tsType, ...stored columns but the last]. Every function reads the same text, which SQLite parses once
 * (it keeps the parse of recent texts).
 */
const PREP_SQL = `
  SELECT json_type(x) AS type, jsonb_set(x, '$.event.ingested', ?) AS doc,
    ${TIMESTAMP_MS('x')} AS t, json_type(x, '$."@timestamp"') AS ts_type,
    ${STORED_COLUMNS.map((c) => `${c.sql('x')} AS ${c.name}`).join(', ')}
  FROM (SELECT CAST(? AS TEXT) AS x)`;
const ROW_COLUMNS = 4;

/** `g_nested_arrays` when some hot field is missing (see hot-fields.ts); 0 otherwise, without a lookup. */
const ARRAY_PARENTS_SQL = `SELECT ${arrayParentsSql('x')} FROM (SELECT CAST(? AS TEXT) AS x)`;

/** The fields read from each document: the stored columns, then `@timestamp`. */
const READ_PATHS = [...STORED_COLUMNS.map((c) => c.path), ['@timestamp']];
const TS_FIELD = STORED_COLUMNS.length;
const JSONB_OBJECT = 12;

/**
 * Fills line `i`'s stored columns (from `base` in `columns`), `@timestamp` and its state from the JSONB
 * document `doc` read by `reader`; false when some value is left to SQLite (nothing usable is written then).
 */
function readFields(
  reader: JsonbFieldReader,
  doc: Uint8Array,
  columns: (string | number | null)[],
  base: number,
  ts: Float64Array,
  tsState: Uint8Array,
  i: number,
): boolean {
  if (!reader.read(doc)) return false;
  for (let k = 0; k < STORED_COLUMNS.length; k++) {
    let v: string | number | null | typeof UNDECIDED;
    if ((STORED_COLUMNS[k] as (typeof STORED_COLUMNS)[number]).exists) {
      const type = fieldJsonType(reader, k);
      v = type === null || type === 'null' ? 0 : 1;
    } else {
      v = fieldValue(reader, doc, k);
      if (v === UNDECIDED) return false;
    }
    columns[base + k] = v;
  }
  const tsType = fieldJsonType(reader, TS_FIELD);
  if (tsType === null) {
    tsState[i] = TS_MISSING;
    return true;
  }
  let t: number | null | typeof UNDECIDED = null;
  if (tsType === 'text') {
    t = fieldEpochMs(reader, doc, TS_FIELD);
  } else if (tsType === 'integer') {
    t = fieldValue(reader, doc, TS_FIELD) as number | typeof UNDECIDED; // an integer or undecided
  } else if (tsType === 'real') {
    t = UNDECIDED;
  }
  if (t === UNDECIDED) return false;
  if (t === null) tsState[i] = TS_INVALID;
  else ts[i] = t;
  return true;
}

/** Whether `a[from]`..`a[from + count - 1]` are all 1. */
function allOnes(a: Uint8Array, from: number, count: number): boolean {
  for (let k = from; k < from + count; k++) if (a[k] !== 1) return false;
  return true;
}

/** Limits on each document. */
export interface DocLimits {
  /** Objects nested deeper than this fail their line (Elasticsearch's `index.mapping.depth.limit`, default 20). */
  depthLimit?: number;
}

/** Room for documents: a buffer of at least `bytes` bytes. */
export type DocsAlloc = (bytes: number) => Uint8Array<ArrayBufferLike>;

const plainAlloc: DocsAlloc = (bytes) => new Uint8Array(bytes);

/**
 * Room the documents of `sources` will most likely need: JSONB is no longer than the JSON text it comes
 * from but for a few header bytes per container, and event.ingested adds about 40 bytes.
 */
function docsEstimate(sources: readonly SourceLine[]): number {
  let bytes = 4096;
  for (const s of sources) bytes += (typeof s === 'string' ? Buffer.byteLength(s) : s.length) + 96;
  return bytes;
}

/**
 * The part of a shared body the sources are views of, in order, or null: from the first source's start to
 * the last one's end. Bodies in shared memory (ingest/body-slabs.ts) are scratch once their lines are parsed,
 * so the documents are written over that part of the body: each line is read before its document is written,
 * and a document (JSONB, a little shorter than its JSON text, plus event.ingested; compressed, far shorter)
 * mostly fits in the room of its line and of the action line before the next one. Nothing outside the part
 * is written: another part of the same body may be prepared meanwhile.
 */
function sharedBody(sources: readonly SourceLine[]): Uint8Array<SharedArrayBuffer> | null {
  const first = sources[0];
  if (first === undefined || typeof first === 'string' || !(first.buffer instanceof SharedArrayBuffer)) return null;
  let end = 0;
  for (const s of sources) {
    if (typeof s === 'string' || s.buffer !== first.buffer || s.byteOffset < end) return null;
    end = s.byteOffset + s.length;
  }
  return new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset);
}

/**
 * Prepares documents with `db` (any connection: the statement reads no table), `ingested` being the ingest
 * time (ISO). The documents go over the body when the sources are a shared body's lines (see sharedBody),
 * else into a buffer from `alloc`; either moves to a new buffer when the next document would not fit.
 * `overwritten[0]` (shared memory) is set to 1 before the body is first written over: from then on the
 * sources cannot be prepared again. With `plan`, the documents it marks are stored compressed (doc-codec.ts):
 * a frame is shorter than the JSONB it comes from, so it fits where that would have.
 */
export function createDocPrep(
  db: Database.Database,
  alloc: DocsAlloc = plainAlloc,
  limits: DocLimits = {},
): (sources: readonly SourceLine[], ingested: string, overwritten?: Int32Array, plan?: CompressPlan | null) => PreparedDocs {
  const depthLimit = limits.depthLimit ?? DEFAULT_DEPTH_LIMIT;
  const docOf = db.prepare<[SourceLine, string], Buffer>(DOC_SQL).pluck();
  const groupOf = db.prepare<unknown[], Buffer>(GROUP_SQL).pluck();
  const stmt = db.prepare<[string, SourceLine], unknown[]>(PREP_SQL).raw(true);
  const reader = new JsonbFieldReader(READ_PATHS);
  const arrayParents = db.prepare<[SourceLine], number>(ARRAY_PARENTS_SQL).pluck();
  const groupArgs: unknown[] = new Array<unknown>(GROUP + 1);

  /** The documents of lines `first`..`first + GROUP - 1` (all bytes as received), or null when some line fails: those go one by one. */
  const convertGroup = (lines: readonly SourceLine[], first: number, ingested: string): Uint8Array[] | null => {
    for (let k = 0; k < GROUP; k++) groupArgs[k] = lines[first + k];
    groupArgs[GROUP] = { ingested };
    let blob: Buffer;
    try {
      blob = groupOf.get(...groupArgs) as Buffer; // CAST(... AS BLOB): a blob
    } catch {
      return null; // a malformed line, named when the lines are converted one by one
    }
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < blob.length && out.length < GROUP) {
      const end = elementEnd(blob, at);
      out.push(blob.subarray(at, end));
      at = end;
    }
    return out.length === GROUP && at === blob.length ? out : null; // (concat() skips NULLs; jsonb_set of text is never NULL)
  };

  return (sources, ingested, overwritten, plan) => {
    const n = sources.length;
    const body = sharedBody(sources);
    let docs = body ?? alloc(docsEstimate(sources));
    let inPlace = body !== null;
    const docStarts = new Int32Array(n + 1);
    let size = 0;
    const ts = new Float64Array(n);
    const tsState = new Uint8Array(n);
    const columns: (string | number | null)[] = new Array<string | number | null>(n * STORED_WIDTH).fill(null);
    const errors: (PrepError | null)[] = new Array<PrepError | null>(n).fill(null);
    const formats = new Int32Array(n);
    // What SQLite converts for each line (null when the line already failed), and whether it can go in a
    // group: the line's bytes as received, not too long.
    const texts: (SourceLine | null)[] = new Array<SourceLine | null>(n).fill(null);
    const groupable = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = NaN;
      let src = sources[i] as SourceLine; // i < n
      if (typeof src !== 'string' && !isUtf8(src)) {
        errors[i] = { kind: 'invalid_utf8' };
        continue;
      }
      // Dotted keys become objects, as Elasticsearch maps them. Bytes are scanned as Latin-1: every byte one
      // character, so the ASCII that marks keys reads the same.
      const bytes = typeof src === 'string' ? null : Buffer.from(src.buffer, src.byteOffset, src.length);
      if (hasDottedKey(bytes ? bytes.toString('latin1') : (src as string))) {
        try {
          src = expandDottedKeys(bytes ? bytes.toString('utf8') : (src as string), depthLimit);
        } catch (e) {
          // whatever one line does to the expansion fails that line alone, never the batch
          errors[i] = e instanceof DottedKeyConflict ? { kind: 'mapping', message: e.message } : { kind: 'malformed', message: e instanceof Error ? e.message : String(e) };
          continue;
        }
      } else if (bytes && bytes.length <= GROUP_LINE_MAX) groupable[i] = 1;
      texts[i] = src;
    }
    // the documents of a group of lines from `groupFirst` on (null: it failed, convert those one by one)
    let group: Uint8Array[] | null = null;
    let groupFirst = -GROUP;
    for (let i = 0; i < n; i++) {
      docStarts[i] = size;
      const src = texts[i];
      if (src === null || src === undefined) continue;
      if (i >= groupFirst + GROUP && i + GROUP <= n && allOnes(groupable, i, GROUP)) {
        // every line of the group is read here, before any of their documents is written
        groupFirst = i;
        group = convertGroup(texts as SourceLine[], i, ingested);
      }
      let doc: Uint8Array | undefined = i < groupFirst + GROUP && group ? group[i - groupFirst] : undefined;
      if (doc === undefined) {
        try {
          doc = docOf.get(src, ingested) as Buffer; // jsonb_set of any JSON: a blob
        } catch (e) {
          errors[i] = { kind: 'malformed', message: e instanceof Error ? e.message : String(e) };
          continue;
        }
      }
      // Elasticsearch's index.mapping.depth.limit, on every document (dotted ones were held to it as they were expanded)
      const tooDeep = objectTooDeep(doc, depthLimit);
      if (tooDeep !== null) {
        errors[i] = { kind: 'mapping', message: depthLimitMessage(depthLimit, tooDeep.join('.')) };
        continue;
      }
      const base = i * STORED_WIDTH;
      if (doc[0] === undefined || (doc[0] & 15) !== JSONB_OBJECT || !readFields(reader, doc, columns, base, ts, tsState, i)) {
        // SQLite decides: it names a line's type, and reads what the JS reader left undecided
        ts[i] = NaN;
        tsState[i] = TS_OK;
        const row = stmt.get(ingested, src) as unknown[]; // the line parsed above, so no error; a SELECT without FROM yields its row
        const type = row[0] as string | null; // json_type(): text or NULL
        if (type !== 'object') {
          errors[i] = { kind: 'not_object', type: type ?? 'nothing' };
          continue;
        }
        for (let k = 0; k < STORED_COLUMNS.length; k++) columns[base + k] = row[ROW_COLUMNS + k] as string | number | null; // SQL scalars
        doc = row[1] as Buffer; // jsonb_set of an object: a blob
        const t = row[2] as number | null; // TIMESTAMP_MS: integer or NULL
        if (t === null) tsState[i] = row[3] === null ? TS_MISSING : TS_INVALID;
        else ts[i] = t;
      }
      // (reads the line again, so before its document is written: that may go over the line)
      columns[base + STORED_COLUMNS.length] = someHotFieldMissing(columns, base) ? (arrayParents.get(src) ?? null) : 0;
      if (plan && plan.mask[i] === 1) {
        // (a tiny document may come out longer: it stays plain)
        const frame = plan.compressor.compress(doc);
        if (frame.length < doc.length) {
          doc = frame;
          formats[i] = plan.compressor.id;
        }
      }
      // over the body, the room ends where the next unread line starts
      const room = inPlace && i + 1 < n ? (sources[i + 1] as Uint8Array).byteOffset - docs.byteOffset : docs.length;
      if (size + doc.length > room) {
        const moved = alloc(Math.max(docsEstimate(sources), Math.ceil((size + doc.length) * 1.5)));
        moved.set(docs.subarray(0, size));
        docs = moved;
        inPlace = false;
      }
      if (inPlace && size === 0 && overwritten) Atomics.store(overwritten, 0, 1);
      docs.set(doc, size);
      size += doc.length;
    }
    docStarts[n] = size;
    return { count: n, docs, docStarts, ts, tsState, columns, errors, formats };
  };
}
