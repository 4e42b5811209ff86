import { expect, test } from '@playwright/test';
import { adminUser, analystUser } from '../support/env';
import { loginAs, snap, waitForRows } from '../support/session';

test.describe.configure({ mode: 'serial' });

function selectedCount(text: string): number {
  return Number(text.replace(/[^0-9]/g, ''));
}

test('auto-refresh keeps the selection', async ({ page }) => {
  await loginAs(page, analystUser, '/alerts?refresh=1000');
  await waitForRows(page);
  const rows = page.getByTestId('alert-row');
  await rows.nth(0).locator('input[type="checkbox"]').check();
  await rows.nth(1).locator('input[type="checkbox"]').check();
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  // Several refreshes happen meanwhile (1 s interval); the selection and the rows stay.
  const refreshes = page.waitForResponse((r) => r.url().includes('/api/alerts?'), { timeout: 5000 });
  await refreshes;
  await page.waitForTimeout(2500);
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  await expect(rows.nth(0).locator('input[type="checkbox"]')).toBeChecked();
});

test('bulk acknowledge with "select all N matching" reaches beyond the page', async ({ page }) => {
  await loginAs(page, analystUser, '/alerts?size=25');
  await waitForRows(page);
  await expect(page.getByTestId('status-filter-open')).toContainText(/\d/);
  const openBefore = selectedCount(await page.getByTestId('status-filter-open').innerText());
  expect(openBefore).toBeGreaterThan(25);
  await page.getByTestId('alerts-table').locator('thead input[type="checkbox"]').check();
  await expect(page.getByTestId('selected-count')).toHaveText('25 selected');
  await page.getByTestId('select-all-matching').click();
  await expect(page.getByTestId('selected-count')).toContainText(`All ${openBefore} matching`);
  await snap(page, '11-select-all-matching');
  await page.getByTestId('bulk-actions').click();
  await page.getByTestId('bulk-acknowledge').click();
  await expect(page.getByTestId('toast')).toContainText(`Updated ${openBefore}`);
  await expect(page.getByTestId('alerts-empty')).toBeVisible();
  await expect(page.getByTestId('status-filter-acknowledged')).toContainText(String(openBefore));
  await page.getByTestId('status-filter-open').click();
  await page.getByTestId('status-filter-acknowledged').click();
  await waitForRows(page);
  await snap(page, '12-acknowledged');
});

test('grouping by namespace shows per-group counts', async ({ page }) => {
  await loginAs(page, adminUser, '/alerts?status=any&group=namespace');
  await expect(page.getByTestId('alert-group').first()).toBeVisible();
  await expect(page.getByTestId('alert-group').first()).toContainText('alerts');
  await snap(page, '13-grouped');
});
