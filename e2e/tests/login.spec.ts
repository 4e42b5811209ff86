import { expect, test } from '@playwright/test';
import { adminUser } from '../support/env';
import { snap, waitForRows } from '../support/session';

test('a wrong password is refused with a message, the right one opens the alerts page', async ({ page }) => {
  await page.goto('/alerts');
  await expect(page.getByTestId('login-form')).toBeVisible();
  await snap(page, '01-login');
  await page.getByTestId('login-username').fill(adminUser.username);
  await page.getByTestId('login-password').fill('not-the-password');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toBeVisible();
  await page.getByTestId('login-password').fill(adminUser.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('alerts-table')).toBeVisible();
  await expect(page.getByTestId('current-user')).toContainText('admin');
  // Earlier specs may have triaged every open alert; show them all for the picture.
  await page.goto('/alerts?status=any');
  await waitForRows(page);
  // the alerts-over-time chart has drawn its bars (it needs its stylesheet to measure itself)
  await expect(page.locator('[data-test-subj="alerts-histogram"] .echChartStatus[data-ech-render-complete="true"]')).toHaveCount(1);
  await snap(page, '02-alerts-page');
});
