import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { createCheckpointer } from './checkpointer';
import { DB_FILE, openDatabase } from './db';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('createCheckpointer', () => {
  it('copies committed WAL pages into the main file from its worker, and closes cleanly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-ckpt-'));
    dirs.push(dir);
    const db = openDatabase(dir, silentLogger);
    const file = path.join(dir, DB_FILE);
    const checkpointer = createCheckpointer(db, file, silentLogger);
    try {
      const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run(`k${i}`, 'x'.repeat(1000));
      })();
      const before = fs.statSync(file).size;
      checkpointer.request();
      checkpointer.request(); // folded into the running one
      const deadline = Date.now() + 10_000;
      while (fs.statSync(file).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(fs.statSync(file).size).toBeGreaterThan(before + 1_000_000);
    } finally {
      await checkpointer.close();
      db.close();
    }
    checkpointer.request(); // after close: ignored, no worker is started again
  });

  it('brings the WAL back to its beginning under back-to-back writes, holding writers only briefly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-ckpt-'));
    dirs.push(dir);
    const db = openDatabase(dir, silentLogger);
    const file = path.join(dir, DB_FILE);
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
        // the WAL header's checkpoint sequence number (bytes 12-15) counts the times the WAL started over
        const fd = fs.openSync(`${file}-wal`, 'r');
        const header = Buffer.alloc(16);
        fs.readSync(fd, header, 0, 16, 0);
        fs.closeSync(fd);
        restarts = header.readUInt32BE(12);
        await new Promise((r) => setImmediate(r)); // as a server would between requests
      }
    } finally {
      await checkpointer.close();
    }
    expect(checkpointer.writeGate()).toBeUndefined(); // closing lets writers go
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 4800 });
    db.close();
    // Measured: 80-90 restarts and a WAL of 45-56 MB at most (checkpoints are slower than these writes); without
    // the gate, no restart and a WAL of 201 MB, all that was written. Writers wait once per restart.
    expect(restarts).toBeGreaterThanOrEqual(5);
    expect(waited).toBeGreaterThanOrEqual(restarts - 1);
    expect(maxWal).toBeLessThan(100_000_000);
  });
});
