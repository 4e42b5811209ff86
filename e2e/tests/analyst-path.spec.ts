import { expect, test, type Page, type Route } from '@playwright/test';
import { analystUser } from '../support/env';
import { loginAs, snap, waitForRows } from '../support/session';

// One analyst's path through the page, in order: each step builds on the state the previous one left.
test.describe.configure({ mode: 'serial' });

let page: Page;
const cspViolations: string[] = [];

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await loginAs(page, analystUser);
  await waitForRows(page);
});

test.afterAll(async () => {
  await page.close();
});

async function openFirstAlert(): Promise<string> {
  const row = page.getByTestId('alerts-table').getByTestId('alert-row').first();
  const id = await row.getAttribute('data-alert-id');
  await row.getByTestId('alert-open').click();
  await expect(page.getByTestId('alert-flyout')).toBeVisible();
  await expect(page.getByTestId('alert-status')).toBeVisible();
  return id ?? '';
}

test('filters by a query term and the URL reproduces the view', async () => {
  // Namespace / pod is the 9th cell: checkbox, actions, time, rule, severity, risk, session risk, reason.
  const firstNamespace = (await page.getByTestId('alert-row').first().locator('td').nth(8).innerText()).split('\n')[0]?.trim() ?? '';
  expect(firstNamespace.length).toBeGreaterThan(0);
  await page.getByTestId('alerts-query').fill(`namespace:${firstNamespace}`);
  await page.getByTestId('alerts-query').press('Enter');
  await expect(page).toHaveURL(/query=namespace/);
  await waitForRows(page);
  const namespaces = await page.getByTestId('alert-row').locator('td:nth-child(9)').allInnerTexts();
  expect(namespaces.length).toBeGreaterThan(0);
  for (const cell of namespaces) expect(cell.split('\n')[0]?.trim()).toBe(firstNamespace);

  // Sort by risk ascending, then reload: the same query, sort and rows come back.
  await page.getByRole('button', { name: 'Risk', exact: true }).click();
  await expect(page).toHaveURL(/sort=risk_score/);
  const before = await page.getByTestId('alert-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id')));
  await page.reload();
  await waitForRows(page);
  await expect(page.getByTestId('alerts-query')).toHaveValue(`namespace:${firstNamespace}`);
  const after = await page.getByTestId('alert-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id')));
  expect(after).toEqual(before);
  await snap(page, '03-filtered');

  // A query the parser rejects is shown as an error and not applied.
  await page.getByTestId('alerts-query').fill('namespace:(a OR b');
  await page.getByTestId('alerts-query').press('Enter');
  await expect(page.getByText(/invalid query/)).toBeVisible();
  await expect(page).toHaveURL(/query=namespace%3A[^(]/);

  await page.goto('/alerts');
  await waitForRows(page);
});

test('opens an alert: the flyout shows who/what/where and its link reopens it', async () => {
  const id = await openFirstAlert();
  await expect(page).toHaveURL(new RegExp(`alert=${id}`));
  const flyout = page.getByTestId('alert-flyout');
  await expect(flyout.getByTestId('alert-reason')).toContainText('process event');
  await expect(flyout.getByTestId('alert-entity')).toContainText('Container id');
  await expect(flyout.getByTestId('alert-entity')).toContainText('Entry leader');
  await snap(page, '04-flyout-overview');
  await page.reload();
  await expect(page.getByTestId('alert-flyout')).toBeVisible();
  await expect(page.getByTestId('alert-flyout').getByTestId('alert-reason')).toBeVisible();
});

test('reads the session: a process tree rooted at the exec\'d shell', async () => {
  const flyout = page.getByTestId('alert-flyout');
  await flyout.getByTestId('alert-flyout-tab-session').click();
  await expect(flyout.getByTestId('session-view')).toBeVisible();
  const processes = flyout.getByTestId('session-process');
  await expect(processes.first()).toBeVisible();
  await expect(processes.first()).toHaveAttribute('data-alert-process', 'true');
  await snap(page, '05-flyout-session');
});

test('shows the ATT&CK mapping with T1609 and its mitigations', async () => {
  const flyout = page.getByTestId('alert-flyout');
  await flyout.getByTestId('alert-flyout-tab-attack').click();
  const t1609 = flyout.locator('[data-technique-id="T1609"]');
  await expect(t1609).toContainText('Container Administration Command');
  await expect(t1609.getByTestId('attack-mitigations')).toContainText('M1042');
  await expect(t1609.getByRole('link', { name: /T1609/ })).toHaveAttribute('href', /attack\.mitre\.org/);
  await snap(page, '06-flyout-attack');
});

