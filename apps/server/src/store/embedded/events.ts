import { randomBytes } from 'node:crypto';
import { compile, search, type EqlEvent } from '@execwatch/eql';
import type { ExceptionMatcher } from '@execwatch/exceptions';
import type { BulkItemResult, BulkOperation, Doc, EventHit, EventStore, RuleSearchRequest, RuleSearchResult, SessionProcessFacts } from '../ports';
import { silentLogger } from '../../log';
import type { Db } from './db';
import { DOC_PLAIN, DOC_SQL as D, DocCompressor, PLAIN_INDEX_PREFIX, buildDictionary, compressibleIndex, registerDocFunctions } from './doc-codec';
import { STORED_NAMES, STORED_WIDTH, TS_MISSING, TS_OK, preparedDoc, type PrepError, type PreparedDocs } from './doc-prep';
import { createDocPreparer, type DocPreparer } from './doc-prep-pool';
import { jsonPath } from './field-path';
import { createMatcherCache } from './matcher-cache';
import { indexMatcher, indexNameError, isDataStreamName } from './index-names';
import { prefilterToSql, type Prefilter } from './prefilter-sql';
import { leanProjectionSql, leanValuesSql } from './projection';
import { epochMsSql } from './time-sql';

/** Parses the SQL row's document text. */
function parseDoc(text: string): Doc {
  return JSON.parse(text) as Doc; // stored documents are always JSON objects (checked at insert)
}

interface FullRow {
  seq: number;
  idx: string;
  id: string;
  doc: string;
}

const toHit = (r: FullRow): EventHit => ({ _index: r.idx, _id: r.id, _source: parseDoc(r.doc) });

