/**
 * The in-process ingest baseline of issue 19: one thread, no HTTP, no worker: each source line `JSON.parse`d
 * (for its timestamp and session), inserted as `jsonb(?)` into a table with two indexes (time, session), one
 * transaction per request's worth of lines, into a SQLite file with the store's pragmas. What any ingest path
 * on this machine should at least reach.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Events/s of the plain loop over the bulk `bodies` (NDJSON: action line, source line). */
export function baselineIngest(bodies: readonly Buffer[]): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-baseline-'));
  const db = new Database(path.join(dir, 'baseline.sqlite'));
  try {
    db.pragma('page_size = 65536');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY, idx TEXT NOT NULL, ts INTEGER, leader TEXT, doc BLOB NOT NULL);
      CREATE INDEX events_ts ON events (ts); CREATE INDEX events_leader ON events (leader);`);
    const insert = db.prepare<[string, number, string | null, string]>('INSERT INTO events (idx, ts, leader, doc) VALUES (?, ?, ?, jsonb(?))');
    const store = db.transaction((lines: string[]) => {
      for (let i = 1; i < lines.length; i += 2) {
        const text = lines[i] as string; // i < length
        const doc = JSON.parse(text) as { '@timestamp'?: string; process?: { entry_leader?: { entity_id?: string } } };
        insert.run('logs-cloud_defend.process-default', Date.parse(doc['@timestamp'] ?? ''), doc.process?.entry_leader?.entity_id ?? null, text);
      }
      return (lines.length / 2) | 0;
    });
    let events = 0;
    const t0 = performance.now();
    for (const body of bodies) {
      const text = body.toString('utf8');
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      events += store(lines);
    }
    return events / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