test('refuses to close as false positive before the required steps, then allows it', async () => {
  // many steps against one server: room for a machine busy with other work (every wait is for a condition)
  test.setTimeout(150_000);
  const flyout = page.getByTestId('alert-flyout');
  await page.getByTestId('alert-status').click();
  await page.getByTestId('alert-status-closed').click();
  await page.getByRole('radio', { name: 'False positive' }).check();
  // The queue opens on the riskiest session: calling it a false positive takes a comment before anything else.
  await page.getByTestId('close-reason-text').fill('looks like the payments team debugging');
  // The required steps not done yet hold the close back: the button is disabled and the dialog names them.
  await expect(page.getByTestId('close-confirm')).toBeDisabled();
  await expect(page.getByTestId('close-missing-steps')).toContainText('Correlate the event with user activity logs');
  await snap(page, '07-close-refused');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Tick every required step the alert's own fields do not answer, with a note on the first.
  await flyout.getByTestId('alert-flyout-tab-checklist').click();
  await expect(flyout.getByTestId('checklist')).toBeVisible();
  const steps = flyout.getByTestId('checklist-step');
  expect(await steps.count()).toBeGreaterThan(5);
  await expect(flyout.locator('[data-test-subj="checklist-step"][data-auto="true"]').first().getByTestId('checklist-step-evidence-item')).toContainText('container.id');
  const first = flyout.locator('[data-test-subj="checklist-step"][data-auto="false"]').first();
  await first.getByRole('button', { name: 'Add note' }).click();
  await first.getByTestId('checklist-step-note').fill('container belongs to the payments team');
  await first.getByTestId('checklist-step-checkbox').check();
  await expect(first).toHaveAttribute('data-done', 'true');
  await expect(first.getByTestId('checklist-step-done-by')).toContainText(analystUser.username);
  const required = flyout.locator('[data-test-subj="checklist-step"]:has(.euiBadge:has-text("Required"))[data-done="false"]');
  while ((await required.count()) > 0) {
    await required.first().getByTestId('checklist-step-checkbox').check();
    await expect(flyout.getByTestId('checklist-progress-text')).not.toContainText('Saving');
  }
  await expect(flyout.getByTestId('checklist-progress-text')).toContainText('required steps done');
  await snap(page, '08-checklist');

  await page.getByTestId('alert-status').click();
  await page.getByTestId('alert-status-closed').click();
  await page.getByRole('radio', { name: 'False positive' }).check();
  await page.getByTestId('close-reason-text').fill('payments team debugging, confirmed on the ticket');
  await page.getByTestId('close-confirm').click();
  await expect(page.getByTestId('close-reason-modal')).toBeHidden();
  await expect(page.getByTestId('alert-status')).toHaveAttribute('data-status', 'closed');
  await expect(flyout.getByTestId('alert-flyout-tab-overview')).toBeVisible();
  await flyout.getByTestId('alert-flyout-tab-overview').click();
  await expect(flyout.getByTestId('alert-status-history')).toContainText(analystUser.username);
  await expect(flyout.getByTestId('alert-status-history')).toContainText('False positive');
  await snap(page, '09-closed');
  await flyout.getByTestId('alert-flyout-close').click();
  await expect(page.getByTestId('alert-flyout')).toBeHidden();
});