interface FactsRow {
  entity_id: string | null;
  parent_entity_id: string | null;
  name: string | null;
  executable: string | null;
  args: string | null;
  working_directory: string | null;
  start: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function toFacts(r: FactsRow): SessionProcessFacts {
  let args: string[] = [];
  if (r.args !== null) {
    const parsed: unknown = JSON.parse(r.args);
    args = (Array.isArray(parsed) ? parsed : [parsed]).filter((a): a is string => typeof a === 'string');
  }
  return { entity_id: text(r.entity_id), parent_entity_id: text(r.parent_entity_id), name: text(r.name), executable: text(r.executable), args, working_directory: text(r.working_directory), start: text(r.start) };
}

/** 20-character random ids, like Elasticsearch's auto-generated ones. */
function idGenerator(count: number): () => string {
  const bytes = randomBytes(15 * Math.max(count, 1));
  let i = 0;
  return () => {
    const id = bytes.toString('base64url', i * 15, i * 15 + 15);
    i++;
    return id;
  };
}

const err = (action: BulkOperation['action'], index: string, id: string | null, status: number, type: string, reason: string): BulkItemResult => ({
  action,
  _index: index,
  _id: id,
  status,
  error: { type, reason },
});

/** How the event store prepares documents (the embedded store passes a worker-backed preparer). */
export interface EventStoreOptions {
  now?: () => number;
  preparer?: DocPreparer;
  /** A promise bulk writes wait for first, when there is one (see Checkpointer.writeGate). */
  writeGate?: () => Promise<void> | undefined;
  /** Plain rows stored before the first compression dictionary is built from them (default 2,000). */
  dictionaryAfter?: number;
  /** Ms between batches re-storing plain rows compressed, once there is a dictionary (default 200; 0: never). */
  recompressEveryMs?: number;
}

/** The embedded event store, with its storage upkeep (tests call it directly). */
export interface EmbeddedEventStore extends EventStore {
  /** Re-stores up to `limit` plain rows (fmt 0) compressed with the dictionary in use; returns how many. */
  recompress(limit: number): number;
  /** Stops the background upkeep. */
  close(): void;
}

/** Related events: rows read per chunk, and at most in all (see relatedEvents). */
const RELATED_CHUNK_ROWS = 2000;
const RELATED_SCAN_ROWS = 200_000;

/** Operations per part of a large bulk request (see bulk). */
const BULK_PART = 1024;
const FIRST_BULK_PART = 256;

/** Rows sampled for a dictionary: the newest plain ones. */
const DICTIONARY_SAMPLE_ROWS = 4000;

/** The reason of a per-item error for a source line that could not become a document. */
function describe(problem: PrepError): string {
  switch (problem.kind) {
    case 'invalid_utf8':
      return 'the source line is not valid UTF-8';
    case 'not_object':
      return `the source must be a JSON object, found ${problem.type}`;
    case 'malformed':
      return problem.message === 'malformed JSON' ? 'malformed JSON (the source line is not valid JSON)' : problem.message;
    case 'mapping':
      return problem.message;
  }
}

/** The event store over the `events` table. `afterWrite` runs once per committed bulk call with the number of operations. */
export function createEventStore(db: Db, afterWrite: (operations: number) => void, opts: EventStoreOptions = {}): EmbeddedEventStore {
  const now = opts.now ?? Date.now;
  const preparer = opts.preparer ?? createDocPreparer({ db, log: silentLogger, thread: false });
  // Lines arrive prepared (doc-prep.ts): checked and converted to JSONB with event.ingested set, their
  // @timestamp and stored columns worked out. The insert only copies them into the row.
  const stored = STORED_NAMES.join(', ');
  const storedParams = STORED_NAMES.map(() => '?').join(', ');
  const insert = db.prepare<unknown[]>(`INSERT INTO events (idx, id, explicit_id, ingested, ts, fmt, doc, ${stored}) VALUES (?, ?, ?, ?, ?, ?, ?, ${storedParams})`);
  const replace = db.prepare<unknown[]>(`UPDATE events SET ingested = ?, ts = ?, fmt = ?, doc = ?, ${STORED_NAMES.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`);
  const findExplicit = db.prepare<[string, string], { seq: number }>('SELECT seq FROM events WHERE idx = ? AND id = ? AND explicit_id = 1');
  const addIndex = db.prepare('INSERT OR IGNORE INTO event_indices (name) VALUES (?)');
  const exceptionMatcher = createMatcherCache();

  // Stored documents (doc-codec.ts): compressed with the newest dictionary; the first is built from the
  // store's own first rows, which are then re-stored compressed in the background with any older plain rows.
  const decoder = registerDocFunctions(db);
  const newestDictionary = db.prepare<[], { id: number; dict: Buffer }>('SELECT id, dict FROM doc_dictionaries ORDER BY id DESC LIMIT 1');
  const dictionaryAfter = opts.dictionaryAfter ?? 2000;
  const NOT_PLAIN_INDEX = `idx NOT GLOB '${PLAIN_INDEX_PREFIX}*'`;
  let plainStored = 0;
  let compressor: DocCompressor | null = null;
  {
    const newest = newestDictionary.get();
    if (newest) {
      compressor = new DocCompressor(newest.id, newest.dict);
      if (preparer.dictionaryId !== newest.id) preparer.useDictionary(newest.id, newest.dict);
    } else if (Number.isFinite(dictionaryAfter)) {
      plainStored = db.prepare<[number], number>(`SELECT count(*) FROM (SELECT 1 FROM events WHERE fmt = 0 AND ${NOT_PLAIN_INDEX} LIMIT ?)`).pluck().get(dictionaryAfter) ?? 0;
    }
  }

  /** Builds the first dictionary from the newest plain rows, once there are enough of them. */
  function maybeBuildDictionary(): void {
    if (compressor !== null || plainStored < dictionaryAfter) return;
    const samples = db.prepare<[number], Buffer>(`SELECT doc FROM events WHERE fmt = 0 AND ${NOT_PLAIN_INDEX} ORDER BY seq DESC LIMIT ?`).pluck().all(DICTIONARY_SAMPLE_ROWS);
    const dict = buildDictionary(samples);
    if (dict.length < 1024) return;
    const id = Number(db.prepare('INSERT INTO doc_dictionaries (created_at, samples, dict) VALUES (?, ?, ?)').run(now(), samples.length, dict).lastInsertRowid);
    decoder.add(id, dict);
    compressor = new DocCompressor(id, dict);
    preparer.useDictionary(id, dict);
    startRecompressing();
  }

  const plainRows = db.prepare<[number, number], { seq: number; doc: Buffer }>(
    `SELECT seq, doc FROM events WHERE seq > ? AND fmt = 0 AND ${NOT_PLAIN_INDEX} ORDER BY seq LIMIT ?`,
  );
  const restore = db.prepare<[number, Buffer, number]>('UPDATE events SET fmt = ?, doc = ? WHERE seq = ? AND fmt = 0');
  let recompressFrom = 0;
  const recompressTx = db.transaction((limit: number): number => {
    if (compressor === null) return 0;
    const rows = plainRows.all(recompressFrom, limit);
    for (const r of rows) {
      const frame = compressor.compress(r.doc);
      if (frame.length < r.doc.length) restore.run(compressor.id, frame, r.seq);
    }
    const last = rows.at(-1);
    if (last) recompressFrom = last.seq;
    return rows.length;
  });
  const recompressEveryMs = opts.recompressEveryMs ?? 200;
  let recompressTimer: NodeJS.Timeout | null = null;
  function startRecompressing(): void {
    if (recompressEveryMs <= 0 || recompressTimer !== null) return;
    // small batches between requests: ~500 rows cost a few ms of this thread; a gated write waits its turn
    recompressTimer = setInterval(() => {
      if (opts.writeGate?.() !== undefined) return;
      if (recompressTx.immediate(500) === 0 && recompressTimer !== null) {
        clearInterval(recompressTimer);
        recompressTimer = null;
      }
    }, recompressEveryMs);
    recompressTimer.unref();
  }
  if (compressor !== null) startRecompressing();
  const knownIndices = new Set(db.prepare<[], { name: string }>('SELECT name FROM event_indices').all().map((r) => r.name));

  const bulkTx = db.transaction((ops: BulkOperation[], docs: PreparedDocs, ingestedAt: number): BulkItemResult[] => {
    const results: BulkItemResult[] = new Array<BulkItemResult>(ops.length);
    const nextId = idGenerator(ops.length);
    // index names repeat: each distinct one is checked once per request
    const names = new Map<string, { error: string | null; dataStream: boolean }>();
    const row: unknown[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as BulkOperation; // i < length
      let name = names.get(op.index);
      if (name === undefined) {
        name = { error: indexNameError(op.index), dataStream: isDataStreamName(op.index) };
        names.set(op.index, name);
      }
      if (name.error !== null) {
        results[i] = err(op.action, op.index, op.id ?? null, 400, 'invalid_index_name_exception', `Invalid index name [${op.index}], ${name.error}`);
        continue;
      }
      const dataStream = name.dataStream;
      if (dataStream && op.action !== 'create') {
        results[i] = err(op.action, op.index, op.id ?? null, 400, 'illegal_argument_exception',
          `only write ops with an op_type of create are allowed in data streams`);
        continue;
      }
      if (op.id !== undefined && Buffer.byteLength(op.id, 'utf8') > 512) {
        results[i] = err(op.action, op.index, op.id, 400, 'illegal_argument_exception',
          `id [${op.id.slice(0, 64)}...] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(op.id, 'utf8')}`);
        continue;
      }
      const problem = docs.errors[i] ?? null;
      if (problem !== null) {
        const reason = problem.kind === 'mapping' ? problem.message : `failed to parse: ${describe(problem)}`;
        results[i] = err(op.action, op.index, op.id ?? null, 400, 'document_parsing_exception', `[${op.line}:1] ${reason}`);
        continue;
      }
      const tsState = docs.tsState[i] as number; // i < count
      if (dataStream && tsState !== TS_OK) {
        results[i] = err(op.action, op.index, op.id ?? null, 400, 'document_parsing_exception',
          tsState === TS_MISSING ? `[${op.line}:1] data stream timestamp field [@timestamp] is missing` : `[${op.line}:1] failed to parse field [@timestamp] of type [date]`);
        continue;
      }
      const id = op.id ?? nextId();
      const existing = op.id !== undefined ? findExplicit.get(op.index, op.id) : undefined;
      if (existing && op.action === 'create') {
        results[i] = err(op.action, op.index, id, 409, 'version_conflict_engine_exception',
          `[${id}]: version conflict, document already exists (current version [1])`);
        continue;
      }
      const ts = tsState === TS_OK ? docs.ts[i] : null;
      const cols = docs.columns;
      const base = i * STORED_WIDTH;
      const fmt = docs.formats[i] as number; // i < count
      if (fmt === DOC_PLAIN && compressibleIndex(op.index)) plainStored++;
      if (existing) {
        row.length = 4 + STORED_WIDTH + 1;
        row[0] = ingestedAt;
        row[1] = ts;
        row[2] = fmt;
        row[3] = preparedDoc(docs, i);
        for (let k = 0; k < STORED_WIDTH; k++) row[4 + k] = cols[base + k];
        row[4 + STORED_WIDTH] = existing.seq;
        replace.run(...row);
      } else {
        row.length = 7 + STORED_WIDTH;
        row[0] = op.index;
        row[1] = id;
        row[2] = op.id === undefined ? 0 : 1;
        row[3] = ingestedAt;
        row[4] = ts;
        row[5] = fmt;
        row[6] = preparedDoc(docs, i);
        for (let k = 0; k < STORED_WIDTH; k++) row[7 + k] = cols[base + k];
        insert.run(...row);
      }
      if (!knownIndices.has(op.index)) {
        addIndex.run(op.index);
        knownIndices.add(op.index);
      }
      results[i] = { action: op.action, _index: op.index, _id: id, status: existing ? 200 : 201, result: existing ? 'updated' : 'created' };
    }
    return results;
  });

  /** SQL for the run window's time expression and its bound parameters. */
  function windowSql(override: string | null): { expr: string; params: string[] } {
    if (override === 'event.ingested') return { expr: 'coalesce(ingested, ts)', params: [] };
    if (override === null || override === '@timestamp') return { expr: 'ts', params: [] };
    const path = jsonPath(override);
    return { expr: `coalesce(${epochMsSql(D, '?')}, ts)`, params: [path, path, path, path] };
  }

  function matchingIndices(patterns: string[]): string[] {
    const isMatch = indexMatcher(patterns);
    return [...knownIndices].filter(isMatch);
  }

  const fetchFull = (seqs: number[]): Map<number, FullRow> => {
    const out = new Map<number, FullRow>();
    for (let i = 0; i < seqs.length; i += 500) {
      const chunk = seqs.slice(i, i + 500);
      const rows = db
        .prepare<number[], FullRow>(`SELECT seq, idx, id, json(${D}) AS doc FROM events WHERE seq IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk);
      for (const r of rows) out.set(r.seq, r);
    }
    return out;
  };

  /** Reads whole documents by seq; the statement is prepared on first use, as most runs never need it. */
  function wholeDocReader(): (seq: number) => Doc {
    const prepare = () => db.prepare<[number], { doc: string }>(`SELECT json(${D}) AS doc FROM events WHERE seq = ?`);
    let stmt: ReturnType<typeof prepare> | null = null;
    return (seq) => parseDoc((stmt ??= prepare()).get(seq)?.doc ?? '{}');
  }

  function searchEventRule(
    req: RuleSearchRequest,
    compiled: { matches(doc: object): boolean; fields: string[]; prefilter: Prefilter },
    matcher: ExceptionMatcher,
    indices: string[],
  ): RuleSearchResult {
    const win = windowSql(req.timestampOverride);
    const where = prefilterToSql(compiled.prefilter, D);
    // One pass reads the rule's fields (an object for the rule) and the exceptions' (a flat array, parsed
    // only for the rule's matches) of the rows the SQL pre-filter keeps. A second pass fetching exception
    // fields by seq for the rows the rule matched was measured slower here (~5 µs per row lookup), as the
    // seed rule's pre-filter already keeps little more than its matches.
    const proj = leanProjectionSql(compiled.fields, D);
    const values = matcher.active > 0 ? leanValuesSql(matcher.valueFields, D) : null;
    // `v` is text in every run (empty without exceptions): rows keep one shape, which V8 optimizes once.
    const sql = `SELECT seq, ${proj.sql} AS p, ${values?.sql ?? "''"} AS v FROM events
      WHERE ${win.expr} >= ? AND ${win.expr} < ? AND idx IN (${indices.map(() => '?').join(',')}) AND (${where.sql})
      ORDER BY ${win.expr}, seq`;
    const stmt = db.prepare<unknown[], { seq: number; p: string; v: string }>(sql);
    const params = [
      ...proj.params, ...(values?.params ?? []),
      ...win.params, req.window.from, ...win.params, req.window.to, ...indices, ...where.params, ...win.params,
    ];
    let total = 0;
    let suppressed = 0;
    const suppressedByItem: Record<string, number> = {};
    const hits: number[] = [];
    const suppressedSeqs: number[] = [];
    const sampleWanted = req.suppressedSample ?? 0;
    const readWhole = wholeDocReader();
    for (const row of stmt.iterate(...params)) {
      // Rare: objects inside arrays hold a field, which only the whole document shows.
      const whole = proj.hidesValues(row.p) ? readWhole(row.seq) : null;
      const doc = whole ?? parseDoc(row.p);
      if (!compiled.matches(doc)) continue;
      let itemId: string | null = null;
      if (values !== null) {
        itemId = values.hidesValues(row.v)
          ? matcher.match(whole ?? readWhole(row.seq))
          : matcher.matchValues(JSON.parse(row.v) as unknown[]); // the text of a json_array()
      }
      if (itemId !== null) {
        suppressed++;
        suppressedByItem[itemId] = (suppressedByItem[itemId] ?? 0) + 1;
        if (suppressedSeqs.length < sampleWanted) suppressedSeqs.push(row.seq);
        continue;
      }
      total++;
      if (hits.length < req.size) hits.push(row.seq);
    }
    const full = fetchFull([...hits, ...suppressedSeqs]);
    const pick = (seqs: number[]) => seqs.flatMap((s) => {
      const r = full.get(s);
      return r ? [toHit(r)] : [];
    });
    return { events: pick(hits), sequences: [], total, suppressed, suppressedByItem, suppressedEvents: pick(suppressedSeqs), partial: null };
  }

  function searchSequenceRule(
    req: RuleSearchRequest,
    compiled: { prefilter: Prefilter },
    matcher: ExceptionMatcher,
    indices: string[],
  ): RuleSearchResult {
    const win = windowSql(req.timestampOverride);
    const where = prefilterToSql(compiled.prefilter, D);
    const sql = `SELECT seq, idx, id, json(${D}) AS doc FROM events
      WHERE ${win.expr} >= ? AND ${win.expr} < ? AND idx IN (${indices.map(() => '?').join(',')}) AND (${where.sql})
      ORDER BY ${win.expr}, seq`;
    const rows = db
      .prepare<unknown[], FullRow>(sql)
      .iterate(...win.params, req.window.from, ...win.params, req.window.to, ...indices, ...where.params, ...win.params);
    const suppressedByItem: Record<string, number> = {};
    const suppressedEvents: EventHit[] = [];
    let suppressed = 0;
    // Candidates stream into the sequence matcher; exception matches are taken out (and counted) on the way.
    function* candidates(): Generator<EventHit> {
      for (const r of rows) {
        const hit = toHit(r);
        const itemId = matcher.match(hit._source);
        if (itemId === null) {
          yield hit;
          continue;
        }
        suppressed++;
        suppressedByItem[itemId] = (suppressedByItem[itemId] ?? 0) + 1;
        if (suppressedEvents.length < (req.suppressedSample ?? 0)) suppressedEvents.push(hit);
      }
    }
    // Rows come in window-time order, so the matcher keeps only live partial sequences, not the candidates.
    const res = search(
      candidates(),
      { query: req.query, size: req.size, timestamp_field: req.timestampOverride ?? '@timestamp', result_position: 'head' },
      { ordered: true },
    );
    const asHits = (events: EqlEvent[]): EventHit[] =>
      events.flatMap((e) => (e.missing === true ? [] : [{ _index: e._index ?? '', _id: e._id ?? '', _source: e._source }]));
    return {
      events: asHits(res.events ?? []),
      sequences: (res.sequences ?? []).map((s) => ({ join_keys: s.join_keys, events: asHits(s.events) })),
      total: res.total.value,
      suppressed,
      suppressedByItem,
      suppressedEvents,
      partial: null,
    };
  }

  const empty = (): RuleSearchResult => ({ events: [], sequences: [], total: 0, suppressed: 0, suppressedByItem: {}, suppressedEvents: [], partial: null });

  // The session index is keyed by the entry leader's start, then its id. With the start known the lookup
  // is two index searches (events of the session that lack a start are included); without, the whole
  // index is scanned (still without reading documents, but it grows with the store).
  const sessionWhere = `AND (json_type(${D}, '$.event.category') IS NULL OR EXISTS (SELECT 1 FROM json_each(${D}, '$.event.category') WHERE value = 'process'))
    ORDER BY ts, seq LIMIT ?`;
  const sessionByStart = db.prepare<[string | number, string, number], FullRow>(`
    SELECT seq, idx, id, json(${D}) AS doc FROM events
    WHERE (g_leader_start = ? OR g_leader_start IS NULL) AND g_leader_id = ? ${sessionWhere}`);
  const sessionById = db.prepare<[string, number], FullRow>(`
    SELECT seq, idx, id, json(${D}) AS doc FROM events INDEXED BY events_entry_leader
    WHERE g_leader_id = ? ${sessionWhere}`);

  const factsColumns = `${D} ->> '$.process.entity_id' AS entity_id, ${D} ->> '$.process.parent.entity_id' AS parent_entity_id,
    ${D} ->> '$.process.name' AS name, ${D} ->> '$.process.executable' AS executable, json(${D} -> '$.process.args') AS args,
    ${D} ->> '$.process.working_directory' AS working_directory, coalesce(${D} ->> '$.process.start', ${D} ->> '$."@timestamp"') AS start`;
  const factsByStart = db.prepare<[string | number, string, number], FactsRow>(`
    SELECT ${factsColumns} FROM events
    WHERE (g_leader_start = ? OR g_leader_start IS NULL) AND g_leader_id = ? ${sessionWhere}`);
  const factsById = db.prepare<[string, number], FactsRow>(`
    SELECT ${factsColumns} FROM events INDEXED BY events_entry_leader
    WHERE g_leader_id = ? ${sessionWhere}`);
  const sizeByStart = db.prepare<[string | number, string], { n: number }>('SELECT count(*) AS n FROM events WHERE (g_leader_start = ? OR g_leader_start IS NULL) AND g_leader_id = ?');
  const sizeById = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM events INDEXED BY events_entry_leader WHERE g_leader_id = ?');

  return {
    async bulk(ops, ingestedAt) {
      if (ops.length === 0) return [];
      const ingested = new Date(ingestedAt).toISOString();
      // A large request is stored in parts, each its own transaction: the next part is prepared (on the
      // preparation thread) while this one is inserted, so one connection keeps both threads busy.
      // (Elasticsearch's bulk requests are not atomic either; an acknowledged request is stored whole.)
      // (the first part is small, so the insert thread starts soon)
      const ends: number[] = [];
      if (ops.length < 2 * BULK_PART) ends.push(ops.length);
      else for (let end = FIRST_BULK_PART; ; end = Math.min(end + BULK_PART, ops.length)) {
        ends.push(end);
        if (end === ops.length) break;
      }
      const prepare = (from: number, to: number): Promise<PreparedDocs> => {
        const part = from === 0 && to === ops.length ? ops : ops.slice(from, to);
        let mask: Uint8Array | undefined;
        if (preparer.dictionaryId !== null) {
          mask = new Uint8Array(part.length);
          for (let i = 0; i < part.length; i++) mask[i] = compressibleIndex((part[i] as BulkOperation).index) ? 1 : 0; // i < length
        }
        const prepared = preparer.prepare(part.map((op) => op.source), ingested, mask);
        // awaited in turn; should an earlier part fail first, this one's failure is not left unhandled
        prepared.catch(() => undefined);
        return prepared;
      };
      const results: BulkItemResult[] = [];
      let next = prepare(0, ends[0] as number); // ends holds at least ops.length
      for (let k = 0, from = 0; k < ends.length; from = ends[k] as number, k++) {
        const to = ends[k] as number; // k < length
        const docs = await next;
        if (k + 1 < ends.length) next = prepare(to, ends[k + 1] as number);
        for (let gate = opts.writeGate?.(); gate; gate = opts.writeGate?.()) await gate;
        const stored = bulkTx.immediate(from === 0 && to === ops.length ? ops : ops.slice(from, to), docs, ingestedAt);
        for (const r of stored) results.push(r);
      }
      afterWrite(ops.length);
      maybeBuildDictionary();
      return results;
    },

    recompress(limit) {
      return recompressTx.immediate(limit);
    },

    close() {
      if (recompressTimer !== null) clearInterval(recompressTimer);
      recompressTimer = null;
    },

    async searchRule(req) {
      const compiled = compile(req.query);
      const matcher = exceptionMatcher(req.exceptions, now());
      const indices = matchingIndices(req.index);
      if (indices.length === 0 || req.window.to <= req.window.from) return empty();
      if (compiled.kind === 'event') return searchEventRule(req, compiled, matcher, indices);
      return searchSequenceRule(req, compiled, matcher, indices);
    },

    async sessionEvents(entryLeaderEntityId, limit, entryLeaderStart) {
      const rows = entryLeaderStart === undefined
        ? sessionById.all(entryLeaderEntityId, limit + 1)
        : sessionByStart.all(entryLeaderStart, entryLeaderEntityId, limit + 1);
      return { events: rows.slice(0, limit).map(toHit), truncated: rows.length > limit };
    },

    async sessionProcesses(entryLeaderEntityId, limit, entryLeaderStart) {
      const rows = entryLeaderStart === undefined ? factsById.all(entryLeaderEntityId, limit + 1) : factsByStart.all(entryLeaderStart, entryLeaderEntityId, limit + 1);
      return { processes: rows.slice(0, limit).map(toFacts), truncated: rows.length > limit };
    },

    async sessionSize(entryLeaderEntityId, entryLeaderStart) {
      const row = entryLeaderStart === undefined ? sizeById.get(entryLeaderEntityId) : sizeByStart.get(entryLeaderStart, entryLeaderEntityId);
      return row?.n ?? 0;
    },

    async relatedEvents(field, value, range, limit) {
      // Any field may be asked for, so no index decides the match: the range's events are read newest first
      // along the time index, in chunks with the event loop free between them (other requests go on), and
      // at most RELATED_SCAN_ROWS of them (total is then a lower bound, relation 'gte').
      const path = jsonPath(field);
      const chunk = db.prepare<unknown[], { seq: number; ts: number; m: number }>(`
        SELECT seq, ts, EXISTS (SELECT 1 FROM json_each(${D}, ?) WHERE (CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(value AS TEXT) END) = ?) AS m
        FROM events INDEXED BY events_ts
        WHERE ts >= ? AND ts <= ? AND NOT (ts = ? AND seq >= ?)
        ORDER BY ts DESC, seq DESC LIMIT ?`);
      const hits: number[] = [];
      let total = 0;
      let scanned = 0;
      let upperTs = range.to;
      let upperSeq = Number.MAX_SAFE_INTEGER;
      for (;;) {
        const rows = chunk.all(path, value, range.from, upperTs, upperTs, upperSeq, Math.min(RELATED_CHUNK_ROWS, RELATED_SCAN_ROWS - scanned));
        for (const r of rows) {
          if (r.m !== 1) continue;
          total++;
          if (hits.length < limit) hits.push(r.seq);
        }
        scanned += rows.length;
        const last = rows.at(-1);
        if (last === undefined || rows.length < RELATED_CHUNK_ROWS || scanned >= RELATED_SCAN_ROWS) {
          const full = fetchFull(hits);
          const events = hits.flatMap((s) => {
            const r = full.get(s);
            return r ? [toHit(r)] : [];
          });
          return { total, events, relation: last !== undefined && scanned >= RELATED_SCAN_ROWS ? 'gte' : 'eq' };
        }
        upperTs = last.ts;
        upperSeq = last.seq;
        await new Promise((r) => setImmediate(r));
      }
    },

    async count() {
      return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n ?? 0;
    },
  };
}
