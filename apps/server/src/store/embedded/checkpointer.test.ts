import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { createCheckpointer } from './checkpointer';
import { DB_FILE, openDatabase } from './db';
import { onTmpfs, openDescriptors, residentBytes } from './testing/os-files';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The WAL header's checkpoint sequence number (bytes 12-15): how many times the WAL started over. */
function walRestarts(file: string): number {
  const header = Buffer.alloc(16);
  const fd = fs.openSync(`${file}-wal`, 'r');
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  return header.readUInt32BE(12);
}

/** A new store in a temp folder (removed after the test): its connection and file. */
function newStore(): { dir: string; db: ReturnType<typeof openDatabase>; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-ckpt-'));
  dirs.push(dir);
  return { dir, db: openDatabase(dir, silentLogger), file: path.join(dir, DB_FILE) };
}

/** A logger keeping its warnings: the message and the named field of each. */
function warningLog(field: string) {
  const warnings: { msg: string; [field: string]: unknown }[] = [];
  return { warnings, log: { ...silentLogger, warn: (msg: string, f?: Record<string, unknown>) => warnings.push({ msg, [field]: f?.[field] }) } };
}

/** Waits (up to 10 s) for `file` to grow past `before` bytes, as a checkpoint copies pages into it. */
async function grownPast(file: string, before: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (fs.statSync(file).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return fs.statSync(file).size;
}

describe('createCheckpointer', () => {
  it('copies committed WAL pages into the main file from its worker, and closes cleanly', async () => {
    const { db, file } = newStore();
    const checkpointer = createCheckpointer(db, file, silentLogger);
    try {
      const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run(`k${i}`, 'x'.repeat(1000));
      })();
      const before = fs.statSync(file).size;
      checkpointer.request();
      checkpointer.request(); // folded into the running one
      expect(await grownPast(file, before)).toBeGreaterThan(before + 1_000_000);
    } finally {
      await checkpointer.close();
      db.close();
    }
    checkpointer.request(); // after close: ignored, no worker is started again
  });

  it('brings the WAL back to its beginning under back-to-back writes, holding writers only briefly', async () => {
    const { db, file } = newStore();
    const restartFrames = 16;
    const checkpointer = createCheckpointer(db, file, silentLogger, { restartFrames });
    const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    const write = db.transaction((n: number) => {
      for (let i = 0; i < 8; i++) insert.run(`k${n}-${i}`, 'x'.repeat(15_000));
    });
    let waited = 0;
    let maxWal = 0;
    let restarts = 0;
    try {
      // 600 writes of 120 kB of rows (and their key index): ~200 MB of WAL frames in all
      for (let n = 0; n < 600; n++) {
        for (let gate = checkpointer.writeGate(); gate; gate = checkpointer.writeGate()) {
          waited++;
          await gate;
        }
        write(n);
        checkpointer.request();
        maxWal = Math.max(maxWal, fs.statSync(`${file}-wal`).size);
        restarts = walRestarts(file);
        await new Promise((r) => setImmediate(r)); // as a server would between requests
      }
    } finally {
      await checkpointer.close();
    }
    expect(checkpointer.writeGate()).toBeUndefined(); // closing lets writers go
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 4800 });
    db.close();
    // Measured: 80-90 restarts and a WAL of 45-56 MB at most (checkpoints are slower than these writes); without
    // the gate, no restart and a WAL of 201 MB, all that was written. Writers wait once per restart. How far the
    // WAL grows before a restart depends on how much CPU the checkpoint thread gets: 107 MB once in a CI run with
    // every test file running at the same time, so the bound is three quarters of what was written.
    expect(restarts).toBeGreaterThanOrEqual(5);
    expect(waited).toBeGreaterThanOrEqual(restarts - 1);
    expect(maxWal).toBeLessThan(150_000_000);
  });

  it('when its thread exits, checkpoints go on from the calling thread and no writer is held for good', async () => {
    const { db, file } = newStore();
    const { warnings, log } = warningLog('error');
    // a thread that dies on its first checkpoint
    const exiting = `require('node:worker_threads').parentPort.on('message', () => process.exit(3));`;
    const checkpointer = createCheckpointer(db, file, log, { restartFrames: 16, workerSource: exiting });
    const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    let restarts = 0;
    try {
      for (let n = 0; n < 200; n++) {
        for (let gate = checkpointer.writeGate(); gate; gate = checkpointer.writeGate()) await gate;
        db.transaction(() => {
          for (let i = 0; i < 8; i++) insert.run(`k${n}-${i}`, 'x'.repeat(15_000));
        })();
        checkpointer.request();
        await new Promise((r) => setImmediate(r));
        restarts = walRestarts(file);
      }
    } finally {
      await checkpointer.close();
    }
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 1600 });
    db.close();
    expect(warnings).toContainEqual({ msg: 'store checkpoint failed', error: 'the checkpoint thread exited with code 3' });
    expect(restarts).toBeGreaterThan(0); // checkpoints on the calling thread still bring the WAL back
  });

  it('holds writers no longer than maxHoldMs when the checkpoint they wait for does not come back', async () => {
    const { dir, db } = newStore();
    // a thread that reports a large WAL with little left to copy once, then never answers again
    const stuck = `
      const { parentPort } = require('node:worker_threads');
      let answered = false;
      parentPort.on('message', (msg) => {
        if (msg === 'close') return parentPort.close();
        if (answered) return;
        answered = true;
        parentPort.postMessage({ error: null, log: 5000, checkpointed: 4990 });
      });`;
    const checkpointer = createCheckpointer(db, path.join(dir, DB_FILE), silentLogger, { restartFrames: 1024, maxHoldMs: 300, workerSource: stuck });
    try {
      checkpointer.request();
      const deadline = Date.now() + 5000;
      while (!checkpointer.writeGate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const gate = checkpointer.writeGate();
      expect(gate).toBeDefined(); // 10 frames left of 5,000: writers wait for the last checkpoint
      const held = performance.now();
      await gate;
      const waited = performance.now() - held;
      expect(waited).toBeGreaterThan(200);
      expect(waited).toBeLessThan(3000);
      expect(checkpointer.writeGate()).toBeUndefined();
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  describe.runIf(process.platform === 'linux')('page cache drop-behind', () => {
    /**
     * Writes ~36 MB of rows with a checkpoint after each transaction; answers the store file's size and page
     * cache residency once checkpoints are done and the file is closed.
     */
    async function fill(dropBehind: { keepBytes: number } | false) {
      const { dir, db, file } = newStore();
      if (onTmpfs(dir)) {
        db.close();
        return null;
      }
      const fd = dropBehind ? fs.openSync(file, 'r') : null;
      const checkpointer = createCheckpointer(db, file, silentLogger, fd === null ? {} : { dropBehind: { fd, keepBytes: dropBehind ? dropBehind.keepBytes : 0 } });
      const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
      try {
        for (let n = 0; n < 300; n++) {
          for (let gate = checkpointer.writeGate(); gate; gate = checkpointer.writeGate()) await gate;
          db.transaction(() => {
            for (let i = 0; i < 8; i++) insert.run(`k${n}-${i}`, `${n}:${i}:`.padEnd(15_000, 'x'));
          })();
          checkpointer.request();
          await new Promise((r) => setImmediate(r));
        }
        // the last writes reach the main file with a checkpoint that starts after them: the file stops growing
        let size = -1;
        for (const deadline = Date.now() + 10_000; fs.statSync(file).size !== size && Date.now() < deadline; ) {
          size = fs.statSync(file).size;
          checkpointer.request();
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        await checkpointer.close();
      }
      db.close(); // (nothing left in the WAL for its last checkpoint to write)
      if (fd !== null) fs.closeSync(fd);
      expect(openDescriptors(file)).toBe(0); // the checkpoint thread's connection closed with it
      const resident = residentBytes(file);
      // every row is there (read after the residency: reading brings the pages back)
      const check = new Database(file, { readonly: true });
      const rows = check.prepare('SELECT count(*) AS n, sum(length(value)) AS bytes FROM settings').get();
      const sample = check.prepare("SELECT value FROM settings WHERE key = 'k123-4'").pluck().get() as string;
      check.close();
      return { size: fs.statSync(file).size, resident, rows, sample };
    }

    it('drops what the store file grew by once checkpoints have written it, except its last keepBytes', async (ctx) => {
      const keepBytes = 4 * 1024 * 1024;
      const dropped = await fill({ keepBytes });
      if (!dropped) return ctx.skip('the temp folder is on tmpfs, where the page cache is the file');
      expect(dropped.size).toBeGreaterThan(30_000_000);
      // what is still cached: the last keepBytes, and pages read or written since (the table's and index's
      // upper levels, pages the last checkpoint wrote below the kept end)
      expect(dropped.resident).toBeLessThan(keepBytes + 8 * 1024 * 1024);
      expect(dropped.rows).toEqual({ n: 2400, bytes: 2400 * 15_000 });
      expect(dropped.sample.startsWith('123:4:x')).toBe(true);

      const kept = await fill(false);
      expect(kept?.resident).toBeGreaterThan(0.8 * (kept?.size ?? 0));
    });

    it('is left out with a warning when the FFI module cannot be loaded; checkpoints go on', async () => {
      const { dir, db, file } = newStore();
      const { warnings, log } = warningLog('warning');
      const fd = fs.openSync(file, 'r');
      const checkpointer = createCheckpointer(db, file, log, { dropBehind: { fd, keepBytes: 0, ffiModule: path.join(dir, 'no-such-ffi.cjs') } });
      try {
        db.transaction(() => {
          const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
          for (let i = 0; i < 200; i++) insert.run(`k${i}`, 'x'.repeat(10_000));
        })();
        const before = fs.statSync(file).size;
        checkpointer.request();
        expect(await grownPast(file, before)).toBeGreaterThan(before + 1_000_000);
      } finally {
        await checkpointer.close();
        db.close();
        fs.closeSync(fd);
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.msg).toBe('store checkpoint thread');
      expect(String(warnings[0]?.warning)).toMatch(/^page cache drop-behind unavailable: Cannot find module/);
    });
  });
});

