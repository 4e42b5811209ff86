/**
 * Web benchmarks, in real Chromium against a real server holding 100,000 alerts:
 * - web_first_rows_ms: navigation start to the first alert row on screen (median of runs, cold browser context each);
 * - web_flyout_open_ms: click on a row's details button to the flyout showing the alert (median);
 * - web_initial_js_gzip_kb: the entry script and every chunk it imports statically, gzipped (EUI icons and
 *   lazily loaded screens are separate chunks and not counted).
 * Standalone: `node --import tsx bench/src/web.ts` prints the figures as JSON. Progress goes to stderr.
 * BENCH_WEB_ALERTS (default 100000) and BENCH_WEB_RUNS (default 5) tune it; CHROMIUM_PATH picks the browser.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from '@playwright/test';
import { adminPassword, prepareStore, repoRoot, startServerProcess, type ServerProcess } from './support/server-process';

const webDist = path.join(repoRoot, 'apps/web/dist');
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
  let server: ServerProcess | null = null;
  let browser: Browser | null = null;
  try {
    progress(`writing ${storedAlerts} alerts`);
    await prepareStore(dataDir, { alerts: storedAlerts, spanMs: 20 * 3_600_000 });
    server = await startServerProcess(dataDir, { webDist });
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
