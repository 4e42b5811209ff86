import type { Worker } from 'node:worker_threads';

/**
 * Asks one of the store's worker threads to close its SQLite connection (the 'close' message) and waits
 * for it to exit. The worker is ref'd meanwhile: an unref'd worker would let the process end while this
 * still waits for it.
 */
export async function closeWorker(w: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
  w.ref();
  w.postMessage('close');
  await exited;
}
