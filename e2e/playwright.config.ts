import { defineConfig } from '@playwright/test';
import { adminUser, baseURL, chromiumArgs, chromiumPath, e2eDataDir, e2ePort, repoRoot } from './support/env';

const dataDir = e2eDataDir();

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json']],
  outputDir: process.env.EXECWATCH_E2E_OUTPUT_DIR ?? '../test-results/playwright',
  use: {
    baseURL,
    browserName: 'chromium',
    testIdAttribute: 'data-test-subj',
    viewport: { width: 1600, height: 1000 },
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'node --import tsx apps/server/src/main.ts',
    cwd: repoRoot,
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(e2ePort),
      HOST: '127.0.0.1',
      EXECWATCH_DATA_DIR: dataDir,
      EXECWATCH_ADMIN_PASSWORD: adminUser.password,
      EXECWATCH_WEB_DIST: process.env.EXECWATCH_WEB_DIST ?? `${repoRoot}apps/web/dist`,
    },
  },
});
