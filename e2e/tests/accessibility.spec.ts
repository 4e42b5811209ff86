import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { adminUser } from '../support/env';
import { loginAs, waitForRows } from '../support/session';

async function seriousViolations(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  if (include) builder.include(include);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('the alerts page has no serious or critical accessibility violations', async ({ page }) => {
  await loginAs(page, adminUser, '/alerts?status=any');
  await waitForRows(page);
  await page.waitForLoadState('networkidle');
  expect(await seriousViolations(page)).toEqual([]);
});

test('the alert flyout has no serious or critical accessibility violations', async ({ page }) => {
  await loginAs(page, adminUser, '/alerts?status=any');
  await waitForRows(page);
  await page.getByTestId('alert-row').first().getByTestId('alert-open').click();
  await expect(page.getByTestId('alert-reason')).toBeVisible();
  expect(await seriousViolations(page, '[data-test-subj="alert-flyout"]')).toEqual([]);
  for (const tab of ['checklist', 'session', 'attack']) {
    await page.getByTestId(`alert-flyout-tab-${tab}`).click();
    await page.waitForLoadState('networkidle');
    expect(await seriousViolations(page, '[data-test-subj="alert-flyout"]'), tab).toEqual([]);
  }
});

test('the page is keyboard navigable: Tab reaches a row\'s details button and Enter opens the flyout', async ({ page }) => {
  await loginAs(page, adminUser, '/alerts?status=any');
  await waitForRows(page);
  const button = page.getByTestId('alert-row').first().getByTestId('alert-open');
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('alert-flyout')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('alert-flyout')).toBeHidden();
});
