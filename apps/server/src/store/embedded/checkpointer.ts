import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../log';
import { closeWorker } from './close-worker';
import type { Db } from './db';

/**
 * The worker's source (plain CommonJS, so it runs without a TypeScript loader): its own connection to
 * the store file runs PASSIVE WAL checkpoints on request and answers with the WAL's frame counts. A
 * checkpoint copies WAL pages into the main file and syncs it; on its own thread that never holds up the
 * event loop (an ingest request waited ~55 ms per 5,160 events for it on the main thread).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
parentPort.on('message', (msg) => {
  if (msg === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ error: null, log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ error: e instanceof Error ? e.message : String(e), log: -1, checkpointed: -1 });
  }
});
`;

/** What `PRAGMA wal_checkpoint` reports: frames in the WAL, and how many of them are in the main file (-1: unknown). */
interface CheckpointResult {
  log: number;
  checkpointed: number;
}

export interface CheckpointerOptions {
  /**
   * WAL frames past which writers are held back briefly so that the WAL starts over from its beginning
   * (see `writeGate`). Default 1,024 (64 MB of 64 kB pages).
   */
  restartFrames?: number;
  /** Longest writers are held back, in ms, should a checkpoint take unusually long (default 2,000). */
  maxHoldMs?: number;
  /** The worker's source (tests substitute one that fails). */
  workerSource?: string;
}

export interface Checkpointer {
  /** Asks for a checkpoint soon; requests while one runs are folded into the next. */
  request(): void;
  /**
   * A promise for bulk writers to wait on before their next write, while the WAL is being brought back to
   * its beginning; undefined otherwise (the common case: write at once).
   */
  writeGate(): Promise<void> | undefined;
  /** Stops the worker (waits for a running checkpoint) and lets held-back writers go. */
  close(): Promise<void>;
}

/**
 * WAL checkpoints for the store at `file`, on a worker thread with its own connection. Falls back to
 * checkpointing on `db` after the current event-loop turn when the worker cannot start or stops.
 *
 * The WAL only starts over from its beginning (rewriting pages the OS already caches, instead of growing
 * the file into new ones) when a write begins while every frame in it is already in the main file. Under
 * sustained ingest a checkpoint never finishes before the next write has added frames, so the WAL would grow
 * until SQLite's own automatic checkpoint ran on the request thread, inside a commit, with its fsync.
 * Instead, once the WAL holds `restartFrames`, checkpoints run back to back until what is left is small,
 * and writers then wait (`writeGate`) for the one that copies the rest: 0-4 ms in a traced ingest run, and
 * never longer than `maxHoldMs`.
 */
export function createCheckpointer(db: Db, file: string, log: Logger, opts: CheckpointerOptions = {}): Checkpointer {
  const restartFrames = opts.restartFrames ?? 1024;
  const maxHoldMs = opts.maxHoldMs ?? 2000;
  let worker: Worker | null = null;
  let failed = false;
  let running = false;
  let wanted = false;
  let closed = false;
  let fallbackPending = false;
  // bringing the WAL back to its beginning: the checkpoints so far, and the gate once writers wait
  let draining = false;
  let passes = 0;
  let gate: { promise: Promise<void>; open: () => void; timer: NodeJS.Timeout } | null = null;

  const warn = (error: string) => log.warn('store checkpoint failed', { error });

  const openGate = () => {
    const g = gate;
    gate = null;
    draining = false;
    passes = 0;
    if (g) {
      clearTimeout(g.timer);
      g.open();
    }
  };

  /** After each checkpoint: decides whether to run another at once, and whether writers wait for it. */
  const checkpointed = (r: CheckpointResult) => {
    // nothing was written while the gate was closed: every frame is in the main file now (or the
    // checkpoint failed, and writers must not wait on it)
    if (gate || closed || r.log < 0) {
      openGate();
      return;
    }
    if (r.log >= restartFrames) draining = true;
    if (!draining) return;
    passes++;
    if (r.log - r.checkpointed <= restartFrames / 4 || passes >= 3) {
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      const timer = setTimeout(openGate, maxHoldMs);
      timer.unref();
      gate = { promise, open, timer };
    }
    request();
  };

  const fallback = () => {
    if (fallbackPending) return;
    fallbackPending = true;
    setImmediate(() => {
      fallbackPending = false;
      if (closed) return;
      let result: CheckpointResult = { log: -1, checkpointed: -1 };
      try {
        const [r] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
        if (r) result = { log: r.log, checkpointed: r.checkpointed };
      } catch (e) {
        warn(e instanceof Error ? e.message : String(e));
      }
      checkpointed(result);
    });
  };

  const start = (): Worker | null => {
    if (worker || failed) return worker;
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      const w = new Worker(opts.workerSource ?? WORKER_SOURCE, { eval: true, workerData: { driver, file } });
      w.unref();
      w.on('message', (msg: { error: string | null } & CheckpointResult) => {
        running = false;
        if (msg.error !== null) warn(msg.error);
        if (wanted && !closed) send();
        checkpointed(msg);
      });
      // the worker is gone (not closed by close()): checkpoints run on `db` from now on, and no writer waits
      const lost = (reason: string) => {
        if (worker !== w) return;
        warn(reason);
        failed = true;
        running = false;
        worker = null;
        openGate();
        if (wanted && !closed) send();
      };
      w.on('error', (e) => lost(e.message));
      w.on('exit', (code) => lost(`the checkpoint thread exited with code ${code}`));
      worker = w;
    } catch (e) {
      failed = true;
      warn(e instanceof Error ? e.message : String(e));
    }
    return worker;
  };

  function send(): void {
    const w = start();
    if (!w) {
      wanted = false;
      fallback();
      return;
    }
    wanted = false;
    running = true;
    w.postMessage('checkpoint');
  }

  function request(): void {
    if (closed) return;
    if (running) {
      wanted = true;
      return;
    }
    send();
  }

  return {
    request,
    writeGate: () => gate?.promise,
    async close() {
      closed = true;
      openGate();
      const w = worker;
      worker = null;
      if (w) await closeWorker(w);
    },
  };
}
