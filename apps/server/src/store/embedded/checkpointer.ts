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
 *
 * Page cache drop-behind (Linux): after each checkpoint, the pages the main file grew by, bar its last
 * `keepBytes`, are dropped from the OS page cache (posix_fadvise DONTNEED, through koffi). Appended pages
 * are almost all event documents, written once and seldom read again. Without this the page cache grows
 * by every event stored, and each new page costs the kernel a page it has to find and, in a VM whose free
 * memory goes back to the host (this one's does), a first touch: the checkpoint thread spent 6.5-10 us
 * per 3.5 kB event copying into new page cache, against 2.3-2.8 us once dropped pages are used again
 * (alternating ingest runs, 300k events twice: 42.1/34.8k -> 46.3/51.9k events/s). Each part of the file
 * is dropped once, shortly after it is appended: pages read back later (index pages, documents a rule run
 * looks at) stay cached like any other.
 */
const WORKER_SOURCE = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
let dropBehind = null;
if (workerData.dropBehind) {
  try {
    dropBehind = startDropBehind(workerData.dropBehind);
  } catch (e) {
    parentPort.postMessage({ warning: 'page cache drop-behind unavailable: ' + (e instanceof Error ? e.message : String(e)) });
  }
}
parentPort.on('message', (msg) => {
  if (msg === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let result;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    result = { error: null, log: r.log, checkpointed: r.checkpointed };
  } catch (e) {
    result = { error: e instanceof Error ? e.message : String(e), log: -1, checkpointed: -1 };
  }
  if (dropBehind && result.error === null) {
    try {
      dropBehind();
    } catch (e) {
      dropBehind = null;
      result.warning = 'page cache drop-behind stopped: ' + (e instanceof Error ? e.message : String(e));
    }
  }
  parentPort.postMessage(result);
});

/**
 * The function that drops from the OS page cache what the file (open as descriptor fd) grew by, up to its
 * last keepBytes, once a checkpoint has written it; it throws when the sync or the advice fails.
 */
function startDropBehind({ koffi, keepBytes, fd }) {
  const POSIX_FADV_DONTNEED = 4;
  const fadvise = require(koffi).load('libc.so.6').func('int posix_fadvise(int fd, int64_t offset, int64_t len, int advice)');
  let from = Math.max(0, fs.fstatSync(fd).size - keepBytes);
  return () => {
    const to = fs.fstatSync(fd).size - keepBytes;
    if (to < from) from = Math.max(0, to); // the file shrank (VACUUM)
    if (to <= from) return;
    // a checkpoint that leaves frames in the WAL does not sync the file, and dirty pages are not dropped
    fs.fdatasyncSync(fd);
    const rc = fadvise(fd, from, to - from, POSIX_FADV_DONTNEED);
    if (rc !== 0) throw new Error('posix_fadvise returned ' + rc);
    from = to;
  };
}
`;

/** What `PRAGMA wal_checkpoint` reports: frames in the WAL, and how many of them are in the main file (-1: unknown). */
interface CheckpointResult {
  log: number;
  checkpointed: number;
}

/** From the worker: a checkpoint's result, or only a warning. */
type WorkerMessage = { warning?: string } & ({ error: string | null } & CheckpointResult | Record<never, never>);

/**
 * The end of the store file drop-behind leaves in the page cache: at 1,000 events/s of 3.5 kB, the last five
 * minutes, what a rule's look-back reads. (The kernel still evicts it under memory pressure.) In the bench,
 * keeping 64 MB or 256 MB ingested no faster (45.2/51.3k and 51.3/47.4k events/s against 52.8/49.5k), and a
 * rule run over 200k events took 203-235 ms instead of 107-124 ms: it read the matching documents from disk.
 */
const DROP_BEHIND_KEEP_BYTES = 1024 * 1024 * 1024;

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
  /**
   * Page cache drop-behind (see WORKER_SOURCE), Linux only; none when absent. `fd`: a read-only descriptor of
   * the store file, which the caller closes only after every SQLite connection to the file in this process
   * (closing any descriptor of a file drops the process's POSIX locks on it, SQLite's among them).
   * `keepBytes`: the end of the file kept cached (default 1 GB). `ffiModule` replaces koffi (tests name one
   * that does not load).
   */
  dropBehind?: { fd: number; keepBytes?: number; ffiModule?: string };
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
      const require = createRequire(import.meta.url);
      const driver = require.resolve('better-sqlite3');
      const d = opts.dropBehind;
      const dropBehind = d === undefined || process.platform !== 'linux'
        ? null
        : { fd: d.fd, koffi: d.ffiModule ?? require.resolve('koffi'), keepBytes: d.keepBytes ?? DROP_BEHIND_KEEP_BYTES };
      const w = new Worker(opts.workerSource ?? WORKER_SOURCE, { eval: true, workerData: { driver, file, dropBehind } });
      w.unref();
      w.on('message', (msg: WorkerMessage) => {
        if (msg.warning) log.warn('store checkpoint thread', { warning: msg.warning });
        if (!('log' in msg)) return;
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
