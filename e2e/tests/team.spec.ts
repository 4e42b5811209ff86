import { expect, test, type Page } from '@playwright/test';
import { SeedClient } from '../support/api-client';
import { adminUser, analystUser, baseURL, ruleId } from '../support/env';
import { loginAs, snap, waitForRows } from '../support/session';

// The checklist as a workflow and working as a team, as an analyst sees it; another user acts through the API.
// Generous time per test: the suite waits for conditions only, and must pass on a machine busy with other work.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

const admin = new SeedClient(baseURL, adminUser.username, adminUser.password);
const colleague = { username: 'dana.w', password: 'e2e-dana-password-1' };
let page: Page;
let alertIds: string[] = [];

interface AlertsPage {
  alerts: { id: string; assignees: string[]; tags: string[] }[];
}

async function alert(id: string): Promise<{ assignees: string[]; tags: string[] }> {
  return (await admin.request('GET', `/api/alerts/${id}`)) as { assignees: string[]; tags: string[] };
}

async function openAlert(id: string, tab?: string): Promise<void> {
  await page.goto(`/alerts?alert=${id}`);
  const flyout = page.getByTestId('alert-flyout');
  // the flyout's code loads on demand: on a machine busy with other work that can take a while the first time
  await expect(flyout.getByTestId('alert-status')).toBeVisible({ timeout: 60_000 });
  if (tab) await flyout.getByTestId(`alert-flyout-tab-${tab}`).click();
}

test.beforeAll(async ({ browser }) => {
  await admin.ensureUser(colleague.username, colleague.password, ['analyst']);
  await admin.request('PATCH', `/api/users/${colleague.username}`, { full_name: 'Dana Whitfield' });
  // open alerts on the table's first page (as it sorts), past the riskiest few the other specs work on
  const list = (await admin.request('GET', '/api/alerts?from=now-24h&to=now&status=open&sort_field=session_risk&sort_order=desc&size=50')) as AlertsPage;
  alertIds = list.alerts.slice(20, 26).map((a) => a.id);
  expect(alertIds.length).toBe(6);
  page = await browser.newPage();
  await loginAs(page, analystUser);
  await waitForRows(page);
});

test.afterAll(async () => {
  await page.close();
});

test('steps that restate the rule are checked automatically, with the values as evidence; notes show on unticked steps', async () => {
  await openAlert(alertIds[0] ?? '', 'checklist');
  const flyout = page.getByTestId('alert-flyout');
  const auto = flyout.locator('[data-test-subj="checklist-step"][data-auto="true"]');
  await expect(auto).toHaveCount(4);
  for (const field of ['container.id', 'process.entry_leader.entry_meta.type', 'process.entry_leader.same_as_process', 'process.interactive']) {
    await expect(auto.getByTestId('checklist-step-evidence-item').filter({ hasText: field })).toContainText('checked automatically');
  }
  await expect(auto.getByTestId('checklist-step-evidence-item').filter({ hasText: 'process.interactive' })).toContainText('process.interactive: true');
  await expect(auto.first().getByTestId('checklist-step-auto')).toHaveText('Checked automatically');
  await expect(auto.first().getByTestId('checklist-step-checkbox')).toBeChecked();
  await expect(auto.first().getByTestId('checklist-step-checkbox')).toBeDisabled();

  // a note on a step that stays unticked is shown with the step
  const manual = flyout.locator('[data-test-subj="checklist-step"][data-auto="false"][data-done="false"]').first();
  await manual.getByRole('button', { name: 'Add note' }).click();
  await manual.getByTestId('checklist-step-note').fill('asked the platform team about last night\'s deploy');
  await manual.getByTestId('checklist-step-note-save').click();
  await expect(manual.getByTestId('checklist-step-note-text')).toContainText("asked the platform team about last night's deploy");
  await expect(manual).toHaveAttribute('data-done', 'false');
  await expect(flyout.getByTestId('checklist-progress-text')).not.toContainText('Saving');
  await snap(page, 'team-01-auto-checked-steps');
});

test('a gated close is disabled and lists the missing steps by their text', async () => {
  const flyout = page.getByTestId('alert-flyout');
  const missing = await flyout.locator('[data-test-subj="checklist-step"]:has(.euiBadge:has-text("Required"))[data-done="false"]').evaluateAll((steps) =>
    steps.map((s) => s.querySelector('label')?.textContent?.replace('Required', '').trim() ?? ''),
  );
  expect(missing).toHaveLength(3);
  await page.getByTestId('alert-status').click();
  await page.getByTestId('alert-status-closed').click();
  await page.getByRole('radio', { name: 'False positive' }).check();
  await page.getByTestId('close-reason-text').fill('platform team debugging');
  const confirm = page.getByTestId('close-confirm');
  await expect(confirm).toBeDisabled();
  const listed = page.getByTestId('close-missing-steps').locator('li');
  await expect(listed).toHaveCount(3);
  for (const text of missing) await expect(page.getByTestId('close-missing-steps')).toContainText(text.slice(0, 50));
  await expect(page.getByTestId('close-needs-steps')).not.toContainText(alertIds[0] ?? 'no id');
  await page.getByTestId('close-confirm-wrapper').hover();
  await expect(page.getByRole('tooltip')).toContainText('Do these required steps first');
  await snap(page, 'team-02-gated-close');
  // a true positive needs no checklist: the same button is enabled again
  await page.getByRole('radio', { name: 'True positive' }).check();
  await expect(confirm).toBeEnabled();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('close-reason-modal')).toBeHidden();
});

