/**
 * The document-preparation thread (see doc-prep-pool.ts): an in-memory SQLite connection validates source
 * lines, converts them to JSONB and reads their stored columns out, so the request thread only inserts them.
 */
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createDocPrep, packColumns, type SourceLine } from './doc-prep';

interface PrepRequest {
  id: number;
  sources: SourceLine[];
  ingested: string;
  overwritten: Int32Array;
}

const port = parentPort;
if (!port) throw new Error('doc-prep.worker.ts runs as a worker thread');

/** Documents not written over a shared body go to shared memory too: the request thread reads them there. */
const alloc = (bytes: number): Uint8Array<SharedArrayBuffer> => new Uint8Array(new SharedArrayBuffer(bytes));

const db = new Database(':memory:');
const prepare = createDocPrep(db, alloc);

port.on('message', (msg: PrepRequest | 'close') => {
  if (msg === 'close') {
    db.close();
    port.close();
    return;
  }
  try {
    const { columns, ...out } = prepare(msg.sources, msg.ingested, msg.overwritten);
    const packed = packColumns(columns);
    // the documents are in shared memory; the rest is moved
    port.postMessage({ id: msg.id, out, packed }, [out.docStarts.buffer, out.ts.buffer, out.tsState.buffer, packed.numbers.buffer, packed.kinds.buffer]);
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});
port.postMessage({ ready: true });
