/**
 * Retention of the embedded store, as Elasticsearch's data stream lifecycle does it: what arrived longer ago
 * than the retention goes, oldest first, a batch per transaction. SQLite puts the freed pages on its free list
 * and the next writes take them from there, so a store fed at a steady rate stops growing once its oldest
 * events go as fast as new ones come.
 *
 * Events are deleted in arrival order (`seq`), by their arrival time (`event.ingested`, which the server sets),
 * as a lifecycle deletes backing indices by when they were written. Events of a session that an alert names
 * (`alerts.session_id`, the entry leader) stay while the alert does; when alerts go, so do the old events of
 * their sessions that no other alert names.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { RetentionBatch, RetentionPolicy, StoreRetention, StoreUsage } from '../ports';
import type { Db } from './db';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Below this many rows (by arrival sequence), the events are counted exactly. */
const EXACT_COUNT_ROWS = 1_000_000;
/** Rows read per step while looking for the end of what is old. */
const READ_STEP = 250;

interface EventRow {
  seq: number;
  t: number | null;
  leader: string | null;
}

interface AlertRow {
  id: string;
  session_id: string | null;
  leader_start: string | number | null;
}

export interface EmbeddedRetentionOptions {
  /** The store file (its size, and its WAL's, is the store's size). */
  file: string;
  /** Called with the rows a batch deleted (the store checkpoints after writes). */
  afterWrite?: (rows: number) => void;
  /** Writers wait on it while the WAL is brought back to its beginning (checkpointer.ts). */
  writeGate?: () => Promise<void> | undefined;
}

/**
 * The retention of the store at `opts.file`, on a connection of its own: readers that cache what they counted
 * until the file changes (the alert list's totals) see its deletions as another connection's commits.
 */
