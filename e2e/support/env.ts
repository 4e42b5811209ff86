import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the repository is, wherever Playwright is started from. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The e2e server: a fixed port, a known admin password, a fresh data directory per run. */
export const e2ePort = Number(process.env.EXECWATCH_E2E_PORT ?? 5697);
export const baseURL = `http://127.0.0.1:${e2ePort}`;
export const adminUser = { username: 'admin', password: 'e2e-admin-password-1' };
export const analystUser = { username: 'analyst', password: 'e2e-analyst-password-1' };
export const viewerUser = { username: 'viewer', password: 'e2e-viewer-password-1' };
export const ruleId = '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1';

/**
 * One data directory per Playwright run; workers inherit it through the environment. A directory made here
 * is removed when the process that made it (the runner, which has stopped the server by then) exits; one
 * given in EXECWATCH_E2E_DATA_DIR is kept.
 */
export function e2eDataDir(): string {
  if (!process.env.EXECWATCH_E2E_DATA_DIR) {
    const dir = mkdtempSync(join(tmpdir(), 'execwatch-e2e-'));
    process.env.EXECWATCH_E2E_DATA_DIR = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return process.env.EXECWATCH_E2E_DATA_DIR;
}

/** Debian's Chromium unless CHROMIUM_PATH says otherwise. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where tests save what they show, for a person to look at. */
export const screenshotDir = fileURLToPath(new URL('../screenshots', import.meta.url));
