import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from '../../log';
import { closeWorker } from './close-worker';
import { DocCompressor } from './doc-codec';
import { createDocPrep, unpackColumns, type PackedColumns, type PreparedDocs, type SourceLine } from './doc-prep';

export interface DocPreparer {
  /**
   * Prepares `sources` for storage (see doc-prep.ts), `ingested` being the ingest time (ISO); results in input order.
   * With a dictionary in use (useDictionary), the documents `compress` marks (1) are stored compressed with it.
   */
  prepare(sources: readonly SourceLine[], ingested: string, compress?: Uint8Array): Promise<PreparedDocs>;
  /** Compresses with dictionary `id` (its bytes `dict`) from the next prepare call on. */
  useDictionary(id: number, dict: Uint8Array): void;
  /** The dictionary in use, or null. */
  readonly dictionaryId: number | null;
  /** Stops the thread; later calls prepare on the calling thread. */
  close(): Promise<void>;
}

export interface DocPreparerOptions {
  /** Connection for preparing on the calling thread (small batches, or when the thread is unavailable). */
  db: Database.Database;
  log: Logger;
  /** Batches smaller than this are prepared on the calling thread: a round trip costs more than they do. */
  inlineBelow?: number;
  /** False: never start a thread. */
  thread?: boolean;
  /** The worker module (tests substitute one that fails). */
  workerEntry?: URL;
}

type Reply = { id: number; out: Omit<PreparedDocs, 'columns'>; packed: PackedColumns } | { id: number; error: string } | { ready: true };

/** What a pending batch needs to be prepared again on this thread. */
interface Pending {
  sources: readonly SourceLine[];
  ingested: string;
  compress: Uint8Array | undefined;
  dictId: number | null;
  overwritten: Int32Array;
  resolve: (p: PreparedDocs) => void;
  reject: (e: Error) => void;
}

/**
 * The preparation thread stopped after it had begun writing documents over a request's body, so the body
 * is gone and the request cannot be stored: the client should send it again (HTTP 503).
 */
export class PreparationLostError extends Error {
  constructor() {
    super('the document preparation thread stopped while preparing this request; send it again');
    this.name = 'PreparationLostError';
  }
}

/**
 * The worker is TypeScript like the rest of the server: a small CommonJS bootstrap registers the same
 * TypeScript loader the server runs under, then imports it.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.loader).then((m) => { m.register(); return import(workerData.entry); });
`;

/**
 * Validating a source line, converting it to JSONB and reading its indexed fields out is about half of
 * what storing an event costs; it reads no table, so a worker thread does it with an in-memory connection
 * while the request thread receives bodies and inserts rows. Sources reach the worker shared (request
 * bodies are read into shared memory) or copied, never moved, so when the worker dies the batches it held
 * are prepared here instead. The one exception: a body the worker had begun writing documents over is
 * gone, and its request fails with PreparationLostError (answered 503) for the client to send again.
 */
export function createDocPreparer(opts: DocPreparerOptions): DocPreparer {
  const inline = createDocPrep(opts.db);
  const inlineBelow = opts.inlineBelow ?? 256;
  let worker: Worker | null = null;
  let failed = opts.thread === false;
  let closed = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  // dictionaries by id, and this thread's compressor for each (the worker keeps its own)
  const dictionaries = new Map<number, Uint8Array>();
  const compressors = new Map<number, DocCompressor>();
  let dictId: number | null = null;

  const runInline = (sources: readonly SourceLine[], ingested: string, compress?: Uint8Array, dict: number | null = dictId): PreparedDocs => {
    if (compress === undefined || dict === null) return inline(sources, ingested);
    let compressor = compressors.get(dict);
    if (compressor === undefined) {
      compressor = new DocCompressor(dict, dictionaries.get(dict) as Uint8Array); // every id in use was given to useDictionary
      compressors.set(dict, compressor);
    }
    return inline(sources, ingested, undefined, { mask: compress, compressor });
  };

  /** The worker is gone: what it held is prepared here. */
  const abandon = (reason: string) => {
    if (!failed && !closed) opts.log.warn('document preparation thread stopped; preparing on the request thread', { reason });
    failed = true;
    worker = null;
    for (const [id, p] of pending) {
      pending.delete(id);
      if (Atomics.load(p.overwritten, 0) === 1) {
        p.reject(new PreparationLostError());
        continue;
      }
      try {
        p.resolve(runInline(p.sources, p.ingested, p.compress, p.dictId));
      } catch (e) {
        p.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
  };

  const start = (): Worker | null => {
    if (worker || failed || closed) return worker;
    try {
      const entry = (opts.workerEntry ?? new URL('./doc-prep.worker.ts', import.meta.url)).href;
      const loader = import.meta.resolve('tsx/esm/api');
      // SQLite hands each document back as a Buffer of its own (memory outside V8's heap, freed when the
      // young generation is collected); a small young generation collects them every few MB of documents
      // instead of letting ~50 MB pile up (peak RSS measured 410 MB with the default, 365 MB with this).
      const w = new Worker(BOOTSTRAP, { eval: true, workerData: { entry, loader }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      w.unref();
      // the worker compresses with the same dictionaries (messages arrive in order: before any batch using them)
      for (const [id, dict] of dictionaries) w.postMessage({ dictionary: { id, dict } });
      w.on('message', (msg: Reply) => {
        if ('ready' in msg) return;
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if ('error' in msg) {
          // the statement itself failed (not one document): try once more here, where errors surface normally
          try {
            p.resolve(runInline(p.sources, p.ingested, p.compress, p.dictId));
          } catch (e) {
            p.reject(e instanceof Error ? e : new Error(String(e)));
          }
          return;
        }
        p.resolve({ ...msg.out, columns: unpackColumns(msg.packed) });
      });
      w.on('error', (e) => abandon(e.message));
      w.on('exit', (code) => {
        if (worker === w) abandon(`exited with code ${code}`);
      });
      worker = w;
    } catch (e) {
      abandon(e instanceof Error ? e.message : String(e));
    }
    return worker;
  };

  return {
    get dictionaryId() {
      return dictId;
    },
    useDictionary(id, dict) {
      dictionaries.set(id, dict);
      dictId = id;
      worker?.postMessage({ dictionary: { id, dict } });
    },
    prepare(sources, ingested, compress) {
      if (sources.length < inlineBelow || failed || closed) return Promise.resolve(runInline(sources, ingested, compress));
      const w = start();
      if (!w) return Promise.resolve(runInline(sources, ingested, compress));
      return new Promise<PreparedDocs>((resolve, reject) => {
        const id = nextId++;
        const overwritten = new Int32Array(new SharedArrayBuffer(4));
        const dict = compress === undefined ? null : dictId;
        pending.set(id, { sources, ingested, compress, dictId: dict, overwritten, resolve, reject });
        // a pending batch keeps the process alive until it is answered
        if (pending.size === 1) w.ref();
        w.postMessage({ id, sources, ingested, overwritten, compress, dictId: dict });
      }).finally(() => {
        if (pending.size === 0) worker?.unref();
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = null;
      if (!w) return;
      await closeWorker(w);
      // anything still waiting (none in normal use: the store closes after requests end) is prepared here
      abandon('closed');
    },
  };
}
