import type { Logger } from '../../log';
import type { Store } from '../ports';
import path from 'node:path';
import { createCheckpointer } from './checkpointer';
import { DB_FILE, openDatabase } from './db';
import { createAlertStore } from './alerts';
import { createAuditLog, createSettingsStore } from './audit';
import { createEventStore } from './events';
import { createExceptionStore } from './exceptions';
import { createExecutionLog, createRuleStore } from './rules';
import { createChecklistStore, createNoteStore } from './triage';
import { createUserStore } from './users';

export { DB_FILE } from './db';

/**
 * The embedded store: one SQLite file `<dataDir>/execwatch.sqlite` (WAL) behind every store port.
 * The file is opened and migrated at creation; `init()` has nothing left to wait for.
 */
export function createEmbeddedStore(opts: { dataDir: string; log: Logger; now?: () => number }): Store {
  const db = openDatabase(opts.dataDir, opts.log);
  // Checkpoints run on a worker thread after each committed bulk call, so no client waits for WAL pages
  // to be copied into the main file (see checkpointer.ts).
  const checkpointer = createCheckpointer(db, path.join(opts.dataDir, DB_FILE), opts.log);
  let closed = false;
  const scheduleCheckpoint = () => checkpointer.request();
  return {
    kind: 'embedded',
    events: createEventStore(db, scheduleCheckpoint, opts.now),
    alerts: createAlertStore(db),
    rules: createRuleStore(db),
    executions: createExecutionLog(db),
    exceptions: createExceptionStore(db),
    checklists: createChecklistStore(db),
    notes: createNoteStore(db),
    users: createUserStore(db),
    audit: createAuditLog(db),
    settings: createSettingsStore(db),
    async init() {},
    async close() {
      if (closed) return;
      closed = true;
      await checkpointer.close();
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
    },
  };
}
