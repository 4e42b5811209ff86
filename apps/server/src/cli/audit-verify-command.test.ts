import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../config';
import { silentLogger } from '../log';
import { auditEvent, T0 } from '../store/contract/fixtures';
import { createEmbeddedStore } from '../store/embedded/index';
import { DB_FILE } from '../store/embedded/db';
import { runAuditVerify } from './audit-verify-command';

let dir: string;

async function run(argv: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runAuditVerify(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: { EXECWATCH_DATA_DIR: dir },
  });
  return { code, stdout, stderr };
}

async function seed(n: number): Promise<void> {
  const store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
  try {
    for (let i = 1; i <= n; i++) await store.audit.append(auditEvent(`e${i}`, T0 + i, 'alice', 'alert.update'));
  } finally {
    await store.close();
  }
}

function tamper(sql: string): void {
  const db = new Database(path.join(dir, DB_FILE));
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete');
    db.exec(sql);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-verify-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run audit:verify', () => {
  it('reports an intact chain with its head and exits 0', async () => {
    await seed(3);
    const out = await run();
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/: 3 records, chain intact; head 3:[0-9a-f]{64} /);
    expect(out.stderr).toBe('');
  });

  it('reports the first broken link and exits 1', async () => {
    await seed(4);
    tamper(`UPDATE audit_log SET doc = json_set(doc, '$.user', 'mallory') WHERE seq = 2`);
    const out = await run();
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/chain broken at record 2 \(id e2\): its content was changed \(the hash does not match\); the 1 records before it are intact/);
  });

  it('checks the chain against a head kept from an earlier run', async () => {
    await seed(3);
    const head = /head (\d+:[0-9a-f]{64})/.exec((await run()).stdout)?.[1] ?? '';
    tamper('DELETE FROM audit_log WHERE seq = 3; DROP TRIGGER IF EXISTS audit_chain_head_forward; UPDATE audit_chain_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)');
    expect((await run()).code).toBe(0);
    const out = await run(['--head', head]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('record 3 is missing (the given --head is record 3)');
  });

  it('exits 2 for a missing store, a malformed --head or an unknown option', async () => {
    expect(await run()).toMatchObject({ code: 2, stderr: expect.stringContaining('no embedded store at') });
    await seed(1);
    expect(await run(['--head', 'latest'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--head must be SEQ:HASH') });
    expect((await run(['--frobnicate'])).code).toBe(2);
  });

  it('runs as an npm script against EXECWATCH_DATA_DIR', async () => {
    await seed(2);
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'audit:verify'], { cwd: repoRoot, env: { ...process.env, EXECWATCH_DATA_DIR: dir } });
    expect(stdout).toContain('2 records, chain intact');
  });
});
