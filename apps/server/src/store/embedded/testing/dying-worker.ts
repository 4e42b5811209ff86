/**
 * A document-preparation worker that writes half of its first batch's documents, then dies (for
 * doc-prep-pool tests): over a shared body, that half is written over the body.
 */
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createDocPrep, type SourceLine } from '../doc-prep';

const prepare = createDocPrep(new Database(':memory:'));
parentPort?.on('message', (msg: { sources: SourceLine[]; ingested: string; overwritten: Int32Array }) => {
  prepare(msg.sources.slice(0, Math.ceil(msg.sources.length / 2)), msg.ingested, msg.overwritten);
  process.exit(3);
});
