import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestSessions, seedRuleId } from '../../testing/scenario';
import { startTestServer, testClock } from '../../testing/test-server';

const here = path.dirname(fileURLToPath(import.meta.url));
const childScript = path.resolve(here, '../../testing/detection-child.ts');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-kill-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the child until it announces the second run, then kills it with SIGKILL. Returns what it printed. */
function runAndKill(args: string[]): Promise<{ firstCreated: number; killedDuringRun: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && out.includes('running')) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      const first = /done (\d+)/.exec(out);
      if (!first) reject(new Error(`child ended without finishing its first run: ${err.slice(0, 2000)}`));
      else resolve({ firstCreated: Number(first[1]), killedDuringRun: signal === 'SIGKILL' && !out.includes('finished') });
    });
  });
}

describe('kill -9 during a rule run', () => {
  it('loses no stored alert and makes no duplicate on the next run', async () => {
    const clock = testClock();
    const start = clock.now();
    // 20 batches of 100 exec sessions, one second apart on event.ingested
    let server = await startTestServer({ clock, dataDir });
    for (let i = 0; i < 20; i++) {
      await ingestSessions(server, 100, { prefix: `b${i}` });
      clock.advance(1000);
    }
    await server.close();

    const result = await runAndKill([dataDir, String(start - 1), String(start + 1000), String(clock.now())]);
    expect(result.firstCreated).toBe(100);
    expect(result.killedDuringRun).toBe(true);

    server = await startTestServer({ clock, dataDir });
    try {
      const total = async () => (await server.store.alerts.search({ filter: {}, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 1 })).total;
      const survived = await total();
      expect(survived).toBeGreaterThanOrEqual(100);
      await server.services.engine.recoverInterrupted();
      const log = await server.store.executions.list(seedRuleId, { size: 10, page: 1 });
      expect(log.executions.map((e) => e.status).sort()).toEqual(['failed', 'succeeded']);
      expect(log.executions.find((e) => e.status === 'failed')?.error).toMatch(/interrupted/);
      await server.services.registry.update(seedRuleId, { max_signals: 10_000 }, 'test');
      const rerun = await server.services.engine.runWindow(seedRuleId, { from: start - 1, to: clock.now() }, 'manual');
      expect(rerun.events_matched).toBe(2000);
      expect(rerun.alerts_created + rerun.alerts_existing).toBe(2000);
      expect(rerun.alerts_existing).toBe(survived);
      expect(await total()).toBe(2000);
    } finally {
      await server.close();
    }
  });
});
