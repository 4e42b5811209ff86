/**
 * Who ran the exec, through the real server: audit events in (webhook and bulk), the join at rule run and when
 * audit events arrive late, the attribution on the stored alert and in the API.
 */
import type { Alert, AlertDetail, AuditEvent, Execution, ListAlertsResponse, Rule } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkBody, processEvent } from '../../testing/events';
import { seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

interface AuditSpec {
  id: string;
  pod: string;
  namespace?: string;
  at: number;
  user: string;
  groups?: string[];
  verb?: 'get' | 'create';
  command?: string[];
  code?: number;
  decision?: 'allow' | 'forbid';
  stage?: 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete';
  sourceIP?: string;
  userAgent?: string;
}

/** One kube-apiserver audit event as the webhook backend sends it. */
function auditEvent(s: AuditSpec): Record<string, unknown> {
  const namespace = s.namespace ?? 'default';
  const params = new URLSearchParams();
  for (const c of s.command ?? ['bash']) params.append('command', c);
  params.append('stdin', 'true');
  params.append('stdout', 'true');
  params.append('tty', 'true');
  const stage = s.stage ?? 'ResponseComplete';
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: s.id,
    stage,
    requestURI: `/api/v1/namespaces/${namespace}/pods/${s.pod}/exec?${params.toString()}`,
    verb: s.verb ?? 'get',
    user: { username: s.user, groups: s.groups ?? ['system:authenticated'] },
    sourceIPs: [s.sourceIP ?? '198.51.100.7'],
    userAgent: s.userAgent ?? 'kubectl/v1.31.0 (linux/amd64) kubernetes/9a1b2c3',
    objectRef: { resource: 'pods', namespace, name: s.pod, apiVersion: 'v1', subresource: 'exec' },
    ...(stage === 'RequestReceived' ? {} : { responseStatus: { metadata: {}, code: s.code ?? 101 } }),
    requestReceivedTimestamp: new Date(s.at).toISOString(),
    stageTimestamp: new Date(s.at + 40).toISOString(),
    annotations: {
      'authorization.k8s.io/decision': s.decision ?? 'allow',
      'authorization.k8s.io/reason': `RBAC: allowed by ClusterRoleBinding "exec" of ClusterRole "exec" to User "${s.user}"`,
    },
  };
}

const eventList = (items: unknown[]) => ({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

/** An interactive exec session into `pod` whose shell started at `at`. */
async function ingestSession(pod: string, at: number, leader: string): Promise<void> {
  const shell = processEvent({ at, entityId: leader, entryLeaderId: leader, name: 'bash', pod });
  const process = shell.process as Record<string, unknown>; // built as an object by processEvent
  process.entry_leader = { ...(process.entry_leader as Record<string, unknown>), start: new Date(at).toISOString(), args: ['bash'] }; // an object too
  const res = await server.request('POST', '/_bulk', { rawBody: bulkBody([shell]), headers: { 'content-type': 'application/x-ndjson' } });
  expect(res.status).toBe(200);
}

async function runRule(): Promise<void> {
  server.clock.advance(1000);
  const { status } = await server.json('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-1h' } });
  expect(status).toBe(200);
}

async function alertOfPod(pod: string): Promise<Alert> {
  const { body } = await server.json<ListAlertsResponse>('GET', `/api/alerts?size=100&from=now-1d&field.orchestrator.resource.name=${pod}`);
  const alert = body.alerts[0];
  if (!alert) throw new Error(`no alert for pod ${pod}`);
  return alert;
}

