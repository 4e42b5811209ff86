/**
 * `npm run backup -- FILE`: a consistent copy of the embedded store while the server runs. SQLite's
 * `VACUUM INTO` reads the store in one read transaction, so the copy is the store as it was when the copy
 * began (everything acknowledged by then, nothing half-written) while writers go on beside it; the copy is
 * compacted and has no WAL. It is written beside FILE and renamed into place once whole and checked.
 *
 * Restore: stop the server, put the copy in EXECWATCH_DATA_DIR as execwatch.sqlite (removing any
 * execwatch.sqlite-wal and -shm left there), start the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../config';
import { DB_FILE } from '../store/embedded/db';

export const USAGE = 'usage: npm run backup -- FILE [--force]   (copies the embedded store in EXECWATCH_DATA_DIR to FILE)';

export interface BackupIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Where a relative FILE is resolved (npm runs scripts from the repository root; INIT_CWD is the caller's folder). */
  cwd?: string;
}

export interface BackupResult {
  file: string;
  bytes: number;
  events: number;
  alerts: number;
  tookMs: number;
}

/** Copies the store file `source` to `dest` (which must not exist unless `force`), consistently, while others write. */
export function backupStore(source: string, dest: string, opts: { force?: boolean } = {}): BackupResult {
  const started = performance.now();
  if (!fs.existsSync(source)) throw new Error(`no embedded store at ${source} (set EXECWATCH_DATA_DIR to the server's data folder)`);
  if (fs.existsSync(dest) && !opts.force) throw new Error(`${dest} exists; pass --force to replace it`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const partial = `${dest}.partial-${process.pid}`;
  fs.rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
  let counts: { events: number; alerts: number };
  const copy = new Database(partial, { fileMustExist: true });
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed its check: ${String(check)}`);
    counts = {
      events: copy.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n ?? 0,
      alerts: copy.prepare<[], { n: number }>('SELECT count(*) AS n FROM alerts').get()?.n ?? 0,
    };
  } catch (err) {
    copy.close();
    fs.rmSync(partial, { force: true });
    throw err;
  }
  copy.close();
  fs.renameSync(partial, dest);
  return { file: dest, bytes: fs.statSync(dest).size, ...counts, tookMs: Math.round(performance.now() - started) };
}

/** Runs the command; returns the exit code (0 done, 1 failed, 2 usage or setup). */
export function runBackup(argv: string[], io: BackupIo): number {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help || positionals.length !== 1) {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    io.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    return 2;
  }
  if (config.store !== 'embedded') {
    io.stderr.write('backup copies the embedded store; a cluster is backed up with its snapshots (see the README)\n');
    return 2;
  }
  const dest = path.resolve(io.cwd ?? process.cwd(), positionals[0] ?? '');
  try {
    const r = backupStore(path.join(config.dataDir, DB_FILE), dest, { force: values.force === true });
    io.stdout.write(`backup written: ${r.file} (${(r.bytes / 2 ** 20).toFixed(1)} MB, ${r.events} events, ${r.alerts} alerts, ${r.tookMs} ms)\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`backup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
