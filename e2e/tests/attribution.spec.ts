import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { SeedClient } from '../support/api-client';
import { adminUser, analystUser, baseURL, ruleId } from '../support/env';
import { loginAs, snap, waitForRows } from '../support/session';

// Who ran the exec: this spec seeds its own sessions and audit events (it does not rely on the global seed
// having any), then follows an analyst from the table to the flyout and the checklist.
test.describe.configure({ mode: 'serial' });

const cluster = 'e2e-attr-cluster';
const namespace = 'e2e-attr';
const kubectl = 'kubectl/v1.31.0 (linux/amd64) kubernetes/abc1234';
const sreReason = 'RBAC: allowed by ClusterRoleBinding "sre-exec" of ClusterRole "exec" to Group "sre"';

/** The sessions seeded here, by what their attribution should come out as. */
const pods = {
  exact: 'e2e-attr-pod',
  ambiguous: 'e2e-attr-pod-shared',
  none: 'e2e-attr-pod-late',
} as const;
type Case = keyof typeof pods;

interface AlertSummary {
  id: string;
  attribution: { match: string };
}

const alertIds: Partial<Record<Case, string>> = {};
let context: BrowserContext;
let page: Page;

/** The process event of `kubectl exec -it <pod> -- bash`: the shell is the container's entry leader. */
function execEvent(pod: string, start: number, index: number): Record<string, unknown> {
  const iso = new Date(start).toISOString();
  const entityId = Buffer.from(`e2e-attr-${pod}-${start}`).toString('base64');
  const shell = {
    args: ['bash'],
    entity_id: entityId,
    executable: '/bin/bash',
    interactive: true,
    name: 'bash',
    pid: 41_000 + index,
    start: iso,
    working_directory: '/',
    user: { id: '0', name: 'root' },
    group: { id: '0' },
  };
  return {
    '@timestamp': iso,
    agent: { id: '7829f26d-c2d1-4eaf-a1ac-cd9cb9e12f75', type: 'cloud-defend', version: '8.16.0' },
    cloud_defend: { matched_selectors: ['allProcesses'], hook_point: ['tracepoint__sched_process_exec'] },
    container: { id: `e2e-attr-${index}-${start.toString(36)}`, name: 'app', image: { name: 'registry.example.com/shop/web', tag: '1.4.2' } },
    data_stream: { dataset: 'cloud_defend.process', namespace: 'default', type: 'logs' },
    ecs: { version: '8.7.0' },
    event: { action: 'exec', category: ['process'], type: ['start'], kind: 'event', module: 'cloud_defend', dataset: 'cloud_defend.process', id: randomUUID() },
    host: { name: 'worker-e2e-1', hostname: 'worker-e2e-1', os: { type: 'linux' } },
    orchestrator: { cluster: { name: cluster }, namespace, resource: { name: pod, type: 'pod' } },
    process: {
      ...shell,
      entry_leader: { ...shell, entry_meta: { type: 'container' }, same_as_process: true },
      session_leader: { ...shell, entry_meta: { type: 'container' }, same_as_process: true },
      group_leader: { ...shell, same_as_process: true },
      parent: { args: ['runc', 'init'], entity_id: Buffer.from(`runc-${entityId}`).toString('base64'), executable: '/usr/bin/runc', interactive: false, name: 'runc', pid: 40_000 + index, start: new Date(start - 120).toISOString(), user: { id: '0' } },
    },
    user: { id: '0', name: 'root' },
  };
}

interface ExecRequest {
  pod: string;
  username: string;
  groups: string[];
  sourceIP: string;
  /** Request time minus the session start, ms. */
  offsetMs: number;
  code: number;
  decision: 'allow' | 'forbid';
  reason: string;
}

