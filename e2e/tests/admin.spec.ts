import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { adminUser, analystUser, baseURL } from '../support/env';
import { SeedClient } from '../support/api-client';
import { loginAs, snap } from '../support/session';

const AUDIT_PAGE = 25;
/** A password hash or check waits its turn behind others on a busy machine. */
const SIGN_IN_WAIT = 30_000;

// One story: what the first tests do (a user, a key) is what the audit log test looks for.
test.describe.configure({ mode: 'serial' });

const newUser = { username: `night-shift-${Date.now().toString(36)}`, password: 'first-password-of-the-shift' };
const keyName = `shipper-${Date.now().toString(36)}`;

/** `GET /api/auth/me` with an API key, from Node (as a shipper or a script would). */
async function meWithKey(encoded: string): Promise<{ status: number; body: { user?: { username: string }; authentication?: string } }> {
  const response = await fetch(`${baseURL}/api/auth/me`, { headers: { authorization: `ApiKey ${encoded}` } });
  return { status: response.status, body: (await response.json()) as { user?: { username: string }; authentication?: string } };
}

const userRow = (page: Page, username: string) => page.locator(`[data-test-subj="user-row"][data-username="${username}"]`);

async function pickInComboBox(page: Page, testSubj: string, value: string): Promise<void> {
  const input = page.getByTestId(testSubj).getByTestId('comboBoxSearchInput');
  await input.click();
  await input.fill(value);
  await input.press('Enter');
}

test('an admin creates a user, the user signs in, the admin disables them and their session ends', async ({ page, browser }) => {
  // Five scrypt password hashes or checks (about a second each when idle, several on a busy machine).
  test.slow();
  await loginAs(page, adminUser, '/alerts');
  await page.getByTestId('nav-admin').click();
  await expect(page.getByTestId('users-table')).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/users$/);

  // Oneself cannot be disabled: the control says why.
  const selfToggle = userRow(page, adminUser.username).getByTestId('user-toggle-blocked');
  await expect(selfToggle.getByTestId('user-disable')).toBeDisabled();
  await selfToggle.hover();
  await expect(page.getByRole('tooltip')).toContainText('cannot disable your own account');

  await page.getByTestId('user-create').click();
  const form = page.getByTestId('user-create-modal');
  await form.getByTestId('user-form-username').fill(newUser.username);
  await form.getByTestId('user-form-full-name').fill('Night Shift Analyst');
  await form.getByTestId('user-form-password').fill('too-short');
  await form.getByTestId('user-form-submit').click();
  await expect(form).toContainText('at least 12 characters');
  await form.getByTestId('user-form-password').fill(newUser.password);
  await snap(page, 'admin-01-create-user');
  await form.getByTestId('user-form-submit').click();
  await expect(form).toBeHidden({ timeout: SIGN_IN_WAIT });
  await expect(page.getByTestId('toast').filter({ hasText: `User ${newUser.username} created` })).toBeVisible();
  await expect(userRow(page, newUser.username).getByTestId('user-roles')).toHaveText('analyst');

  // A user that exists already: the server's message, in words.
  await page.getByTestId('user-create').click();
  await form.getByTestId('user-form-username').fill(newUser.username);
  await form.getByTestId('user-form-password').fill(newUser.password);
  await form.getByTestId('user-form-submit').click();
  await expect(form.getByTestId('admin-form-error')).toContainText(`user [${newUser.username}] already exists`);
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();

  // The new user signs in through the form, in a browser of their own.
  const theirContext = await browser.newContext();
  try {
    const theirs = await theirContext.newPage();
    await theirs.goto('/alerts');
    await theirs.getByTestId('login-username').fill(newUser.username);
    await theirs.getByTestId('login-password').fill(newUser.password);
    await theirs.getByTestId('login-submit').click();
    await expect(theirs.getByTestId('current-user')).toContainText('Night Shift Analyst (analyst)', { timeout: SIGN_IN_WAIT });

    // A password reset says what it does to the user before it is confirmed.
    await userRow(page, newUser.username).getByTestId('user-reset-password').click();
    const reset = page.getByTestId('user-password-modal');
    await expect(reset).toContainText(`signs ${newUser.username} out everywhere`);
    await expect(reset).toContainText('revokes all their API keys');
    await reset.getByTestId('user-form-password').fill('short');
    await reset.getByTestId('user-form-submit').click();
    await expect(reset).toContainText('at least 12 characters');
    await snap(page, 'admin-02-reset-password');
    await reset.getByRole('button', { name: 'Cancel' }).click();
    await expect(reset).toBeHidden();

    await userRow(page, newUser.username).getByTestId('user-disable').click();
    const confirm = page.getByTestId('user-toggle-confirm');
    await expect(confirm).toContainText('open sessions end at once');
    await expect(confirm).toContainText('API keys are revoked');
    await snap(page, 'admin-02b-disable-confirm');
    await confirm.getByRole('button', { name: 'Disable' }).click();
    await expect(userRow(page, newUser.username)).toHaveAttribute('data-enabled', 'false');
    await expect(userRow(page, newUser.username).getByTestId('user-status')).toHaveText('Disabled');
    await snap(page, 'admin-03-users');

    // Their session has ended: the API refuses it, and the next page load shows the login form.
    expect((await theirs.request.get('/api/auth/me')).status()).toBe(401);
    await theirs.reload();
    await expect(theirs.getByTestId('login-form')).toBeVisible();
    await theirs.getByTestId('login-username').fill(newUser.username);
    await theirs.getByTestId('login-password').fill(newUser.password);
    await theirs.getByTestId('login-submit').click();
    await expect(theirs.getByTestId('login-error')).toBeVisible({ timeout: SIGN_IN_WAIT });
  } finally {
    await theirContext.close();
  }
});

