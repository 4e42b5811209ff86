import { expect, test } from '@playwright/test';
import { ruleId, viewerUser } from '../support/env';
import { loginAs, snap, waitForRows } from '../support/session';

test('a viewer sees triage controls disabled, with a tooltip saying why', async ({ page }) => {
  await loginAs(page, viewerUser, '/alerts?status=any');
  await waitForRows(page);
  await page.getByTestId('alert-row').first().getByTestId('alert-open').click();
  const status = page.getByTestId('alert-status');
  await expect(status).toBeDisabled();
  await page.getByTestId('alert-flyout').getByTestId('ability-disabled').first().hover();
  await expect(page.getByRole('tooltip')).toContainText('does not allow triaging alerts');
  await snap(page, '15-viewer-disabled');
  await page.getByTestId('alert-flyout-tab-checklist').click();
  await expect(page.getByTestId('checklist-step-checkbox').first()).toBeDisabled();
});

test('a viewer cannot run a rule', async ({ page }) => {
  await loginAs(page, viewerUser, `/rules/${ruleId}`);
  await expect(page.getByTestId('rule-run-now')).toBeDisabled();
});