describe('the audit webhook', () => {
  it('stores an EventList as integration-shaped events, once per request and stage', async () => {
    const at = server.clock.now() - 30_000;
    const batch = eventList([auditEvent({ id: 'w-1', pod: 'hook-pod', at, user: 'alice@example.com', stage: 'RequestReceived' }), auditEvent({ id: 'w-1', pod: 'hook-pod', at, user: 'alice@example.com' })]);
    const first = await server.json<{ stored: number; duplicates: number; errors: unknown[] }>('POST', '/api/k8s/audit?cluster=prod-eu', { body: batch });
    expect(first).toMatchObject({ status: 200, body: { stored: 2, duplicates: 0, errors: [] } });
    // the apiserver sends a batch again when an answer is lost
    const again = await server.json<{ stored: number; duplicates: number }>('POST', '/api/k8s/audit?cluster=prod-eu', { body: batch });
    expect(again.body).toMatchObject({ stored: 0, duplicates: 2 });
    const events = await server.store.kubeAudit.forPod({ namespace: 'default', pod: 'hook-pod', from: at - 1000, to: at + 1000, limit: 10 });
    expect(events).toHaveLength(2);
    expect(events[0]?._index).toBe('logs-kubernetes.audit_logs-default');
    expect(events[1]?._source).toMatchObject({
      '@timestamp': new Date(at).toISOString(),
      event: { dataset: 'kubernetes.audit_logs', action: 'get' },
      user: { name: 'alice@example.com' },
      orchestrator: { cluster: { name: 'prod-eu' } },
      kubernetes: { audit: { auditID: 'w-1', annotations: { 'authorization_k8s_io/decision': 'allow' } } },
    });
  });

  it('reports malformed items one by one and stores the rest', async () => {
    const good = auditEvent({ id: 'w-2', pod: 'hook-pod', at: server.clock.now() - 20_000, user: 'bob' });
    const { status, body } = await server.json<{ stored: number; errors: { item: number; reason: string }[] }>('POST', '/api/k8s/audit', {
      body: eventList([good, { kind: 'Event', stage: 'ResponseComplete' }, 'not an event', { ...good, auditID: 'w-3', requestReceivedTimestamp: 'yesterday' }]),
    });
    expect(status).toBe(200);
    expect(body.stored).toBe(1);
    expect(body.errors.map((e) => e.item)).toEqual([1, 2, 3]);
    expect(body.errors[0]?.reason).toMatch(/auditID/);
  });

  it('fails an event nested too deeply on its own, and stores the others', async () => {
    const good = auditEvent({ id: 'w-deep-ok', pod: 'hook-pod', at: server.clock.now() - 20_000, user: 'bob' });
    const bad = JSON.stringify({ ...auditEvent({ id: 'w-deep', pod: 'hook-pod', at: server.clock.now() - 20_000, user: 'bob' }), level: 'RequestResponse' });
    // written as text: JSON.stringify itself cannot go 20,000 levels deep
    const deep = `${'{"d":'.repeat(20_000)}{"leaf":1}${'}'.repeat(20_000)}`;
    const rawBody = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${JSON.stringify(good)},${bad.slice(0, -1)},"requestObject":${deep}}]}`;
    const { status, body } = await server.json<{ stored: number; errors: { item: unknown; reason: string }[] }>('POST', '/api/k8s/audit', { rawBody, headers: { 'content-type': 'application/json' } });
    expect(status).toBe(200);
    expect(body.stored).toBe(1);
    expect(body.errors).toEqual([{ item: 'w-deep', reason: 'the event is nested too deeply to store' }]);
    expect((await server.json('GET', '/api/health', { user: null })).status).toBe(200);
  });

  it('takes an ingest API key as the bearer token a webhook kubeconfig sends', async () => {
    await server.auth.ensureUser({ username: 'apiserver', password: 'apiserver-password-1', roles: ['ingest'] });
    const key = await server.auth.createApiKey('apiserver', 'audit webhook');
    const batch = eventList([auditEvent({ id: 'w-bearer', pod: 'hook-pod', at: server.clock.now() - 10_000, user: 'bob' })]);
    const ok = await server.json<{ stored: number }>('POST', '/api/k8s/audit', { user: null, body: batch, headers: { authorization: `Bearer ${key.encoded}` } });
    expect(ok).toMatchObject({ status: 200, body: { stored: 1 } });
    expect((await server.json('POST', '/api/k8s/audit', { user: null, body: batch, headers: { authorization: 'Bearer not-a-key' } })).status).toBe(401);
  });

  it('answers 400 to a body that is not an EventList, and needs the ingest ability', async () => {
    for (const bad of [[], { kind: 'Event' }, { kind: 'EventList', apiVersion: 'audit.k8s.io/v1beta1', items: [] }, { kind: 'EventList', items: {} }]) {
      const { status, body } = await server.json<{ message: string }>('POST', '/api/k8s/audit', { body: bad });
      expect(status, JSON.stringify(bad)).toBe(400);
      expect(body.message).toMatch(/^body: /);
    }
    expect((await server.json('POST', '/api/k8s/audit?cluster=bad%20name', { body: eventList([]) })).status).toBe(400);
    expect((await server.json('POST', '/api/k8s/audit', { user: 'analyst', body: eventList([]) })).status).toBe(403);
    expect((await server.json('POST', '/api/k8s/audit', { user: null, body: eventList([]) })).status).toBe(401);
  });
});

describe('raw audit events through the bulk API', () => {
  it('maps an audit log line sent to an audit data stream as the integration would', async () => {
    const at = server.clock.now() - 15_000;
    const raw = auditEvent({ id: 'b-1', pod: 'bulk-pod', at, user: 'carol' });
    const { status, body } = await server.json<{ errors: boolean }>('POST', '/logs-kubernetes.audit_logs-default/_bulk', {
      rawBody: bulkBody([raw], 'logs-kubernetes.audit_logs-default'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(status).toBe(200);
    expect(body.errors).toBe(false);
    const events = await server.store.kubeAudit.forPod({ namespace: 'default', pod: 'bulk-pod', from: at - 1000, to: at + 1000, limit: 10 });
    expect(events[0]?._source).toMatchObject({ '@timestamp': new Date(at).toISOString(), user: { name: 'carol' }, kubernetes: { audit: { auditID: 'b-1' } } });
  });
});

describe('attribution', () => {
  it('names the person behind an exec whose audit events came first', async () => {
    const at = server.clock.now() - 40_000;
    await server.json('POST', '/api/k8s/audit', {
      body: eventList([auditEvent({ id: 'x-1', pod: 'pay-1', at: at - 300, user: 'alice@example.com', groups: ['sre', 'system:authenticated'] })]),
    });
    await ingestSession('pay-1', at, 'leader-pay-1');
    await runRule();
    const alert = await alertOfPod('pay-1');
    expect(alert.attribution).toMatchObject({
      match: 'exact',
      user: { username: 'alice@example.com', groups: ['sre', 'system:authenticated'] },
      source_ips: ['198.51.100.7'],
      user_agent: expect.stringMatching(/^kubectl\/v1\.31\.0/),
      audit_id: 'x-1',
      verb: 'get',
      decision: 'allow',
    });
    const { body: detail } = await server.json<AlertDetail>('GET', `/api/alerts/${alert.id}`);
    expect(detail.document).toMatchObject({ kubernetes: { audit: { user: { username: 'alice@example.com' }, auditID: 'x-1' } }, execwatch: { attribution: { match: 'exact' } } });
  });

  it('says why when no audit event is known, and attributes the alert when its audit events arrive late', async () => {
    const at = server.clock.now() - 40_000;
    await server.services.attribution.followOnce(); // the feed so far is read: what comes next is late
    await ingestSession('late-1', at, 'leader-late-1');
    await runRule();
    expect((await alertOfPod('late-1')).attribution).toMatchObject({ match: 'none', reason: 'no_audit_events_for_pod' });

    await server.json('POST', '/api/k8s/audit', { body: eventList([auditEvent({ id: 'late-req', pod: 'late-1', at: at - 500, user: 'system:serviceaccount:ci:gitlab-runner' })]) });
    const pass = await server.services.attribution.followOnce();
    expect(pass.alerts).toBe(1);
    expect((await alertOfPod('late-1')).attribution).toMatchObject({ match: 'exact', user: { username: 'system:serviceaccount:ci:gitlab-runner' } });
    // nothing new: nothing is written again
    expect((await server.services.attribution.followOnce()).alerts).toBe(0);
  });

  it('lists both people when two exec into the same pod within seconds, and picks neither', async () => {
    const at = server.clock.now() - 40_000;
    await server.json('POST', '/api/k8s/audit', {
      body: eventList([auditEvent({ id: 'amb-1', pod: 'shared-1', at: at - 800, user: 'alice@example.com' }), auditEvent({ id: 'amb-2', pod: 'shared-1', at: at - 200, user: 'bob@example.com' })]),
    });
    await ingestSession('shared-1', at, 'leader-shared-1');
    await runRule();
    const { attribution } = await alertOfPod('shared-1');
    expect(attribution.match).toBe('ambiguous');
    expect(attribution.user).toBeNull();
    expect(attribution.candidates.map((c) => c.username).sort()).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('shows a refused request without taking it for the session', async () => {
    const at = server.clock.now() - 40_000;
    await server.json('POST', '/api/k8s/audit', { body: eventList([auditEvent({ id: 'den-1', pod: 'locked-1', at: at - 300, user: 'mallory', code: 403, decision: 'forbid' })]) });
    await ingestSession('locked-1', at, 'leader-locked-1');
    await runRule();
    const { attribution } = await alertOfPod('locked-1');
    expect(attribution).toMatchObject({ match: 'none', reason: 'refused_only', user: null });
    expect(attribution.refused.map((c) => c.username)).toEqual(['mallory']);
  });
});

describe('exceptions on who ran the exec', () => {
  let itemId = '';

  beforeAll(async () => {
    const { body: rule } = await server.json<Rule>('GET', `/api/rules/${seedRuleId}`);
    const list = rule.exceptions_list[0];
    const created = await server.json<{ id: string }>('POST', '/api/exception_lists/items', {
      body: {
        list_id: list?.list_id,
        namespace_type: list?.namespace_type,
        name: 'CI runner execs into its build pods',
        description: 'the GitLab runner runs its jobs with kubectl exec',
        type: 'simple',
        entries: [{ field: 'kubernetes.audit.user.username', operator: 'included', type: 'match', value: 'system:serviceaccount:ci:runner' }],
        comments: [{ comment: 'agreed with the platform team' }],
      },
    });
    expect(created.status).toBe(200);
    itemId = created.body.id;
  });

  it('creates no alert for the excepted service account, and still alerts on anyone else', async () => {
    const at = server.clock.now() - 40_000;
    await server.json('POST', '/api/k8s/audit', {
      body: eventList([auditEvent({ id: 'ci-1', pod: 'build-1', at: at - 300, user: 'system:serviceaccount:ci:runner' }), auditEvent({ id: 'ci-2', pod: 'build-2', at: at - 300, user: 'eve@example.com' })]),
    });
    await ingestSession('build-1', at, 'leader-build-1');
    await ingestSession('build-2', at, 'leader-build-2');
    server.clock.advance(1000);
    const { body: run } = await server.json<Execution>('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-2m' } });
    expect(run).toMatchObject({ alerts_created: 1, suppressed: 1 });
    expect((await alertOfPod('build-2')).attribution.user?.username).toBe('eve@example.com');
    await expect(alertOfPod('build-1')).rejects.toThrow(/no alert/);
    expect((await server.store.exceptions.hitStats([itemId]))[itemId]?.hits).toBe(1);
  });

  it('closes an alert, naming the exception, when the attribution that matches it arrives late', async () => {
    const at = server.clock.now() - 40_000;
    await server.services.attribution.followOnce();
    await ingestSession('build-3', at, 'leader-build-3');
    await runRule();
    const open = await alertOfPod('build-3');
    expect(open.workflow_status).toBe('open');

    const hitsBefore = (await server.store.exceptions.hitStats([itemId]))[itemId]?.hits ?? 0;
    await server.json('POST', '/api/k8s/audit', { body: eventList([auditEvent({ id: 'ci-3', pod: 'build-3', at: at - 300, user: 'system:serviceaccount:ci:runner' })]) });
    await server.services.attribution.followOnce();
    const closed = await alertOfPod('build-3');
    expect(closed).toMatchObject({ workflow_status: 'closed', workflow_reason: 'matched_exception', workflow_user: 'execwatch' });
    expect(closed.workflow_reason_text).toContain('the exec was attributed to system:serviceaccount:ci:runner');
    expect((await server.store.exceptions.hitStats([itemId]))[itemId]?.hits).toBe(hitsBefore + 1);
    const { body: audit } = await server.json<{ events: AuditEvent[] }>('GET', '/api/audit?action=alert.close_by_exception');
    expect(audit.events.map((e) => e.target.id)).toContain(closed.id);
  });
});