test('an admin creates an API key, sees it once, uses it, and revokes it', async ({ page }) => {
  await loginAs(page, adminUser, '/admin/api-keys');
  await expect(page.getByTestId('api-keys-table')).toBeVisible();
  await page.getByTestId('api-key-create').click();
  const form = page.getByTestId('api-key-create-modal');
  await expect(form.getByTestId('api-key-form-access')).toContainText('admin');
  await form.getByTestId('api-key-form-name').fill(keyName);
  await form.getByTestId('api-key-form-expiration').selectOption('30d');
  await form.getByTestId('api-key-form-submit').click();

  const created = page.getByTestId('api-key-created');
  await expect(created).toBeVisible();
  const encoded = ((await created.getByTestId('api-key-encoded').textContent()) ?? '').trim();
  expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
  const [id] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
  await expect(created.getByTestId('api-key-snippet')).toContainText(`Authorization: ApiKey ${encoded}`);
  await created.getByTestId('api-key-snippet-tab-filebeat').click();
  await expect(created.getByTestId('api-key-snippet')).toContainText(`api_key: "${id}:`);
  await expect(created.getByTestId('api-key-snippet')).toContainText('output.elasticsearch:');
  const row = page.locator(`[data-test-subj="api-key-row"][data-key-id="${id}"]`);
  await expect(row.getByTestId('api-key-status')).toHaveText('Active');
  await snap(page, 'admin-04-api-key-created');

  const works = await meWithKey(encoded);
  expect(works.status).toBe(200);
  expect(works.body.user?.username).toBe(adminUser.username);
  expect(works.body.authentication).toBe('api_key');

  // Shown once: gone after "I have copied it" and after a reload.
  await created.getByTestId('api-key-created-done').click();
  await expect(created).toBeHidden();
  await page.reload();
  await expect(row).toBeVisible();
  expect(await page.content()).not.toContain(encoded);

  await row.getByTestId('api-key-revoke').click();
  const confirm = page.getByTestId('api-key-revoke-confirm');
  await expect(confirm).toContainText('refused with 401');
  await confirm.getByRole('button', { name: 'Revoke' }).click();
  await expect(row.getByTestId('api-key-status')).toHaveText('Revoked');
  await expect(row.getByTestId('api-key-revoke')).toBeDisabled();
  await snap(page, 'admin-05-api-key-revoked');
  expect((await meWithKey(encoded)).status).toBe(401);
});

