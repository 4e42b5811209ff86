/**
 * The first screen as a browser gets it, in real Chromium against a real server holding 100,000 alerts
 * (written straight into the store file before the server starts), each cold visit in a fresh browser context
 * (empty cache), median of BENCH_FIRST_SCREEN_RUNS (default 5) after one warm-up visit:
 * - first_screen_kb: bytes transferred (response headers and encoded bodies) for every request the page started
 *   before its first alert rows were on screen, beside first_screen_kb_target; first_screen_identity_kb: the same
 *   requests' bodies as sent without compression (the baseline);
 * - first_screen_settled_kb / _identity_kb: everything the page fetched until the network went quiet (the lazy
 *   chunks of the time picker, the histogram and the flyout's code included);
 * - first_screen_first_rows_ms: navigation start to the first alert row on screen, beside its target;
 * - first_screen_flyout_ms: a click on a row's open button to the flyout showing the alert (its title and the
 *   alert's reason), beside its target;
 * - baselines from Node in the same run: GET /api/alerts (the page's own request) latency, and its size as
 *   identity and as brotli.
 * Standalone: `node --import tsx bench/src/first-screen.ts`. BENCH_WEB_DIST picks a built web app folder
 * (default apps/web/dist, built if missing or built without precompressed files); BENCH_FIRST_SCREEN_ALERTS
 * (default 100000) the stored alerts; CHROMIUM_PATH the browser.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Request } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../../e2e/support/env';
import { adminPassword, prepareStore, repoRoot, startServerProcess, type ServerProcess } from './support/server-process';

const defaultDist = path.join(repoRoot, 'apps/web/dist');
const webDist = process.env.BENCH_WEB_DIST ?? defaultDist;
const storedAlerts = Number(process.env.BENCH_FIRST_SCREEN_ALERTS ?? 100_000);
const runs = Number(process.env.BENCH_FIRST_SCREEN_RUNS ?? 5);
const targets = { kb: 800, firstRowsMs: 1000, flyoutMs: 300 };

const progress = (msg: string) => process.stderr.write(`bench first-screen: ${msg}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Builds the web app into the default folder when it is missing or was built without precompressed assets. */
function ensureBuilt(): void {
  const assets = path.join(webDist, 'assets');
  const built = existsSync(path.join(webDist, 'index.html')) && existsSync(assets) && readdirSync(assets).some((f) => f.endsWith('.br'));
  if (built) return;
  if (webDist !== defaultDist) throw new Error(`${webDist} holds no web app built with precompressed assets`);
  progress('building the web app');
  const build = spawnSync('npm', ['run', 'build', '-w', '@execwatch/web'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('vite build failed');
}

/** The few browser globals the page-side code uses (this file is typechecked without the DOM library). */
interface PageGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): ArrayLike<{ click(): void }> };
  performance: { now(): number };
  requestAnimationFrame(callback: () => void): void;
}

interface Fetched {
  url: string;
  type: string;
  startMs: number;
  /** Response headers and body as they came over the wire. */
  wireBytes: number;
  /** The body decoded: what an uncompressed answer would have carried. */
  identityBytes: number;
  encoding: string | null;
}

interface Visit {
  firstRowsMs: number;
  flyoutMs: number;
  firstScreen: Fetched[];
  settled: Fetched[];
  alertsUrl: string | null;
}

async function measureRequest(req: Request): Promise<Fetched | null> {
  const res = await req.response();
  if (!res) return null;
  const sizes = await req.sizes();
  const body = await res.body().catch(() => Buffer.alloc(0));
  return {
    url: req.url(),
    type: req.resourceType(),
    startMs: req.timing().startTime,
    wireBytes: sizes.responseHeadersSize + sizes.responseBodySize,
    identityBytes: sizes.responseHeadersSize + body.length,
    encoding: (await res.headerValue('content-encoding')) ?? null,
  };
}

