import { expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { screenshotDir } from './env';

/** Logs in through the API (the cookie lands in the page's context), then opens `path`. */
export async function loginAs(page: Page, user: { username: string; password: string }, path = '/alerts'): Promise<void> {
  const response = await page.request.post('/api/auth/login', {
    data: user,
    headers: { 'execwatch-xsrf': 'true' },
  });
  expect(response.ok(), `login as ${user.username}: ${response.status()}`).toBeTruthy();
  await page.goto(path);
}

/** Saves a full-page screenshot to e2e/screenshots/<name>.png. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false });
}

/** Waits until the alerts table shows rows. */
export async function waitForRows(page: Page): Promise<void> {
  await expect(page.getByTestId('alerts-table').getByTestId('alert-row').first()).toBeVisible();
}
