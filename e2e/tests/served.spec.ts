import { expect, test } from '@playwright/test';
import { adminUser } from '../support/env';
import { loginAs, snap, waitForRows } from '../support/session';

test.describe.configure({ timeout: 120_000 });

test('the first page arrives compressed, and the rows do not wait for the time picker or the chart', async ({ page }) => {
  // what the browser asked for and got, in the order it happened
  const events: string[] = [];
  const scripts: Array<{ url: string; encoding: string | null; cacheControl: string | null; vary: string | null }> = [];
  const answers = new Map<string, { encoding: string | null; cacheControl: string | null }>();
  page.on('request', (req) => events.push(`request ${new URL(req.url()).pathname}`));
  page.on('response', async (res) => {
    const { pathname } = new URL(res.url());
    events.push(`response ${pathname}`);
    const encoding = await res.headerValue('content-encoding');
    const cacheControl = await res.headerValue('cache-control');
    if (res.request().resourceType() === 'script' && pathname.startsWith('/assets/')) scripts.push({ url: pathname, encoding, cacheControl, vary: await res.headerValue('vary') });
    else answers.set(pathname, { encoding, cacheControl });
  });

  await loginAs(page, adminUser, '/alerts?status=any');
  await waitForRows(page);
  // the picker replaces its placeholder once the rows are on screen, and the chart follows: on a machine busy
  // with other work the lazy code can take a while to parse, which is what this test is not about
  const lazyLoaded = { timeout: 45_000 };
  await expect(page.getByTestId('alerts-date-picker')).toBeVisible(lazyLoaded);
  await expect(page.getByTestId('alerts-date-picker-loading')).toHaveCount(0);
  await expect(page.getByTestId('alerts-histogram')).toBeVisible(lazyLoaded);
  await snap(page, 'served-01-alerts-page');

  // every script of any size came brotli-compressed, cached for good (hashed names), varying by encoding
  const sizeable = scripts.filter((s) => !/\/(?:rolldown-runtime|emotion-css\.esm)-/.test(s.url));
  expect(sizeable.length).toBeGreaterThan(5);
  const entry = scripts.find((s) => /\/assets\/index-[\w-]+\.js$/.test(s.url));
  expect(entry?.encoding).toBe('br');
  expect(sizeable.filter((s) => s.encoding === 'br').length / sizeable.length).toBeGreaterThan(0.8);
  for (const s of scripts) {
    expect(s.cacheControl, s.url).toBe('public, max-age=31536000, immutable');
    if (s.encoding) expect(s.vary, s.url).toMatch(/Accept-Encoding/i);
  }
  // the page itself is never cached without asking; the alert list (large JSON) came compressed
  expect(answers.get('/alerts')?.cacheControl).toBe('no-cache');
  expect(answers.get('/api/alerts')?.encoding).toBe('br');

  // the time picker's and the chart's code were asked for only after the rows' data had arrived
  const listArrived = events.indexOf('response /api/alerts');
  expect(listArrived).toBeGreaterThanOrEqual(0);
  for (const lazy of [/^request \/assets\/time-range-picker-/, /^request \/assets\/alerts-histogram-[\w-]+\.js$/]) {
    const at = events.findIndex((e) => lazy.test(e));
    expect(at, String(lazy)).toBeGreaterThan(listArrived);
  }
});