export function createEmbeddedRetention(opts: EmbeddedRetentionOptions): StoreRetention & { close(): void } {
  const db: Db = new Database(opts.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -8192');
  // Where the next event batch starts: every row before it is gone or kept as evidence. Kept rows are passed
  // over once per process; after a restart they are passed over again, a batch at a time.
  let cursor = 0;

  const nextEvents = db.prepare<[number, number], EventRow>(
    'SELECT seq, coalesce(ingested, ts) AS t, g_leader_id AS leader FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  const sessionKept = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM alerts WHERE session_id = ? LIMIT 1');
  const deleteEvent = db.prepare<[number]>('DELETE FROM events WHERE seq = ?');
  const deleteOldEvent = db.prepare<[number, number]>('DELETE FROM events WHERE seq = ? AND coalesce(ingested, ts) < ?');

  const oldAlerts = db.prepare<[number, number], AlertRow>(
    `SELECT id, session_id, doc ->> '$.process.entry_leader.start' AS leader_start FROM alerts INDEXED BY alerts_ts_id
     WHERE ts < ? ORDER BY ts LIMIT ?`,
  );
  const deleteAlert = db.prepare<[string]>('DELETE FROM alerts WHERE id = ?');
  const deleteChecklist = db.prepare<[string]>('DELETE FROM checklist_entries WHERE alert_id = ?');
  const deleteNotes = db.prepare<[string]>('DELETE FROM notes WHERE alert_id = ?');
  // The events of a released session, through the session index (as sessionEvents reads them).
  const sessionRowsByStart = db.prepare<[string | number, string, number, number, number], { seq: number }>(
    `SELECT seq FROM events WHERE (g_leader_start = ? OR g_leader_start IS NULL) AND g_leader_id = ? AND coalesce(ingested, ts) < ? AND seq <= ? LIMIT ?`,
  );
  const sessionRowsById = db.prepare<[string, number, number, number], { seq: number }>(
    `SELECT seq FROM events INDEXED BY events_entry_leader WHERE g_leader_id = ? AND coalesce(ingested, ts) < ? AND seq <= ? LIMIT ?`,
  );
  const ruleIds = db.prepare<[], { rule_id: string }>('SELECT DISTINCT rule_id FROM executions');
  const oldExecutions = db.prepare<[string, number, number], { id: string }>('SELECT id FROM executions WHERE rule_id = ? AND started_at < ? LIMIT ?');
  const deleteExecution = db.prepare<[string]>('DELETE FROM executions WHERE id = ?');

  /** Alerts older than the alert retention, with their triage records; and the old events of their sessions. */
  const alertBatch = db.transaction((cutoff: number, eventCutoff: number, limit: number): { alerts: number; events: number; full: boolean } => {
    const rows = oldAlerts.all(cutoff, limit);
    for (const r of rows) {
      deleteAlert.run(r.id);
      deleteChecklist.run(r.id);
      deleteNotes.run(r.id);
    }
    // Rows past the cursor are left to the event batches, which see that no alert keeps them any more.
    let events = 0;
    const released = new Map<string, string | number | null>();
    for (const r of rows) if (r.session_id !== null) released.set(r.session_id, r.leader_start);
    for (const [session, start] of released) {
      if (sessionKept.get(session)) continue;
      const budget = limit - events;
      const seqs = budget <= 0 ? [] : start === null ? sessionRowsById.all(session, eventCutoff, cursor, budget) : sessionRowsByStart.all(start, session, eventCutoff, cursor, budget);
      for (const s of seqs) deleteEvent.run(s.seq);
      events += seqs.length;
      // a batch's worth deleted: the event batches go over the rows again from the start (they find the
      // rest unkept), so that no transaction grows with the size of a session
      if (events >= limit) cursor = 0;
    }
    return { alerts: rows.length, events, full: rows.length === limit };
  });

  const executionBatch = db.transaction((cutoff: number, limit: number): number => {
    let n = 0;
    for (const { rule_id } of ruleIds.all()) {
      for (const { id } of oldExecutions.all(rule_id, cutoff, limit - n)) {
        deleteExecution.run(id);
        n++;
      }
      if (n >= limit) break;
    }
    return n;
  });

  /**
   * The old rows from the cursor, up to `limit`, read in small steps outside any transaction (most passes
   * find few): stops at the first young row, as rows arrive oldest first.
   */
  const oldRows = (cutoff: number, limit: number): { rows: EventRow[]; more: boolean } => {
    const rows: EventRow[] = [];
    let after = cursor;
    while (rows.length < limit) {
      const want = Math.min(READ_STEP, limit - rows.length);
      const step = nextEvents.all(after, want);
      for (const r of step) {
        if (r.t !== null && r.t >= cutoff) return { rows, more: false };
        rows.push(r);
      }
      if (step.length < want) return { rows, more: false };
      after = step[step.length - 1]?.seq ?? after;
    }
    return { rows, more: true };
  };

  /** Deletes the rows read unless an alert keeps their session; the time is checked again (a row may have been replaced since). */
  const eventBatch = db.transaction((rows: EventRow[], cutoff: number): number => {
    const kept = new Map<string, boolean>();
    let deleted = 0;
    for (const r of rows) {
      // a row without a time cannot age: it is passed over
      if (r.t === null) continue;
      if (r.leader !== null) {
        let keep = kept.get(r.leader);
        if (keep === undefined) kept.set(r.leader, (keep = sessionKept.get(r.leader) !== undefined));
        if (keep) continue;
      }
      deleted += deleteOldEvent.run(r.seq, cutoff).changes;
    }
    return deleted;
  });

  const waitForGate = async () => {
    for (let gate = opts.writeGate?.(); gate; gate = opts.writeGate?.()) await gate;
  };

  return {
    enforcedBy: 'execwatch',

    close() {
      db.close();
    },

    async deleteBatch(policy: RetentionPolicy, now: number, limit: number): Promise<RetentionBatch> {
      await waitForGate();
      const eventCutoff = now - policy.eventsMs;
      const alerts = alertBatch.immediate(now - policy.alertsMs, eventCutoff, limit);
      if (alerts.alerts > 0) {
        opts.afterWrite?.(alerts.alerts + alerts.events);
        return { alerts: alerts.alerts, events: alerts.events, more: true };
      }
      const executions = executionBatch.immediate(now - policy.alertsMs, limit);
      if (executions > 0) opts.afterWrite?.(executions);
      if (executions === limit) return { alerts: 0, events: 0, more: true };
      const old = oldRows(eventCutoff, limit);
      if (old.rows.length === 0) return { alerts: 0, events: 0, more: false };
      await waitForGate();
      const deleted = eventBatch.immediate(old.rows, eventCutoff);
      cursor = Math.max(cursor, old.rows[old.rows.length - 1]?.seq ?? cursor);
      if (deleted > 0) opts.afterWrite?.(deleted);
      return { alerts: 0, events: deleted, more: old.more };
    },

    async usage(now: number): Promise<StoreUsage> {
      const sizeOf = (f: string) => {
        try {
          return fs.statSync(f).size;
        } catch {
          return 0; // no WAL file
        }
      };
      const mainBytes = sizeOf(opts.file);
      // the WAL is kept at its largest size between checkpoints: on disk, but not what events take
      const sizeBytes = mainBytes + sizeOf(`${opts.file}-wal`);
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const freePages = db.pragma('freelist_count', { simple: true }) as number;
      const reusableBytes = freePages * pageSize;
      const range = db.prepare<[], { lo: number | null; hi: number | null }>('SELECT min(seq) AS lo, max(seq) AS hi FROM events').get();
      const lo = range?.lo ?? null;
      const hi = range?.hi ?? null;
      let events = 0;
      let exact = true;
      if (lo !== null && hi !== null) {
        if (hi - lo < EXACT_COUNT_ROWS) events = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n ?? 0;
        else {
          // rows are deleted from the front (and kept rows are few), so the sequence range is close to the count
          events = hi - lo + 1;
          exact = false;
        }
      }
      const oldest = db
        .prepare<[], { t: number | null }>('SELECT coalesce(ingested, ts) AS t FROM events INDEXED BY events_override_time WHERE coalesce(ingested, ts) IS NOT NULL ORDER BY coalesce(ingested, ts) LIMIT 1')
        .get()?.t ?? null;
      let eventsPerDay: number | null = null;
      if (hi !== null && oldest !== null) {
        const since = now - DAY_MS;
        const first = db
          .prepare<[number], { seq: number }>('SELECT seq FROM events INDEXED BY events_override_time WHERE coalesce(ingested, ts) >= ? ORDER BY coalesce(ingested, ts) LIMIT 1')
          .get(since)?.seq;
        const lastDay = first === undefined ? 0 : Math.max(0, hi - first + 1);
        // a store younger than a day: its rate so far, over a day (over an hour at least: a burst of a few
        // seconds says little about a day)
        const span = Math.max(now - oldest, HOUR_MS);
        eventsPerDay = oldest > since ? Math.round((events / span) * DAY_MS) : lastDay;
      }
      const alertsRow = db.prepare<[], { n: number; oldest: number | null }>('SELECT count(*) AS n, min(ts) AS oldest FROM alerts').get();
      const usedBytes = Math.max(0, mainBytes - reusableBytes);
      return {
        sizeBytes,
        reusableBytes,
        events,
        eventsExact: exact,
        oldestEvent: oldest,
        eventsPerDay,
        bytesPerEvent: events > 0 ? usedBytes / events : null,
        alerts: alertsRow?.n ?? 0,
        oldestAlert: alertsRow?.oldest ?? null,
      };
    },
  };
}