test('the rule page renders the investigation guide as Markdown', async () => {
  await page.goto(`/rules/${ruleId}`);
  const guide = page.getByTestId('rule-guide');
  await expect(guide.getByRole('heading', { name: 'Possible investigation steps' })).toBeVisible();
  await expect(guide.locator('li').first()).toContainText('Review the container.id');
  await expect(guide.locator('blockquote')).toContainText('Disclaimer');
  await expect(guide).not.toContainText('### ');
  await guide.getByRole('heading', { name: 'Possible investigation steps' }).scrollIntoViewIfNeeded();
  await snap(page, 'team-03-rule-guide-markdown');
});

test('assign to me, and pick a colleague from the suggestions', async () => {
  await openAlert(alertIds[1] ?? '');
  const flyout = page.getByTestId('alert-flyout');
  await flyout.getByTestId('assign-to-me').click();
  await expect(flyout.getByTestId('alert-assignees')).toContainText(analystUser.username);
  await expect(flyout.getByTestId('assign-to-me')).toBeHidden();
  await expect.poll(async () => (await alert(alertIds[1] ?? '')).assignees).toEqual([analystUser.username]);

  await flyout.getByTestId('alert-assignees').locator('input').fill('whit');
  const option = page.getByTestId(`assignee-option-${colleague.username}`);
  await expect(option).toContainText('Dana Whitfield');
  await snap(page, 'team-04-assignee-suggestions');
  await option.click();
  await expect.poll(async () => (await alert(alertIds[1] ?? '')).assignees).toEqual([analystUser.username, colleague.username]);
  await expect(flyout.getByTestId('alert-assignees')).toContainText(colleague.username);
});

test('bulk assign and tag from the table selection', async () => {
  await page.goto('/alerts');
  const rows = page.getByTestId('alerts-table').getByTestId('alert-row');
  await waitForRows(page);
  const targets = (await rows.evaluateAll((r) => r.slice(0, 2).map((row) => row.getAttribute('data-alert-id') ?? ''))).filter(Boolean);
  expect(targets).toHaveLength(2);
  for (const id of targets) await page.locator(`[data-test-subj="alert-row"][data-alert-id="${id}"] input[type="checkbox"]`).check();
  await page.getByTestId('bulk-actions').click();
  await page.getByTestId('bulk-assign-tag').click();
  const modal = page.getByTestId('bulk-assign-tag-modal');
  await modal.getByTestId('bulk-assignees').locator('input').fill('dana');
  await page.getByTestId(`assignee-option-${colleague.username}`).click();
  await modal.getByTestId('bulk-tags').locator('input').fill('shift-handover');
  await modal.getByTestId('bulk-tags').locator('input').press('Enter');
  await snap(page, 'team-05-bulk-assign-tag');
  await modal.getByTestId('bulk-assign-tag-apply').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Updated 2 alert' })).toBeVisible({ timeout: 30_000 });
  for (const id of targets) {
    const a = await alert(id);
    expect(a.assignees).toContain(colleague.username);
    expect(a.tags).toContain('shift-handover');
  }
});

test('the inbox shows an assignment made by another user and a mention', async () => {
  const assigned = alertIds[4] ?? '';
  const mentioned = alertIds[5] ?? '';
  await admin.request('PATCH', `/api/alerts/${assigned}`, { assignees: [analystUser.username] });
  await admin.request('POST', `/api/alerts/${mentioned}/notes`, { text: `@${analystUser.username} can you check who ran this? Same image as yesterday.` });
  await page.goto('/alerts');
  await waitForRows(page);
  const button = page.getByTestId('inbox-button');
  await expect(button).toHaveAttribute('data-unread', /^([2-9]|\d\d+)$/, { timeout: 30_000 });
  await expect(button).toContainText(await button.getAttribute('data-unread') ?? 'none');
  await button.click();
  const panel = page.getByTestId('inbox-panel');
  const mention = panel.locator('[data-test-subj="inbox-item"][data-kind="mentioned"]').first();
  await expect(mention).toContainText('admin mentioned you');
  await expect(mention).toContainText('can you check who ran this?');
  await expect(mention).toHaveAttribute('data-read', 'false');
  await expect(panel.locator('[data-test-subj="inbox-item"][data-kind="assigned"]').first()).toContainText('admin assigned you an alert');
  await snap(page, 'team-06-inbox');
  const unreadBefore = Number(await button.getAttribute('data-unread'));
  await mention.click();
  await expect(page).toHaveURL(new RegExp(`alert=${mentioned}`));
  await expect(page.getByTestId('alert-flyout').getByTestId('alert-status')).toBeVisible({ timeout: 60_000 });
  await expect(button).toHaveAttribute('data-unread', String(unreadBefore - 1), { timeout: 30_000 });
});