/** The audit events of one `kubectl exec` request over WebSocket: RequestReceived, then the 101 (or the refusal). */
function auditEvents(request: ExecRequest, start: number): Array<Record<string, unknown>> {
  const received = new Date(start + request.offsetMs).toISOString();
  const answered = new Date(start + request.offsetMs + 40).toISOString();
  const auditID = randomUUID();
  const common = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    requestURI: `/api/v1/namespaces/${namespace}/pods/${request.pod}/exec?command=bash&container=app&stdin=true&stdout=true&tty=true`,
    verb: 'get',
    user: { username: request.username, groups: request.groups },
    sourceIPs: [request.sourceIP],
    userAgent: kubectl,
    objectRef: { resource: 'pods', namespace, name: request.pod, apiVersion: 'v1', subresource: 'exec' },
    requestReceivedTimestamp: received,
  };
  const annotations = { 'authorization.k8s.io/decision': request.decision, 'authorization.k8s.io/reason': request.reason };
  if (request.code >= 400) {
    return [{ ...common, stage: 'ResponseComplete', stageTimestamp: answered, responseStatus: { code: request.code, status: 'Failure', reason: 'Forbidden' }, annotations }];
  }
  return [
    { ...common, stage: 'RequestReceived', stageTimestamp: received },
    { ...common, stage: 'ResponseStarted', stageTimestamp: answered, responseStatus: { code: request.code }, annotations },
  ];
}

async function listAlerts(api: SeedClient, pod: string): Promise<AlertSummary[]> {
  const { alerts } = (await api.request('GET', `/api/alerts?status=open,acknowledged,closed&field.orchestrator.resource.name=${encodeURIComponent(pod)}`)) as { alerts: AlertSummary[] };
  return alerts;
}

test.beforeAll(async ({ browser }) => {
  const api = new SeedClient(baseURL, adminUser.username, adminUser.password);
  const now = Date.now();
  const starts: Record<Case, number> = { exact: now - 12 * 60_000, ambiguous: now - 11 * 60_000, none: now - 10 * 60_000 };
  const sre = ['sre', 'system:authenticated'];
  const requests: ExecRequest[] = [
    { pod: pods.exact, username: 'alice@example.com', groups: sre, sourceIP: '198.51.100.7', offsetMs: -300, code: 101, decision: 'allow', reason: sreReason },
    {
      pod: pods.exact,
      username: 'mallory',
      groups: ['contractors', 'system:authenticated'],
      sourceIP: '203.0.113.50',
      offsetMs: -1500,
      code: 403,
      decision: 'forbid',
      reason: 'RBAC: no rule allows "get" on "pods/exec" in namespace "e2e-attr"',
    },
    { pod: pods.ambiguous, username: 'bob@example.com', groups: sre, sourceIP: '198.51.100.20', offsetMs: -800, code: 101, decision: 'allow', reason: sreReason },
    { pod: pods.ambiguous, username: 'carol@example.com', groups: sre, sourceIP: '198.51.100.21', offsetMs: -150, code: 101, decision: 'allow', reason: sreReason },
    // A minute early: the pod has audit events, none of them fits the session.
    { pod: pods.none, username: 'dave@example.com', groups: sre, sourceIP: '198.51.100.30', offsetMs: -60_000, code: 101, decision: 'allow', reason: sreReason },
  ];
  const caseOf = (pod: string): Case => (Object.keys(pods) as Case[]).find((k) => pods[k] === pod) ?? 'exact';
  const items = requests.flatMap((r) => auditEvents(r, starts[caseOf(r.pod)]));
  // The audit events first: the rule run then attributes its new alerts at once.
  await api.request('POST', `/api/k8s/audit?cluster=${cluster}`, { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });

  const events = (Object.keys(pods) as Case[]).map((k, i) => execEvent(pods[k], starts[k], i));
  await api.bulk(events.flatMap((e) => [JSON.stringify({ create: { _index: 'logs-cloud_defend.process-default' } }), JSON.stringify(e)]).join('\n') + '\n');
  const run = (await api.request('POST', `/api/rules/${ruleId}/_run`, { from: 'now-2h', to: 'now+5m' })) as { status: string; error: string | null };
  expect(run.status, run.error ?? '').not.toBe('failed');

  const expected: Record<Case, string> = { exact: 'exact', ambiguous: 'ambiguous', none: 'none' };
  for (const k of Object.keys(pods) as Case[]) {
    await expect
      .poll(async () => (await listAlerts(api, pods[k]))[0]?.attribution.match, { message: `attribution of the ${k} session`, timeout: 20_000 })
      .toBe(expected[k]);
    alertIds[k] = (await listAlerts(api, pods[k]))[0]?.id;
  }

  // axe needs a page of a context made with newContext()
  context = await browser.newContext();
  page = await context.newPage();
  await loginAs(page, analystUser);
  await waitForRows(page);
});

