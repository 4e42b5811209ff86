/**
 * The document-preparation thread (see doc-prep-pool.ts): an in-memory SQLite connection validates source
 * lines, converts them to JSONB and reads their stored columns out, so the request thread only inserts them.
 */
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { DocCompressor } from './doc-codec';
import { createDocPrep, packColumns, type SourceLine } from './doc-prep';

interface PrepRequest {
  id: number;
  sources: SourceLine[];
  ingested: string;
  overwritten: Int32Array;
  /** Which documents to compress, with dictionary `dictId` (sent before, see DictionaryMessage). */
  compress?: Uint8Array;
  dictId: number | null;
}

interface DictionaryMessage {
  dictionary: { id: number; dict: Uint8Array };
}

const port = parentPort;
if (!port) throw new Error('doc-prep.worker.ts runs as a worker thread');

/** Documents not written over a shared body go to shared memory too: the request thread reads them there. */
const alloc = (bytes: number): Uint8Array<SharedArrayBuffer> => new Uint8Array(new SharedArrayBuffer(bytes));

const db = new Database(':memory:');
const prepare = createDocPrep(db, alloc);
const compressors = new Map<number, DocCompressor>();

port.on('message', (msg: PrepRequest | DictionaryMessage | 'close') => {
  if (msg === 'close') {
    db.close();
    port.close();
    return;
  }
  if ('dictionary' in msg) {
    if (!compressors.has(msg.dictionary.id)) compressors.set(msg.dictionary.id, new DocCompressor(msg.dictionary.id, msg.dictionary.dict));
    return;
  }
  try {
    const compressor = msg.dictId === null ? undefined : compressors.get(msg.dictId);
    if (msg.compress !== undefined && msg.dictId !== null && compressor === undefined) throw new Error(`no dictionary ${msg.dictId} on the preparation thread`);
    const plan = msg.compress !== undefined && compressor !== undefined ? { mask: msg.compress, compressor } : null;
    const { columns, ...out } = prepare(msg.sources, msg.ingested, msg.overwritten, plan);
    const packed = packColumns(columns);
    // the documents are in shared memory; the rest is moved
    port.postMessage({ id: msg.id, out, packed }, [out.docStarts.buffer, out.ts.buffer, out.tsState.buffer, out.formats.buffer, packed.numbers.buffer, packed.kinds.buffer]);
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});
port.postMessage({ ready: true });
