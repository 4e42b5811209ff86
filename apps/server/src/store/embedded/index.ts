import fs from 'node:fs';
import type { Logger } from '../../log';
import type { Store } from '../ports';
import path from 'node:path';
import { createCheckpointer } from './checkpointer';
import { DB_FILE, openDatabase, pageSize } from './db';
import { createDocPreparer } from './doc-prep-pool';
import { createAlertStore } from './alerts';
import { createAuditLog, createSettingsStore } from './audit';
import { createEventStore } from './events';
import { createKubeAuditStore } from './kube-audit';
import { createEmbeddedRetention } from './retention';
import { createExceptionStore } from './exceptions';
import { createExecutionLog, createRuleStore } from './rules';
import { createChecklistStore, createNoteStore } from './triage';
import { createNotificationStore } from './notifications';
import { createUserStore } from './users';

export { DB_FILE } from './db';

/** WAL size past which the WAL is brought back to its beginning (see checkpointer.ts). */
const WAL_RESTART_BYTES = 64 * 1024 * 1024;

/** Bulk operations between WAL checkpoints under sustained ingest (about 50 MB of WAL for cloud_defend events). */
const CHECKPOINT_EVERY_OPERATIONS = 15_000;

/**
 * The embedded store: one SQLite file `<dataDir>/execwatch.sqlite` (WAL) behind every store port.
 * The file is opened and migrated at creation; `init()` has nothing left to wait for.
 */
export function createEmbeddedStore(opts: {
  dataDir: string;
  log: Logger;
  now?: () => number;
  /** Plain rows before the first compression dictionary is built (see doc-codec.ts); Infinity: store documents plain. */
  dictionaryAfter?: number;
}): Store {
  const db = openDatabase(opts.dataDir, opts.log);
  // Checkpoints run on a worker thread, so no client waits for WAL pages to be copied into the main file
  // (see checkpointer.ts).
  // The checkpoint thread drops what it has written to the main file from the OS page cache (see
  // checkpointer.ts) through a descriptor of its own, closed only after SQLite's connections: closing any
  // descriptor of a file drops the process's POSIX locks on it, SQLite's included.
  const file = path.join(opts.dataDir, DB_FILE);
  const cacheFd = process.platform === 'linux' ? fs.openSync(file, 'r') : null;
  const checkpointer = createCheckpointer(db, file, opts.log, {
    restartFrames: Math.ceil(WAL_RESTART_BYTES / pageSize(db)),
    ...(cacheFd === null ? {} : { dropBehind: { fd: cacheFd } }),
  });
  // Source lines are checked and their indexed fields read out on a worker thread (doc-prep-pool.ts).
  const preparer = createDocPreparer({ db, log: opts.log });
  let closed = false;
  const retention = createEmbeddedRetention({ file, afterWrite: (rows) => scheduleCheckpoint(rows), writeGate: checkpointer.writeGate });
  // A checkpoint copies every page written since the last one into the main file; the pages at the end of
  // the indexes change with every bulk call, so checkpointing every few calls instead of after each copies
  // them far fewer times. An idle second also checkpoints, so a quiet store keeps a small WAL.
  let sinceCheckpoint = 0;
  let idle: NodeJS.Timeout | null = null;
  const checkpointNow = () => {
    sinceCheckpoint = 0;
    checkpointer.request();
  };
  const scheduleCheckpoint = (operations: number) => {
    sinceCheckpoint += operations;
    if (sinceCheckpoint >= CHECKPOINT_EVERY_OPERATIONS) checkpointNow();
    if (idle) idle.refresh();
    else {
      idle = setTimeout(() => {
        idle = null;
        if (!closed && sinceCheckpoint > 0) checkpointNow();
      }, 1000);
      idle.unref();
    }
  };
  const events = createEventStore(db, scheduleCheckpoint, {
    now: opts.now,
    preparer,
    writeGate: checkpointer.writeGate,
    ...(opts.dictionaryAfter === undefined ? {} : { dictionaryAfter: opts.dictionaryAfter }),
  });
  return {
    kind: 'embedded',
    events,
    kubeAudit: createKubeAuditStore(db),
    alerts: createAlertStore(db),
    rules: createRuleStore(db),
    executions: createExecutionLog(db),
    exceptions: createExceptionStore(db),
    checklists: createChecklistStore(db),
    notes: createNoteStore(db),
    notifications: createNotificationStore(db),
    users: createUserStore(db),
    audit: createAuditLog(db),
    settings: createSettingsStore(db),
    retention,
    async init() {},
    async close() {
      if (closed) return;
      closed = true;
      if (idle) clearTimeout(idle);
      events.close();
      await preparer.close();
      await checkpointer.close();
      retention.close();
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
        if (cacheFd !== null) fs.closeSync(cacheFd);
      }
    },
  };
}
