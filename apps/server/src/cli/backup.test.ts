import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { DB_FILE, createEmbeddedStore } from '../store/embedded/index';
import { runBackup } from './backup-command';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const tempDir = (name: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `execwatch-${name}-`));
  dirs.push(d);
  return d;
};

/** A process writing batches of 200 events (and alerts) into the store, printing `ack N` after each. */
function startWriter(dataDir: string): { acked(): number; waitFor(batches: number): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '../store/embedded/crash-child.ts'), dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let last = -1;
  let buffered = '';
  let stderr = '';
  const waiters: { batches: number; resolve(): void }[] = [];
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) {
      const m = /^ack (\d+)$/.exec(l);
      if (m) last = Number(m[1]);
    }
    for (const w of waiters.splice(0)) {
      if (last + 1 >= w.batches) w.resolve();
      else waiters.push(w);
    }
  });
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`writer exited (${code}): ${stderr.slice(0, 2000)}`))));
  return {
    acked: () => last + 1,
    waitFor: (batches) => Promise.race([exited, new Promise<void>((resolve) => (last + 1 >= batches ? resolve() : waiters.push({ batches, resolve })))]),
  };
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'backup.ts'), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run backup', () => {
  it('copies the store while another process writes: whole, checked, with everything acknowledged before it began; the copy restores', async () => {
    const dataDir = tempDir('backup-src');
    const out = tempDir('backup-out');
    const writer = startWriter(dataDir);
    await writer.waitFor(4);
    const ackedBefore = writer.acked();
    const dest = path.join(out, 'copy.sqlite');
    const res = await runCli([dest], { EXECWATCH_DATA_DIR: dataDir });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^backup written: .*copy\.sqlite \([\d.]+ MB, \d+ events, \d+ alerts, \d+ ms\)\n$/);
    // the writer went on during and after the copy
    await writer.waitFor(writer.acked() + 2);

    const copy = new Database(dest, { readonly: true });
    let events: number;
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      events = copy.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n ?? 0;
      // batches are transactions: whole batches, at least every one acknowledged before the copy began
      expect(events % 200).toBe(0);
      expect(events).toBeGreaterThanOrEqual(ackedBefore * 200);
      expect(copy.prepare<[], { n: number }>('SELECT count(*) AS n FROM alerts').get()?.n).toBeGreaterThanOrEqual(ackedBefore);
    } finally {
      copy.close();
    }
    expect(fs.readdirSync(out)).toEqual(['copy.sqlite']);

    // restore: the copy as the data folder's store file
    const restored = tempDir('backup-restore');
    fs.copyFileSync(dest, path.join(restored, DB_FILE));
    const store = createEmbeddedStore({ dataDir: restored, log: silentLogger });
    try {
      expect(await store.events.count()).toBe(events);
      expect(await store.alerts.get('alert-0')).not.toBeNull();
    } finally {
      await store.close();
    }
  });

  it('refuses to overwrite without --force, and says how it is used', async () => {
    const dataDir = tempDir('backup-usage');
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) }, env: { EXECWATCH_DATA_DIR: dataDir } };
    expect(runBackup([], io)).toBe(2);
    expect(out.join('')).toContain('usage: npm run backup -- FILE');
    out.length = 0;
    expect(runBackup([path.join(dataDir, 'x.sqlite')], io)).toBe(1);
    expect(out.join('')).toContain('no embedded store');
    const store = createEmbeddedStore({ dataDir, log: silentLogger });
    await store.close();
    const dest = path.join(dataDir, 'copy.sqlite');
    fs.writeFileSync(dest, 'something');
    out.length = 0;
    expect(runBackup([dest], io)).toBe(1);
    expect(out.join('')).toContain('pass --force');
    expect(runBackup([dest, '--force'], io)).toBe(0);
    expect(fs.readFileSync(dest).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});