test.afterAll(async () => {
  await context.close();
});

/** Serious and critical axe findings inside `selector`. */
async function seriousViolations(selector: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).include(selector).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

function row(id: string | undefined) {
  return page.locator(`[data-test-subj="alert-row"][data-alert-id="${id ?? 'missing'}"]`);
}

async function openAlert(id: string | undefined): Promise<void> {
  await row(id).getByTestId('alert-open').click();
  await expect(page.getByTestId('alert-flyout')).toBeVisible();
  await expect(page.getByTestId('alert-flyout').getByTestId('attribution-panel')).toBeVisible();
}

test('requested_by in the query finds the Kubernetes user and the column shows it', async () => {
  await expect(page.getByRole('columnheader', { name: /Requested by/ })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: /Linux user/ })).toBeVisible();
  await page.getByTestId('alerts-query').fill('requested_by:alice*');
  await page.getByTestId('alerts-query').press('Enter');
  await expect(page).toHaveURL(/query=requested_by%3Aalice/);
  await waitForRows(page);
  await expect(page.getByTestId('alert-row')).toHaveCount(1);
  const cell = row(alertIds.exact).getByTestId('requested-by');
  await expect(cell).toContainText('alice@example.com');
  await expect(cell).toHaveAttribute('data-attribution-match', 'exact');
  await snap(page, 'attribution-01-requested-by-query');
});

test('the cell filters by the user, and sorting by Requested by is kept in the URL', async () => {
  await page.goto(`/alerts?query=${encodeURIComponent(`namespace:${namespace}`)}`);
  await waitForRows(page);
  await expect(page.getByTestId('alert-row')).toHaveCount(3);
  await expect(row(alertIds.ambiguous).getByTestId('requested-by')).toContainText('ambiguous (2)');
  await expect(row(alertIds.none).getByTestId('requested-by')).toContainText('none');
  await page.getByRole('button', { name: 'Requested by', exact: true }).click();
  await expect(page).toHaveURL(/sort=requested_by/);
  await waitForRows(page);
  await snap(page, 'attribution-02-column');
  expect(await seriousViolations('[data-test-subj="alerts-table"]')).toEqual([]);

  await row(alertIds.exact).getByTestId('requested-by-filter').click();
  await expect(page).toHaveURL(/requested_by=alice%40example\.com/);
  await expect(page.getByTestId('alert-row')).toHaveCount(1);
  await expect(page.getByTestId('filter-requested_by')).toContainText('alice@example.com');
});

test('the flyout names alice, beside the Linux user in the container, and the refused attempt', async () => {
  await openAlert(alertIds.exact);
  const panel = page.getByTestId('alert-flyout').getByTestId('attribution-panel');
  await expect(panel.getByTestId('attribution-match')).toHaveText('Attributed');
  await expect(panel.getByTestId('attribution-user')).toHaveText('alice@example.com');
  await expect(panel.getByTestId('attribution-groups')).toContainText('sre');
  await expect(panel.getByTestId('attribution-request')).toContainText('198.51.100.7');
  await expect(panel.getByTestId('attribution-request')).toContainText('kubectl/v1.31.0');
  await expect(panel.getByTestId('attribution-decision')).toContainText('ClusterRoleBinding "sre-exec"');
  await expect(panel.getByTestId('attribution-refused')).toContainText('Refused: mallory from 203.0.113.50, 403');
  await expect(panel).toContainText('Linux user in the container');
  await expect(panel.getByTestId('container-user')).toHaveText('root');
  await expect(page.getByTestId('alert-entity')).toContainText('Linux user in the container');
  await snap(page, 'attribution-03-flyout-exact');
  expect(await seriousViolations('[data-test-subj="attribution-panel"]')).toEqual([]);
  await panel.getByTestId('attribution-match').hover();
  await expect(page.getByRole('tooltip')).toContainText('Exactly one kube-apiserver request fits');
});

