/**
 * Web benchmarks, in real Chromium against a real server holding 100,000 alerts:
 * - web_first_rows_ms: navigation start to the first alert row on screen (median of runs, cold browser context each);
 * - web_flyout_open_ms: click on a row's details button to the flyout showing the alert (median);
 * - web_initial_js_gzip_kb: the entry script and every chunk it imports statically, gzipped (EUI icons and
 *   lazily loaded screens are separate chunks and not counted).
 * Standalone: `node --import tsx bench/src/web.ts` prints the figures as JSON. Progress goes to stderr.
 * BENCH_WEB_ALERTS (default 100000) and BENCH_WEB_RUNS (default 5) tune it; CHROMIUM_PATH picks the browser.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from '@playwright/test';
import { generateEvents } from '@execwatch/simulator';
import { createAuth } from '../../apps/server/src/auth/index';
import { silentLogger } from '../../apps/server/src/log';
import { createServices } from '../../apps/server/src/services/index';
import { buildAlert } from '../../apps/server/src/services/detection/alert-builder';
import { createEmbeddedStore } from '../../apps/server/src/store/embedded/index';
import type { StoredAlert } from '../../apps/server/src/store/ports';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webDist = path.join(repoRoot, 'apps/web/dist');
const seedRuleId = '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1';
const adminPassword = 'bench-web-admin-password-1';
const storedAlerts = Number(process.env.BENCH_WEB_ALERTS ?? 100_000);
const runs = Number(process.env.BENCH_WEB_RUNS ?? 5);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const progress = (msg: string) => process.stderr.write(`bench web: ${msg}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

const staticImport = /(?:\bfrom\s*|\bimport\s*)["'](\.\/[^"']+\.js)["']/g;

/**
 * The initial JavaScript of a Vite build: the entry script of `index.html` plus every chunk it imports
 * statically, transitively. Dynamic `import()` chunks (EUI icons, lazy screens) are not counted.
 */
export function initialJs(distDir: string): { files: string[]; gzipKb: number; rawKb: number } {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const queue = [...html.matchAll(/<script[^>]*type="module"[^>]*src="\/?([^"]+)"/g)].map((m) => m[1] ?? '').filter((f) => f.length > 0);
  const seen = new Set<string>();
  let raw = 0;
  let gz = 0;
  while (queue.length > 0) {
    const file = queue.shift() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(path.join(distDir, file));
    raw += code.length;
    gz += gzipSync(code, { level: 9 }).length;
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    for (const m of code.toString('utf8').matchAll(staticImport)) queue.push(`${dir}${(m[1] ?? '').slice(2)}`);
  }
  return { files: [...seen], gzipKb: round(gz / 1024), rawKb: round(raw / 1024) };
}

/** Counts the lazily loaded chunks the build emits (EUI's icons among them). */
function lazyChunkCount(distDir: string, initial: string[]): number {
  const all = spawnSync('ls', [path.join(distDir, 'assets')], { encoding: 'utf8' }).stdout.split('\n').filter((f) => f.endsWith('.js'));
  return all.length - initial.length;
}

function freePort(): Promise<number> {
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

/** Writes `storedAlerts` alerts straight into a fresh embedded store (the fastest path), spread over the last day. */
export async function prepareStore(dataDir: string): Promise<void> {
  const now = Date.now();
  const store = createEmbeddedStore({ dataDir, log: silentLogger, now: () => now });
  await store.init();
  const auth = createAuth({ store, log: silentLogger, config: { secureCookies: false, adminPassword } });
  await auth.bootstrap();
  const services = await createServices({ store, log: silentLogger, now: () => now, instanceId: 'bench-web-prepare' });
  const rule = await services.registry.get(seedRuleId);
  if (!rule) throw new Error('the seed rule is missing');
  const spacingMs = Math.max(1, Math.floor((20 * 3_600_000) / storedAlerts));
  const chunk = 10_000;
  for (let done = 0; done < storedAlerts; done += chunk) {
    const n = Math.min(chunk, storedAlerts - done);
    const events = generateEvents(n, { seed: 2000 + done, end: now - 60_000, start: now - 20 * 3_600_000 });
    const alerts: StoredAlert[] = events.map((e, i) =>
      buildAlert([{ _index: 'logs-cloud_defend.process-default', _id: `bench-web-${done + i}`, _source: e }], rule, {
        now: now - (storedAlerts - done - i) * spacingMs,
        executionId: 'bench-web',
        space: 'default',
      }),
    );
    await store.alerts.createMany(alerts);
  }
  await store.close();
}

export async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'apps/server/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', EXECWATCH_DATA_DIR: dataDir, EXECWATCH_ADMIN_PASSWORD: adminPassword, EXECWATCH_LOG_LEVEL: 'warn', EXECWATCH_WEB_DIST: webDist },
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
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The few browser globals the page-side code uses (this file is typechecked without the DOM library). */
interface PageGlobals {
  document: { querySelector(selector: string): unknown; querySelectorAll(selector: string): ArrayLike<{ click(): void }> };
  performance: { now(): number };
  requestAnimationFrame(callback: () => void): void;
}

