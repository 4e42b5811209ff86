import { expect, test } from '@playwright/test';
import { adminUser, ruleId } from '../support/env';
import { loginAs, snap } from '../support/session';

test('the rule page shows the definition and "run now" adds an execution', async ({ page }) => {
  await loginAs(page, adminUser, `/rules/${ruleId}`);
  await expect(page.getByTestId('rule-query')).toContainText('process.entry_leader.same_as_process');
  const executions = page.getByTestId('execution-row');
  await expect(executions.first()).toBeVisible();
  const before = await executions.count();
  await page.getByTestId('rule-run-now').click();
  await expect(page.getByTestId('toast')).toContainText(/Run (succeeded|partial)/);
  await expect.poll(() => executions.count()).toBeGreaterThan(before);
  await snap(page, '14-rule-page');
});

test('the rules list links to the rule', async ({ page }) => {
  await loginAs(page, adminUser, '/rules');
  await page.getByTestId('rule-link').first().click();
  await expect(page).toHaveURL(new RegExp(`/rules/${ruleId}`));
});