test('a tick shows at once, a failed save puts the box back with a toast naming the step', async () => {
  const id = await openFirstAlert();
  const flyout = page.getByTestId('alert-flyout');
  await flyout.getByTestId('alert-flyout-tab-checklist').click();
  const progressText = flyout.getByTestId('checklist-progress-text');
  const rowProgress = page.locator(`[data-test-subj="alert-row"][data-alert-id="${id}"]`).getByTestId('checklist-progress');
  const optional = flyout.locator('[data-test-subj="checklist-step"]:not(:has(.euiBadge:has-text("Required")))[data-done="false"]');
  const stepById = async (candidates: typeof optional) => flyout.locator(`[data-test-subj="checklist-step"][data-step-id="${await candidates.first().getAttribute('data-step-id')}"]`);
  const doneBefore = Number((await progressText.innerText()).split(' ')[0]);

  // The save is held back: the box, the progress and the alert's row change before the server answers.
  const held: Route[] = [];
  await page.route('**/api/alerts/*/checklist/*', (route) => {
    if (route.request().method() === 'PUT') held.push(route);
    else void route.fallback();
  });
  const ticked = await stepById(optional);
  await ticked.getByTestId('checklist-step-checkbox').check();
  await expect(ticked).toHaveAttribute('data-done', 'true');
  await expect(progressText).toContainText(`${doneBefore + 1} of`);
  await expect(progressText).toContainText('Saving');
  await expect(rowProgress).toContainText(`${doneBefore + 1}/`);
  expect(held).toHaveLength(1);
  await held[0]?.continue();
  await page.unroute('**/api/alerts/*/checklist/*');
  await expect(progressText).not.toContainText('Saving');
  await expect(ticked).toHaveAttribute('data-done', 'true');

  // The server refuses the next tick: the box flips, goes back once the refusal arrives, and a toast names the step.
  held.length = 0;
  await page.route('**/api/alerts/*/checklist/*', (route) => {
    if (route.request().method() === 'PUT') held.push(route);
    else void route.fallback();
  });
  const refused = await stepById(optional);
  const refusedBoxId = await refused.getByTestId('checklist-step-checkbox').getAttribute('id');
  const refusedText = (await refused.locator(`label[for="${refusedBoxId}"]`).innerText()).trim();
  await refused.getByTestId('checklist-step-checkbox').check();
  await expect(refused).toHaveAttribute('data-done', 'true');
  await expect.poll(() => held.length).toBe(1);
  await held[0]?.fulfill({ status: 500, json: { error: 'internal_error', message: 'The store is not writable.', status: 500 } });
  await expect(refused).toHaveAttribute('data-done', 'false');
  await expect(refused.getByTestId('checklist-step-checkbox')).not.toBeChecked();
  const toast = page.getByTestId('toast').filter({ hasText: 'Not saved' });
  await expect(toast).toContainText(refusedText.slice(0, 40));
  await expect(toast).toContainText('The store is not writable.');
  await expect(progressText).toContainText(`${doneBefore + 1} of`);
  await expect(progressText).not.toContainText('Saving');
  await page.unroute('**/api/alerts/*/checklist/*');
  await snap(page, '08b-checklist-save-failed');

  // A double click ends where it started, on the screen and on the server.
  await ticked.getByTestId('checklist-step-checkbox').dblclick();
  await expect(progressText).not.toContainText('Saving');
  await expect(ticked).toHaveAttribute('data-done', 'true');
  await page.reload();
  await expect(page.getByTestId('alert-flyout')).toBeVisible();
  await page.getByTestId('alert-flyout').getByTestId('alert-flyout-tab-checklist').click();
  await expect(page.locator(`[data-test-subj="checklist-step"][data-step-id="${await ticked.getAttribute('data-step-id')}"]`)).toHaveAttribute('data-done', 'true');
  await page.getByTestId('alert-flyout').getByTestId('alert-flyout-close').click();
});

test('"filter alerts by this value" from a checklist step narrows the table', async () => {
  await openFirstAlert();
  const flyout = page.getByTestId('alert-flyout');
  await flyout.getByTestId('alert-flyout-tab-checklist').click();
  // the first value an analyst has to look at (steps that restate the rule are checked from the alert itself)
  const value = flyout.getByTestId('checklist-step-value').first();
  const field = (await value.locator('code').first().innerText()).trim();
  expect(field.length).toBeGreaterThan(0);
  const inUrl = new RegExp(`f\\.${field.replace(/\./g, '\\.')}=`);
  await value.getByTestId('step-filter-value').click();
  await expect(page).toHaveURL(inUrl);
  await expect(page.getByTestId('field-filter-badge')).toContainText(field);
  await waitForRows(page);
  await page.getByTestId('field-filter-badge').getByRole('button').click();
  await expect(page).not.toHaveURL(inUrl);
});

test('"show related events" lists the events of a step\'s value', async () => {
  await openFirstAlert();
  const flyout = page.getByTestId('alert-flyout');
  await flyout.getByTestId('alert-flyout-tab-checklist').click();
  await flyout.getByTestId('checklist-step-value').first().getByTestId('step-related-events').click();
  const related = page.getByTestId('related-events-flyout');
  await expect(related).toBeVisible();
  await expect(related.locator('tbody tr').first()).toBeVisible();
  await snap(page, '10-related-events');
  await related.getByRole('button', { name: /close/i }).first().click();
  await flyout.getByTestId('alert-flyout-close').click();
});

test('the row shows checklist progress', async () => {
  await page.goto('/alerts?status=closed');
  await waitForRows(page);
  await expect(page.getByTestId('alert-row').first().getByTestId('checklist-progress')).not.toContainText(/^0\//);
});

test('nothing the path used was blocked by the Content Security Policy', () => {
  expect(cspViolations).toEqual([]);
});
