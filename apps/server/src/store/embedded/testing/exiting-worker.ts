/** A document-preparation worker that dies on its first batch (for doc-prep-pool tests). */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => process.exit(3));
