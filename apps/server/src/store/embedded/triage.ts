import type { ChecklistEntry, ChecklistStore, NoteRecord, NoteStore } from '../ports';
import type { Db } from './db';


/** Checklist progress per alert and step. */
export function createChecklistStore(db: Db): ChecklistStore {
  const put = db.prepare(
    `INSERT INTO checklist_entries (alert_id, step_id, done, by_user, at, note) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (alert_id, step_id) DO UPDATE SET done = excluded.done, by_user = excluded.by_user, at = excluded.at, note = excluded.note`,
  );
  const doneOf = db.prepare<[string], { alert_id: string; step_id: string }>(
    'SELECT alert_id, step_id FROM checklist_entries WHERE done = 1 AND alert_id IN (SELECT value FROM json_each(?)) ORDER BY step_id',
  );
  type Row = { alert_id: string; step_id: string; done: number; by_user: string; at: number; note: string | null };
  return {
    async list(alertId) {
      return db
        .prepare<[string], Row>('SELECT * FROM checklist_entries WHERE alert_id = ? ORDER BY at, step_id')
        .all(alertId)
        .map((r): ChecklistEntry => ({ alert_id: r.alert_id, step_id: r.step_id, done: r.done === 1, by: r.by_user, at: r.at, note: r.note }));
    },
    async doneCounts(alertIds) {
      const out: Record<string, string[]> = {};
      for (const id of alertIds) out[id] = [];
      // one prepared statement for any number of ids (a list page asks on every request)
      for (const r of doneOf.all(JSON.stringify(alertIds))) (out[r.alert_id] ??= []).push(r.step_id);
      return out;
    },
    async put(e) {
      put.run(e.alert_id, e.step_id, e.done ? 1 : 0, e.by, e.at, e.note);
    },
  };
}

/** Notes on alerts, oldest first. */
export function createNoteStore(db: Db): NoteStore {
  const add = db.prepare('INSERT INTO notes (id, alert_id, text, author, created_at) VALUES (?, ?, ?, ?, ?)');
  const countOf = db.prepare<[string], { alert_id: string; n: number }>(
    'SELECT alert_id, count(*) AS n FROM notes WHERE alert_id IN (SELECT value FROM json_each(?)) GROUP BY alert_id',
  );
  return {
    async list(alertId) {
      return db.prepare<[string], NoteRecord>('SELECT id, alert_id, text, author, created_at FROM notes WHERE alert_id = ? ORDER BY created_at, id').all(alertId);
    },
    async counts(alertIds) {
      const out: Record<string, number> = {};
      for (const id of alertIds) out[id] = 0;
      for (const r of countOf.all(JSON.stringify(alertIds))) out[r.alert_id] = r.n;
      return out;
    },
    async add(n) {
      add.run(n.id, n.alert_id, n.text, n.author, n.created_at);
    },
  };
}