/** One cold visit: log in, open the alerts page, time its first rows, let it settle, time opening a flyout. */
async function visit(browser: Browser, url: string, rowIndex: number): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  try {
    const login = await context.request.post(`${url}/api/auth/login`, { data: { username: 'admin', password: adminPassword }, headers: { 'execwatch-xsrf': 'true' } });
    if (!login.ok()) throw new Error(`login failed: ${login.status()}`);
    const page = await context.newPage();
    const measured: Promise<Fetched | null>[] = [];
    // a request still finishing as the context closes is not measured (its sizes are gone with the page)
    const onFinished = (req: Request) => void measured.push(measureRequest(req).catch(() => null));
    page.on('requestfinished', onFinished);
    await page.goto(`${url}/alerts`, { waitUntil: 'commit' });
    // performance.now() in the page counts from the navigation's start; polling each frame finds the first paint with rows
    const firstRows = await page.waitForFunction(
      () => {
        const g = globalThis as unknown as PageGlobals; // runs in the page
        return g.document.querySelector('[data-test-subj="alert-row"]') ? g.performance.now() : 0;
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    const firstRowsMs = Number(await firstRows.jsonValue());
    // as an analyst reading the table would: the counts, the histogram, the lazy code have arrived
    await page.waitForLoadState('networkidle', { timeout: 120_000 });
    try {
      await page.locator('[data-test-subj="alert-row"] [data-test-subj="alert-open"]').nth(rowIndex).waitFor({ timeout: 60_000 });
    } catch (err) {
      await page.screenshot({ path: path.join(os.tmpdir(), 'execwatch-bench-first-screen-failure.png') });
      throw err;
    }
    const flyoutMs = await page.evaluate(async (index) => {
      const g = globalThis as unknown as PageGlobals; // runs in the page
      const buttons = g.document.querySelectorAll('[data-test-subj="alert-row"] [data-test-subj="alert-open"]');
      const button = buttons[index] ?? buttons[0];
      if (!button) throw new Error('no row to open');
      const t0 = g.performance.now();
      button.click();
      // a loop, not a named callback: the TS loader wraps named functions in a helper the page does not have
      for (;;) {
        const title = g.document.querySelector('[data-test-subj="alert-flyout"] #alert-flyout-title');
        if (title && g.document.querySelector('[data-test-subj="alert-flyout"] [data-test-subj="alert-reason"]')) return g.performance.now() - t0;
        await new Promise<void>((resolve) => g.requestAnimationFrame(() => resolve()));
      }
    }, rowIndex);
    await page.waitForLoadState('networkidle', { timeout: 120_000 });
    page.off('requestfinished', onFinished);
    const all = (await Promise.all(measured)).filter((f): f is Fetched => f !== null);
    const navStart = all.find((f) => f.type === 'document')?.startMs ?? Math.min(...all.map((f) => f.startMs));
    const firstScreen = all.filter((f) => f.startMs - navStart <= firstRowsMs);
    const alertsUrl = all.find((f) => /\/api\/alerts\?/.test(f.url))?.url ?? null;
    return { firstRowsMs, flyoutMs, firstScreen, settled: all, alertsUrl };
  } finally {
    await context.close();
  }
}

const kb = (list: Fetched[], key: 'wireBytes' | 'identityBytes') => list.reduce((n, f) => n + f[key], 0) / 1024;

/** A raw GET (fetch would decode the answer): status, body bytes on the wire, time to the last byte. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t0 }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Runs the first-screen benchmark; see the file comment for the figures. */
export async function run(): Promise<Record<string, number | string>> {
  ensureBuilt();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-first-screen-'));
  let server: ServerProcess | null = null;
  let browser: Browser | null = null;
  const figures: Record<string, number | string> = {};
  try {
    progress(`writing ${storedAlerts} alerts into the store file`);
    const seedStart = performance.now();
    const apiKey = await prepareStore(dataDir, { alerts: storedAlerts, spanMs: 20 * 3_600_000 });
    figures.first_screen_seed_s = round((performance.now() - seedStart) / 1000);
    server = await startServerProcess(dataDir, { webDist });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    progress('warm-up visit');
    const warm = await visit(browser, server.url, 0);
    const visits: Visit[] = [];
    for (let i = 0; i < runs; i++) {
      const v = await visit(browser, server.url, i + 1);
      visits.push(v);
      progress(`run ${i + 1}/${runs}: ${round(kb(v.firstScreen, 'wireBytes'))} kB, first rows ${round(v.firstRowsMs)} ms, flyout ${round(v.flyoutMs)} ms`);
    }
    // BENCH_FIRST_SCREEN_LIST=1: what the first screen fetched, largest first (to see what to move out of it)
    if (process.env.BENCH_FIRST_SCREEN_LIST === '1') {
      for (const f of [...(visits[0] ?? warm).settled].sort((a, b) => b.wireBytes - a.wireBytes)) {
        const inFirst = (visits[0] ?? warm).firstScreen.includes(f) ? 'first ' : 'later ';
        progress(`${inFirst}${round(f.wireBytes / 1024)} kB (${round(f.identityBytes / 1024)} kB identity, ${f.encoding ?? 'identity'}) ${f.type} ${f.url.replace(server.url, '')}`);
      }
    }
    const scripts = (visits[0] ?? warm).firstScreen.filter((f) => f.type === 'script');
    figures.first_screen_alerts_stored = storedAlerts;
    figures.first_screen_runs = runs;
    figures.first_screen_kb = round(median(visits.map((v) => kb(v.firstScreen, 'wireBytes'))));
    figures.first_screen_kb_target = targets.kb;
    figures.first_screen_identity_kb = round(median(visits.map((v) => kb(v.firstScreen, 'identityBytes'))));
    figures.first_screen_requests = median(visits.map((v) => v.firstScreen.length));
    figures.first_screen_scripts = scripts.length;
    figures.first_screen_scripts_br = scripts.filter((f) => f.encoding === 'br').length;
    figures.first_screen_settled_kb = round(median(visits.map((v) => kb(v.settled, 'wireBytes'))));
    figures.first_screen_settled_identity_kb = round(median(visits.map((v) => kb(v.settled, 'identityBytes'))));
    figures.first_screen_first_rows_ms = round(median(visits.map((v) => v.firstRowsMs)));
    figures.first_screen_first_rows_max_ms = round(Math.max(...visits.map((v) => v.firstRowsMs)));
    figures.first_screen_first_rows_target_ms = targets.firstRowsMs;
    figures.first_screen_flyout_ms = round(median(visits.map((v) => v.flyoutMs)));
    figures.first_screen_flyout_max_ms = round(Math.max(...visits.map((v) => v.flyoutMs)));
    figures.first_screen_flyout_target_ms = targets.flyoutMs;
    // the baseline: the page's own list request from Node, which no browser work can make faster
    const alertsUrl = warm.alertsUrl ?? `${server.url}/api/alerts`;
    const auth = { authorization: `ApiKey ${apiKey}` };
    const plain: number[] = [];
    let identityBytes = 0;
    for (let i = 0; i < runs; i++) {
      const r = await rawGet(alertsUrl, auth);
      if (r.status !== 200) throw new Error(`GET ${alertsUrl}: ${r.status}`);
      plain.push(r.ms);
      identityBytes = r.bytes;
    }
    const br = await rawGet(alertsUrl, { ...auth, 'accept-encoding': 'br' });
    figures.first_screen_api_alerts_ms = round(median(plain));
    figures.first_screen_api_alerts_identity_kb = round(identityBytes / 1024);
    figures.first_screen_api_alerts_br_kb = round(br.bytes / 1024);
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run()
    .then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