/** One cold visit: log in, navigate, time the first row, then time opening the flyout of row `rowIndex`. */
async function visit(browser: Browser, url: string, rowIndex: number): Promise<{ firstRowsMs: number; flyoutMs: number; total: number }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  try {
    const login = await context.request.post(`${url}/api/auth/login`, { data: { username: 'admin', password: adminPassword }, headers: { 'execwatch-xsrf': 'true' } });
    if (!login.ok()) throw new Error(`login failed: ${login.status()}`);
    const page = await context.newPage();
    await page.goto(`${url}/alerts`, { waitUntil: 'commit' });
    // performance.now() in the page counts from the navigation's start; polling each frame finds the first paint with rows.
    const firstRows = await page.waitForFunction(
      () => {
        const g = globalThis as unknown as PageGlobals; // runs in the page
        return g.document.querySelector('[data-test-subj="alert-row"]') ? g.performance.now() : 0;
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    const firstRowsMs = Number(await firstRows.jsonValue());
    const totalText = await page.locator('[data-test-subj="alerts-count"]').innerText();
    // Open the flyout once the page has settled (counts, histogram, the flyout's prefetched code), as an
    // analyst reading the table would.
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(500);
    try {
      await page.locator('[data-test-subj="alert-open"]').nth(rowIndex).waitFor({ timeout: 10_000 });
    } catch (err) {
      await page.screenshot({ path: path.join(os.tmpdir(), 'execwatch-bench-web-failure.png') });
      throw err;
    }
    const flyoutMs = await page.evaluate(async (index) => {
      const g = globalThis as unknown as PageGlobals; // runs in the page
      const buttons = g.document.querySelectorAll('[data-test-subj="alert-row"] [data-test-subj="alert-open"]');
      const button = buttons[index] ?? buttons[0];
      if (!button) throw new Error('no row to open');
      const t0 = g.performance.now();
      button.click();
      // A loop, not a named callback: the TS loader wraps named functions in a helper the page does not have.
      for (;;) {
        if (g.document.querySelector('[data-test-subj="alert-flyout"] [data-test-subj="alert-reason"]')) return g.performance.now() - t0;
        await new Promise<void>((resolve) => g.requestAnimationFrame(() => resolve()));
      }
    }, rowIndex);
    return { firstRowsMs, flyoutMs, total: Number(totalText.replace(/[^0-9]/g, '')) };
  } finally {
    await context.close();
  }
}

/** Runs the web benchmarks; see the file comment for the figures. */
export async function run(): Promise<Record<string, number>> {
  if (!existsSync(path.join(webDist, 'index.html'))) {
    progress('building the web app');
    const build = spawnSync('npm', ['run', 'build', '-w', '@execwatch/web'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('vite build failed');
  }
  const bundle = initialJs(webDist);
  const figures: Record<string, number> = {
    web_initial_js_gzip_kb: bundle.gzipKb,
    web_initial_js_raw_kb: bundle.rawKb,
    web_initial_js_files: bundle.files.length,
    web_lazy_chunks: lazyChunkCount(webDist, bundle.files),
  };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-web-'));
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  let browser: Browser | null = null;
  try {
    progress(`writing ${storedAlerts} alerts`);
    await prepareStore(dataDir);
    server = await startServer(dataDir);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    progress('warm-up visit');
    await visit(browser, server.url, 0);
    const first: number[] = [];
    const flyout: number[] = [];
    let shown = 0;
    for (let i = 0; i < runs; i++) {
      const r = await visit(browser, server.url, i + 1);
      first.push(r.firstRowsMs);
      flyout.push(r.flyoutMs);
      shown = r.total;
      progress(`run ${i + 1}/${runs}: first rows ${round(r.firstRowsMs)} ms, flyout ${round(r.flyoutMs)} ms`);
    }
    figures.web_alerts_stored = storedAlerts;
    figures.web_alerts_matching_view = shown;
    figures.web_first_rows_ms = round(median(first));
    figures.web_first_rows_max_ms = round(Math.max(...first));
    figures.web_flyout_open_ms = round(median(flyout));
    figures.web_flyout_open_max_ms = round(Math.max(...flyout));
    figures.web_runs = runs;
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run()
    .then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    });
}
