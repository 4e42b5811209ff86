/**
 * The production entry point (main.ts) as a child process: kill -9 during a bulk status change, and
 * graceful shutdown on SIGTERM with a request in flight.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bulkBody, processEvent } from './testing/events';
import { ingestSessions, seedRuleId } from './testing/scenario';
import { startTestServer, testClock, testPasswords } from './testing/test-server';

const mainScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

interface Child {
  url: string;
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startMain(dataDir: string): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', mainScript], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', EXECWATCH_DATA_DIR: dataDir, EXECWATCH_ADMIN_PASSWORD: testPasswords.admin, EXECWATCH_LOG_LEVEL: 'error', EXECWATCH_WEB_DIST: path.join(dataDir, 'no-web') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(proc);
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-3000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    const up = await fetch(`${url}/api/health`).then((r) => r.ok).catch(() => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, proc, exited };
}

const adminAuth = { authorization: `Basic ${Buffer.from(`admin:${testPasswords.admin}`).toString('base64')}` };

/** A data dir holding `sessions` open alerts of the seed rule, made through the real bulk API and engine. */
async function dataDirWithAlerts(sessions: number): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-lifecycle-'));
  dirs.push(dataDir);
  const clock = testClock(Date.now());
  const server = await startTestServer({ clock, dataDir });
  try {
    await ingestSessions(server, sessions, { at: clock.now() - 60_000 });
    await server.services.registry.update(seedRuleId, { max_signals: 10_000, enabled: false }, 'test');
    const run = await server.services.engine.runWindow(seedRuleId, { from: clock.now() - 10 * 60_000, to: clock.now() }, 'manual');
    expect(run.alerts_created).toBe(sessions);
  } finally {
    await server.close();
  }
  return dataDir;
}

async function countByStatus(dataDir: string): Promise<{ total: number; closed: number }> {
  const server = await startTestServer({ dataDir });
  try {
    const search = (status?: 'closed') =>
      server.store.alerts.search({ filter: status ? { status: [status] } : {}, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 1 });
    return { total: (await search()).total, closed: (await search('closed')).total };
  } finally {
    await server.close();
  }
}

const closeAll = (url: string) =>
  fetch(`${url}/api/alerts/_bulk_update`, {
    method: 'POST',
    headers: { ...adminAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ query: { status: ['open'] }, status: 'closed', reason: 'true_positive' }),
  });

describe('the server process', () => {
  it('kill -9 during a bulk status change leaves every alert either changed or not, never duplicated', async () => {
    const dataDir = await dataDirWithAlerts(1500);
    const child = await startMain(dataDir);
    const pending = closeAll(child.url).catch(() => null);
    await new Promise((r) => setTimeout(r, 15));
    child.proc.kill('SIGKILL');
    await child.exited;
    const acknowledged = await pending;
    const after = await countByStatus(dataDir);
    expect(after.total).toBe(1500);
    // one transaction: all or nothing, and all when the server had answered
    expect([0, 1500]).toContain(after.closed);
    if (acknowledged?.ok) expect(after.closed).toBe(1500);
  });

  it('keeps an acknowledged bulk status change across kill -9', async () => {
    const dataDir = await dataDirWithAlerts(300);
    const child = await startMain(dataDir);
    const res = await closeAll(child.url);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { updated: number }).updated).toBe(300);
    child.proc.kill('SIGKILL');
    await child.exited;
    expect(await countByStatus(dataDir)).toEqual({ total: 300, closed: 300 });
  });

  it('on SIGTERM finishes the request in flight, stops accepting, and exits 0', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-lifecycle-'));
    dirs.push(dataDir);
    const child = await startMain(dataDir);
    const now = Date.now();
    const events = Array.from({ length: 20_000 }, (_, i) =>
      processEvent({ at: now - 60_000 + i, entityId: `term-${i}`, entryLeaderId: `term-${i - (i % 4)}`, entryLeader: i % 4 === 0, name: 'bash', namespace: 'default', pod: 'p' }),
    );
    const inFlight = fetch(`${child.url}/_bulk`, { method: 'POST', headers: { ...adminAuth, 'content-type': 'application/x-ndjson' }, body: bulkBody(events) });
    await new Promise((r) => setTimeout(r, 30));
    child.proc.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { errors: boolean; items: unknown[] }; // bulk response shape
    expect(body.errors).toBe(false);
    expect(body.items).toHaveLength(20_000);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${child.url}/api/health`)).rejects.toThrow();
    const server = await startTestServer({ dataDir });
    try {
      expect(await server.store.events.count()).toBe(20_000);
    } finally {
      await server.close();
    }
  });
});
