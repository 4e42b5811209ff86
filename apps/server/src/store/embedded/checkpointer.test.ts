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
});
