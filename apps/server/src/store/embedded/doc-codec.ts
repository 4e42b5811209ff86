/**
 * How event documents are stored (the `doc` and `fmt` columns of `events`, migration 12):
 * - `fmt = 0`: the document as SQLite JSONB, as every row written before migration 12 is, and as Kubernetes
 *   audit rows always are (the partial indexes of migration 8 read them with `doc ->> ...`).
 * - `fmt = N > 0`: the JSONB compressed as one zstd frame with dictionary N of `doc_dictionaries`. A
 *   dictionary is raw content (zstd's "raw content" mode): documents of the store itself, picked across the
 *   first rows it holds, so a new document compresses against fields and values it shares with them.
 *   A 3.4 kB cloud_defend event becomes ~270 bytes (level 3, 110 kB of samples), against ~2.9 kB as JSONB.
 *
 * SQL reads a document through `DOC_SQL`, which gives the JSONB whatever the row's format: plain rows
 * as they are, compressed ones through the deterministic function `ew_doc(doc, fmt)` registered on the
 * connection (registerDocFunctions). The function keeps its last answer, so the several field reads one
 * row's projection makes decompress it once.
 */
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import type * as Zstd from 'zstd-napi/binding';

const require = createRequire(import.meta.url);
const zstd = require('zstd-napi/binding') as typeof Zstd;

/** The format of a plain JSONB row. */
export const DOC_PLAIN = 0;

/** SQL giving the row's document as JSONB, whatever its format. */
export const DOC_SQL = `(CASE WHEN fmt = ${DOC_PLAIN} THEN doc ELSE ew_doc(doc, fmt) END)`;

/** Rows of these indexes stay plain: partial indexes on their documents read them in SQL (migration 8). */
export const PLAIN_INDEX_PREFIX = 'logs-kubernetes.audit_logs-';

/** Whether documents of index `idx` may be stored compressed. */
export const compressibleIndex = (idx: string): boolean => !idx.startsWith(PLAIN_INDEX_PREFIX);

/** The largest dictionary built (zstd's own trainer defaults to the same size). */
export const DICTIONARY_BYTES = 110 * 1024;

/** zstd level of stored documents: 3 (the default) halves what level 1 costs over the dictionary's ratio. */
const LEVEL = 3;

/**
 * A raw-content dictionary from sample documents: samples taken evenly over `samples` until `bytes`,
 * the later ones nearer the end (zstd reaches the end of a dictionary with the shortest offsets).
 */
export function buildDictionary(samples: readonly Uint8Array[], bytes = DICTIONARY_BYTES): Buffer {
  const picked: Uint8Array[] = [];
  let size = 0;
  if (samples.length === 0) return Buffer.alloc(0);
  // a stride coprime with most counts walks the samples without favouring one stretch of them
  const stride = samples.length > 97 ? 97 : 1;
  for (let k = 0, i = 0; k < samples.length && size < bytes; k++, i = (i + stride) % samples.length) {
    const s = samples[i] as Uint8Array; // i < length
    picked.push(s);
    size += s.length;
  }
  const dict = Buffer.concat(picked);
  return dict.length > bytes ? Buffer.from(dict.subarray(dict.length - bytes)) : dict;
}

/** Compresses documents with one dictionary (one per thread: the context is not shared). */
export class DocCompressor {
  private readonly cctx = new zstd.CCtx();
  private readonly cdict: Zstd.CDict;
  private scratch = Buffer.alloc(64 * 1024);

  constructor(
    readonly id: number,
    dict: Uint8Array,
  ) {
    if (!Number.isInteger(id) || id <= DOC_PLAIN) throw new Error(`a dictionary id is a positive integer, not ${id}`);
    this.cdict = new zstd.CDict(dict, LEVEL);
  }

  /** The compressed frame of `doc` (a view of a scratch buffer, valid until the next call). */
  compress(doc: Uint8Array): Buffer {
    const bound = zstd.compressBound(doc.length);
    if (this.scratch.length < bound) this.scratch = Buffer.alloc(Math.max(bound, this.scratch.length * 2));
    const n = this.cctx.compressUsingCDict(this.scratch, doc, this.cdict);
    return this.scratch.subarray(0, n);
  }
}

/** Decompresses stored documents with the dictionaries it was given. */
export class DocDecoder {
  private readonly dctx = new zstd.DCtx();
  private readonly ddicts = new Map<number, Zstd.DDict>();
  private readonly dictionaries = new Map<number, Uint8Array>();

  /** Makes dictionary `id` known. */
  add(id: number, dict: Uint8Array): void {
    this.dictionaries.set(id, dict);
  }

  /** The JSONB of a stored document of format `fmt`. */
  decode(doc: Uint8Array, fmt: number): Buffer {
    if (fmt === DOC_PLAIN) return Buffer.from(doc.buffer, doc.byteOffset, doc.length);
    let ddict = this.ddicts.get(fmt);
    if (ddict === undefined) {
      const bytes = this.dictionaries.get(fmt);
      if (bytes === undefined) throw new Error(`stored document format ${fmt}: no such dictionary`);
      ddict = new zstd.DDict(bytes);
      this.ddicts.set(fmt, ddict);
    }
    const size = zstd.getFrameContentSize(doc);
    if (size === null) throw new Error('stored document: a zstd frame without its content size');
    const out = Buffer.allocUnsafe(size);
    const n = this.dctx.decompressUsingDDict(out, doc, ddict);
    if (n !== size) throw new Error('stored document: shorter than its frame says');
    return out;
  }
}

/**
 * Registers `ew_doc(doc, fmt)` on `db` (any connection to a store file: tools and tests open their own),
 * with the dictionaries of its `doc_dictionaries` table; returns the decoder it uses, to which the store
 * adds each dictionary it makes later (a function cannot query its own connection while a query runs).
 */
export function registerDocFunctions(db: Database.Database): DocDecoder {
  const decoder = new DocDecoder();
  for (const r of db.prepare<[], { id: number; dict: Buffer }>('SELECT id, dict FROM doc_dictionaries').all()) decoder.add(r.id, r.dict);
  // The last document decoded: one row's field reads call the function again with the same bytes.
  let lastIn: Buffer | null = null;
  let lastFmt = -1;
  let lastOut: Buffer | null = null;
  db.function('ew_doc', { deterministic: true }, (doc: unknown, fmt: unknown) => {
    if (!Buffer.isBuffer(doc) || typeof fmt !== 'number') return null;
    if (lastOut !== null && fmt === lastFmt && lastIn !== null && lastIn.equals(doc)) return lastOut;
    const out = decoder.decode(doc, fmt);
    lastIn = doc;
    lastFmt = fmt;
    lastOut = out;
    return out;
  });
  return decoder;
}
