import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { DOC_SQL, registerDocFunctions } from './doc-codec';
import { DB_FILE, createEmbeddedStore } from './index';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Starts the ingesting child, waits for `acks` acknowledged batches, then kills it with SIGKILL. */
function ingestThenKill(dataDir: string, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let last = -1;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^ack (\d+)$/.exec(l);
        if (m) last = Number(m[1]);
      }
      if (last + 1 >= acks && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`child exited early (${code}): ${stderr.slice(0, 2000)}`));
    });
  });
}

describe('crash safety (kill -9 while ingesting)', () => {
  it('keeps every acknowledged batch, whole and once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-crash-'));
    dirs.push(dir);
    const lastAcked = await ingestThenKill(dir, 8);
    expect(lastAcked).toBeGreaterThanOrEqual(7);

    const store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
    try {
      const count = await store.events.count();
      // Batches are transactions: whole batches only, at least every acknowledged one.
      expect(count % 200).toBe(0);
      expect(count).toBeGreaterThanOrEqual((lastAcked + 1) * 200);
      for (let b = 0; b <= lastAcked; b++) expect(await store.alerts.get(`alert-${b}`)).not.toBeNull();
    } finally {
      await store.close();
    }
    const db = new Database(path.join(dir, DB_FILE), { readonly: true });
    try {
      // documents may be stored compressed (doc-codec.ts): read through the store's own function
      registerDocFunctions(db);
      const row = db.prepare<[], { n: number; distinct_n: number; max_n: number }>(
        `SELECT count(*) AS n, count(DISTINCT ${DOC_SQL} ->> '$.n') AS distinct_n, max(${DOC_SQL} ->> '$.n') AS max_n FROM events`,
      ).get();
      expect(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events WHERE fmt > 0').get()?.n).toBeGreaterThan(0);
      expect(row?.n).toBe(row?.distinct_n);
      expect((row?.max_n ?? -1) + 1).toBe(row?.n);
      expect(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM alerts').get()?.n).toBeGreaterThanOrEqual(lastAcked + 1);
    } finally {
      db.close();
    }
  });
});
