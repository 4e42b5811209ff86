import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../log';
import { migrations } from './migrations';

export type Db = Database.Database;

/** File name of the embedded store inside its data directory. */
export const DB_FILE = 'execwatch.sqlite';

/** WAL size past which SQLite's own checkpoint runs, inside a commit (see openDatabase). */
const WAL_SAFETY_NET_BYTES = 512 * 1024 * 1024;

/** The store file's page size in bytes. */
export function pageSize(db: Db): number {
  return db.pragma('page_size', { simple: true }) as number;
}

/**
 * Opens (creating when absent) the store's SQLite file with the pragmas the store relies on,
 * then applies pending migrations.
 */
export function openDatabase(dataDir: string, log: Logger): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DB_FILE);
  const db = new Database(file);
  // page_size only takes effect before the first table is created. 64 kB pages: a 3.5 kB event fills a
  // page with less left over, and a bulk write has a quarter of the WAL frames to write and checksum (ingest
  // of 3.5 kB events measured 35.5k -> 41.1k events/s, median of 6 alternating runs, against 16 kB pages).
  // Stores created with smaller pages keep them.
  db.pragma('page_size = 65536');
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL loses no committed transaction on a process crash (only on power loss).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Checkpoints run on their own thread (checkpointer.ts), which also keeps the WAL from growing under
  // sustained ingest; the automatic one, inside a commit on the request thread, is only a safety net for a
  // WAL that grew past 512 MB anyway.
  db.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_SAFETY_NET_BYTES / pageSize(db))}`);
  // The WAL file keeps up to 512 MB between checkpoints instead of shrinking after each: rewriting pages
  // the file already has costs the kernel far less than growing it again (ingest measured 30k -> 35k
  // events/s of 3.5 kB going from a 64 MB limit to this one).
  db.pragma('journal_size_limit = 536870912');
  // 32 MB: the OS page cache holds the file anyway; a larger private cache mostly adds to the server's RSS
  db.pragma('cache_size = -32768');
  db.pragma('temp_store = MEMORY');
  applyMigrations(db, log);
  return db;
}

/** Runs every migration not yet recorded in `schema_migrations`, each in its own transaction. */
export function applyMigrations(db: Db, log: Logger): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((r) => r.version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    log.info('store migration applied', { version: m.version, name: m.name });
  }
}
