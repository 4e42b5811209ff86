import { expect, test } from '@playwright/test';
import { adminUser, viewerUser } from '../support/env';
import { loginAs, snap } from '../support/session';

test('an admin sees the store figures on the rules page and changes the retention', async ({ page }) => {
  await loginAs(page, adminUser, '/rules');
  const panel = page.getByTestId('storage-panel');
  await expect(panel).toBeVisible();
  // the seed's events are stored: size, count and rate are figures, not dashes
  await expect(panel.getByTestId('storage-events')).not.toContainText('—');
  await expect(panel.getByTestId('storage-size')).toContainText(/\d+(\.\d)? (KB|MB|GB)/);
  await expect(panel.getByTestId('storage-projected')).toContainText('with 7d of events');
  const events = panel.getByTestId('storage-events-retention-input');
  await expect(events).toHaveValue('7d');
  await expect(panel.getByTestId('storage-retention-save')).toBeDisabled();

  await events.fill('7 days');
  await expect(panel).toContainText('Use a number and a unit');
  await expect(panel.getByTestId('storage-retention-save')).toBeDisabled();
  await events.fill('30d');
  await panel.getByTestId('storage-retention-save').click();
  await expect(panel).toContainText('set by an admin');
  await expect(panel.getByTestId('storage-projected')).toContainText('with 30d of events');
  await panel.scrollIntoViewIfNeeded();
  await snap(page, '40-storage-panel');

  // kept in the store: a reload shows it
  await page.reload();
  await expect(page.getByTestId('storage-events-retention-input')).toHaveValue('30d');
  await page.getByTestId('storage-retention-reset').click();
  await expect(page.getByTestId('storage-events-retention-input')).toHaveValue('7d');
  await expect(page.getByTestId('storage-panel')).not.toContainText('set by an admin');
});

test('a viewer sees the figures but not a retention form they may use', async ({ page }) => {
  await loginAs(page, viewerUser, '/rules');
  const panel = page.getByTestId('storage-panel');
  await expect(panel.getByTestId('storage-events')).toBeVisible();
  await expect(panel.getByTestId('storage-events-retention-input')).toBeDisabled();
  await panel.getByTestId('ability-disabled').first().hover();
  await expect(page.getByRole('tooltip')).toContainText('does not allow managing users');
});