test('the checklist step about the user or service account is answered from the audit log', async () => {
  const flyout = page.getByTestId('alert-flyout');
  await flyout.getByTestId('alert-flyout-tab-checklist').click();
  const step = flyout.getByTestId('checklist-step').filter({ hasText: 'user or service account' });
  await expect(step.getByTestId('checklist-step-answer')).toHaveText(/Kubernetes: alice@example\.com \(sre\) from 198\.51\.100\.7 via kubectl\/v1\.31\.0/);
  await expect(step.getByTestId('checklist-step-value-hint').first()).toHaveText('(Linux user in the container)');
  await step.scrollIntoViewIfNeeded();
  await snap(page, 'attribution-04-checklist');
  expect(await seriousViolations('[data-test-subj="checklist-step-answer"]')).toEqual([]);
  await flyout.getByTestId('alert-flyout-close').click();
  await expect(page.getByTestId('alert-flyout')).toBeHidden();
});

test('the verdict filter lists the ambiguous session, whose flyout shows both candidates and picks none', async () => {
  await page.goto(`/alerts?query=${encodeURIComponent(`namespace:${namespace}`)}`);
  await waitForRows(page);
  await page.getByTestId('filter-attribution').click();
  await page.getByTestId('attribution-option-ambiguous').click();
  await expect(page).toHaveURL(/attribution=ambiguous/);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('alert-row')).toHaveCount(1);
  await openAlert(alertIds.ambiguous);
  const panel = page.getByTestId('alert-flyout').getByTestId('attribution-panel');
  await expect(panel.getByTestId('attribution-match')).toHaveText('Ambiguous');
  await expect(panel).toContainText('2 requests fit this session; Execwatch does not pick one');
  const candidates = panel.getByTestId('attribution-candidates').getByTestId('attribution-candidate');
  await expect(candidates).toHaveCount(2);
  await expect(candidates.nth(0)).toContainText('carol@example.com');
  await expect(candidates.nth(0)).toContainText('-150 ms');
  await expect(candidates.nth(1)).toContainText('bob@example.com');
  await expect(candidates.nth(1)).toContainText('198.51.100.20');
  await expect(panel.getByTestId('attribution-user')).toHaveCount(0);
  await snap(page, 'attribution-05-flyout-ambiguous');
  expect(await seriousViolations('[data-test-subj="attribution-panel"]')).toEqual([]);
  await page.getByTestId('alert-flyout').getByTestId('alert-flyout-close').click();
});

test('a session no request fits says so in plain words', async () => {
  await page.goto(`/alerts?attribution=none&query=${encodeURIComponent(`namespace:${namespace}`)}`);
  await waitForRows(page);
  await openAlert(alertIds.none);
  const panel = page.getByTestId('alert-flyout').getByTestId('attribution-panel');
  await expect(panel.getByTestId('attribution-match')).toHaveText('Not attributed');
  await expect(panel.getByTestId('attribution-reason')).toContainText('no exec request fits this session');
  await snap(page, 'attribution-06-flyout-none');
  await page.getByTestId('alert-flyout').getByTestId('alert-flyout-close').click();
});

test('grouping by Requested by gives alice her own group', async () => {
  await page.goto(`/alerts?group=requested_by&query=${encodeURIComponent(`namespace:${namespace}`)}`);
  const groups = page.getByTestId('alert-group');
  await expect(groups.filter({ hasText: 'alice@example.com' })).toBeVisible();
  await expect(groups.filter({ hasText: '(no exact attribution)' })).toContainText('2 alerts');
  await expect(page.locator('.euiLoadingChart')).toHaveCount(0);
  await snap(page, 'attribution-07-grouped');
});
