/**
 * Shared by the server benchmarks: a store prepared with alerts and an API key, and a real server
 * process on loopback over it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEvents } from '@execwatch/simulator';
import { createAuth } from '../../../apps/server/src/auth/index';
import { silentLogger } from '../../../apps/server/src/log';
import { createServices } from '../../../apps/server/src/services/index';
import { buildAlert } from '../../../apps/server/src/services/detection/alert-builder';
import { createEmbeddedStore } from '../../../apps/server/src/store/embedded/index';
import type { StoredAlert } from '../../../apps/server/src/store/ports';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const seedRuleId = '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1';
export const adminPassword = 'bench-admin-password-1';
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface PrepareOptions {
  /** How many alerts to write. */
  alerts: number;
  /** The alerts' creation times are spread evenly over this span before now. Default 7 days. */
  spanMs?: number;
}

/**
 * Writes alerts (built from generated events, as the detection engine builds them) and an API key straight
 * into a fresh embedded store, before the server starts; returns the key's `encoded` form.
 */
export async function prepareStore(dataDir: string, opts: PrepareOptions): Promise<string> {
  const now = Date.now();
  const span = opts.spanMs ?? 7 * 24 * 3_600_000;
  const spacingMs = Math.max(1, Math.floor(span / Math.max(opts.alerts, 1)));
  const store = createEmbeddedStore({ dataDir, log: silentLogger, now: () => now });
  await store.init();
  const auth = createAuth({ store, log: silentLogger, config: { secureCookies: false, adminPassword } });
  await auth.bootstrap();
  const key = await auth.createApiKey('admin', 'bench');
  const services = await createServices({ store, log: silentLogger, now: () => now, instanceId: 'bench-prepare' });
  const rule = await services.registry.get(seedRuleId);
  if (!rule) throw new Error('the seed rule is missing');
  const chunk = 10_000;
  for (let done = 0; done < opts.alerts; done += chunk) {
    const n = Math.min(chunk, opts.alerts - done);
    const events = generateEvents(n, { seed: 1000 + done, end: now - 60_000, start: now - span });
    const alerts: StoredAlert[] = events.map((e, i) =>
      buildAlert([{ _index: 'logs-cloud_defend.process-default', _id: `bench-${done + i}`, _source: e }], rule, {
        now: now - (opts.alerts - done - i) * spacingMs,
        executionId: 'bench',
        space: 'default',
      }),
    );
    await store.alerts.createMany(alerts);
  }
  await store.close();
  return key.encoded;
}

export interface ServerProcess {
  url: string;
  /** The last lines the server wrote to stderr (for error reports). */
  stderrTail(): string;
  child: ChildProcess;
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Starts `apps/server/src/main.ts` on a free loopback port over `dataDir` and waits for /api/health. */
export async function startServerProcess(dataDir: string, opts: { webDist?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', path.join(repoRoot, 'apps/server/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', EXECWATCH_DATA_DIR: dataDir, EXECWATCH_ADMIN_PASSWORD: adminPassword, EXECWATCH_LOG_LEVEL: 'warn', EXECWATCH_WEB_DIST: opts.webDist ?? path.join(dataDir, 'no-web') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    stderrTail: () => `${child.exitCode !== null || child.signalCode ? `server exited (${child.exitCode ?? child.signalCode}); ` : ''}${stderr.slice(-1500)}`,
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
      return round(kb / 1024);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

