/** The audit feed's health, through the real server: what it says with no audit events, and with a policy that misses `get`. */
import type { AuditFeedHealth } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkBody, processEvent } from '../../testing/events';
import { seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

async function execSession(pod: string, at: number): Promise<void> {
  const shell = processEvent({ at, entityId: `leader-${pod}`, entryLeaderId: `leader-${pod}`, name: 'bash', pod });
  const p = shell.process as Record<string, unknown>; // built as an object by processEvent
  p.entry_leader = { ...(p.entry_leader as Record<string, unknown>), start: new Date(at).toISOString(), args: ['bash'] }; // an object too
  expect((await server.request('POST', '/_bulk', { rawBody: bulkBody([shell]), headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(200);
}

/** An exec request to `pod` that does not fit its session (another command), recorded with `verb`. */
const unrelatedRequest = (id: string, pod: string, at: number, verb: string) => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: id,
  stage: 'ResponseComplete',
  requestURI: `/api/v1/namespaces/default/pods/${pod}/exec?command=cat&command=%2Fetc%2Fhostname&stdout=true`,
  verb,
  user: { username: 'ops@example.com', groups: ['sre'] },
  sourceIPs: ['198.51.100.9'],
  userAgent: 'kubectl/v1.27.3 (linux/amd64) kubernetes/abcdef0',
  objectRef: { resource: 'pods', namespace: 'default', name: pod, apiVersion: 'v1', subresource: 'exec' },
  responseStatus: { code: 101 },
  requestReceivedTimestamp: new Date(at).toISOString(),
  stageTimestamp: new Date(at + 30).toISOString(),
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
});

const health = async () => (await server.json<AuditFeedHealth>('GET', '/api/k8s/audit/_health', { user: 'viewer' })).body;

describe('the audit feed health', () => {
  it('says when a cluster that raises exec alerts sends no audit events', async () => {
    const at = server.clock.now() - 30_000;
    await execSession('quiet-1', at);
    server.clock.advance(1000);
    await server.json('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-1h' } });
    const h = await health();
    expect(h.clusters).toEqual([expect.objectContaining({ cluster: 'prod-eu', alerts: 1, none: 1, audit_events: 0 })]);
    expect(h.warnings.join('\n')).toMatch(/no audit events arrived from cluster prod-eu .* raised 1 exec alerts/);
  });

  it('points at an audit policy that records only create when most alerts match nothing', async () => {
    const at = server.clock.now() - 30_000;
    await server.json('POST', '/api/k8s/audit?cluster=prod-eu', { body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [unrelatedRequest('u-1', 'policy-1', at - 200, 'create')] } });
    await execSession('policy-1', at);
    server.clock.advance(1000);
    await server.json('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-1h' } });
    const h = await health();
    const cluster = h.clusters.find((c) => c.cluster === 'prod-eu');
    expect(cluster).toMatchObject({ alerts: 2, none: 2, audit_events: 1, verbs: { create: 1 } });
    expect(cluster?.last_audit_event_at).toBe(new Date(at - 200).toISOString());
    expect(h.warnings.join('\n')).toMatch(/100% of cluster prod-eu's exec alerts match no audit request.*only create requests.*kubectl 1\.30/);
    expect(h.warnings.join('\n')).not.toMatch(/no audit events arrived/);
  });
});