test('an analyst has no Admin link, is told the users page is not allowed, and manages only their own keys', async ({ page }) => {
  await loginAs(page, analystUser, '/alerts');
  await expect(page.getByTestId('nav-api-keys')).toBeVisible();
  await expect(page.getByTestId('nav-admin')).toHaveCount(0);

  await page.goto('/admin/users');
  const refused = page.getByTestId('admin-not-allowed');
  await expect(refused).toContainText('You are not allowed to see the users');
  await expect(refused).toContainText('does not allow managing users');
  await expect(page.getByTestId('users-table')).toHaveCount(0);
  await snap(page, 'admin-06-analyst-not-allowed');
  await page.goto('/admin/audit');
  await expect(page.getByTestId('admin-not-allowed')).toContainText('the audit log');

  await page.getByTestId('nav-api-keys').click();
  await expect(page).toHaveURL(/\/admin\/api-keys$/);
  await page.getByTestId('api-key-create').click();
  await page.getByTestId('api-key-form-name').fill(`${keyName}-analyst`);
  await page.getByTestId('api-key-form-submit').click();
  await expect(page.getByTestId('api-key-created')).toBeVisible();
  const rows = page.getByTestId('api-key-row');
  await expect(rows.filter({ hasText: `${keyName}-analyst` })).toHaveCount(1);
  // The admin's key of the test before is not the analyst's to see.
  await expect(rows.filter({ hasText: keyName }).filter({ hasNotText: `${keyName}-analyst` })).toHaveCount(0);
  for (const owner of await page.locator('[data-test-subj="api-key-row"] td:nth-child(2)').allInnerTexts()) expect(owner).toContain(analystUser.username);
  await snap(page, 'admin-07-analyst-keys');
});

test('the audit log filters by actor and action and shows what was just done; export downloads ndjson', async ({ page }) => {
  await loginAs(page, adminUser, '/admin/audit');
  await expect(page.getByTestId('audit-table')).toBeVisible();
  await expect(page.getByTestId('audit-row').first()).toBeVisible();

  await pickInComboBox(page, 'audit-filter-actor', adminUser.username);
  await expect(page).toHaveURL(/[?&]user=admin(&|$)/);
  const rows = page.getByTestId('audit-row');
  await expect(rows.filter({ has: page.locator(`[data-test-subj="audit-target"]:text-is("user ${newUser.username}")`) }).first()).toBeVisible();
  await expect(page.locator('[data-test-subj="audit-row"][data-action="api_key.invalidate"]').first()).toBeVisible();
  await expect(page.locator('[data-test-subj="audit-row"]:not([data-actor="admin"])')).toHaveCount(0);

  await pickInComboBox(page, 'audit-filter-action', 'user.update');
  await expect(page).toHaveURL(/[?&]action=user\.update(&|$)/);
  await expect(page.locator('[data-test-subj="audit-row"]:not([data-action="user.update"])')).toHaveCount(0);
  const disabled = rows.filter({ hasText: newUser.username }).first();
  await expect(disabled).toBeVisible();
  await disabled.getByTestId('audit-row-expand').click();
  await expect(page.getByTestId('audit-details')).toContainText('"enabled": false');
  await snap(page, 'admin-08-audit-filtered');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
  expect(download.suggestedFilename()).toMatch(/\.ndjson$/);
  const path = await download.path();
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  expect(lines.length).toBeGreaterThan(0);
  const events = lines.map((l) => JSON.parse(l) as { user: string; action: string; target: { id: string | null } });
  expect(events.every((e) => e.user === adminUser.username && e.action === 'user.update')).toBe(true);
  expect(events.some((e) => e.target.id === newUser.username)).toBe(true);
  await expect(page.getByTestId('toast').filter({ hasText: 'Audit log exported' })).toBeVisible();
});

test('the audit log pages through the matching events, newest first', async ({ page }) => {
  // More keys than one page holds, so the log has a second page of api_key.create events.
  const admin = new SeedClient(baseURL, adminUser.username, adminUser.password);
  for (let i = 0; i < AUDIT_PAGE + 1; i++) await admin.request('POST', '/api/security/api_key', { name: `${keyName}-page-${i}`, expiration: '1d' });

  const log = (await admin.request('GET', `/api/audit?action=api_key.create&size=${AUDIT_PAGE * 2}`)) as { events: Array<{ '@timestamp': string; target: { type: string; id: string } }> };
  const times = log.events.map((e) => Date.parse(e['@timestamp']));
  expect(times).toEqual([...times].sort((a, b) => b - a));
  const expected = log.events.map((e) => `${e.target.type} ${e.target.id}`);

  await loginAs(page, adminUser, '/admin/audit?action=api_key.create');
  const targets = page.getByTestId('audit-row').getByTestId('audit-target');
  await expect(page.getByTestId('audit-row')).toHaveCount(AUDIT_PAGE);
  await expect(targets).toHaveText(expected.slice(0, AUDIT_PAGE));
  await page.getByTestId('pagination-button-next').click();
  await expect(page).toHaveURL(/[?&]page=2(&|$)/);
  await expect(targets.first()).toHaveText(expected[AUDIT_PAGE]);
  await snap(page, 'admin-09-audit-page-2');
});
