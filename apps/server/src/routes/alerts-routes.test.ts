import type { Alert, AlertDetail, BulkUpdateAlertsResponse, ChecklistResponse, Execution, ListAlertsResponse, Note, RelatedEventsResponse, SessionResponse } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSessions, seedRuleId } from '../testing/scenario';
import { startTestServer, type TestServer } from '../testing/test-server';

let server: TestServer;
const sessions = 120;

beforeAll(async () => {
  server = await startTestServer();
  // room for every session in one run (the seed rule's own cap is 100)
  const patched = await server.json('PATCH', `/api/rules/${seedRuleId}`, { body: { max_signals: 1000 } });
  expect(patched.status).toBe(200);
  await ingestSessions(server, sessions);
  const run = await server.json<Execution>('POST', `/api/rules/${seedRuleId}/_run`, { body: {} });
  expect(run.status).toBe(200);
  expect(run.body).toMatchObject({ status: 'succeeded', events_matched: sessions, alerts_created: sessions, alerts_existing: 0 });
});
afterAll(async () => server?.close());

describe('GET /api/alerts', () => {
  it('lists alerts with paging and totals', async () => {
    const { status, body } = await server.json<ListAlertsResponse>('GET', '/api/alerts?size=50&page=2');
    expect(status).toBe(200);
    expect(body.total).toBe(sessions);
    expect(body.page).toBe(2);
    expect(body.alerts).toHaveLength(50);
    const a = body.alerts[0] as Alert;
    expect(a.rule.rule_id).toBe(seedRuleId);
    expect(a.severity).toBe('high');
    expect(a.entity.process_name).toBe('bash');
    expect(a.entity.interactive).toBe(true);
    expect(a.checklist.total).toBeGreaterThan(0);
    expect(a.checklist.required_remaining).toBeGreaterThan(0);
  });

  it('returns up to 1000 per page and rejects more', async () => {
    const all = await server.json<ListAlertsResponse>('GET', '/api/alerts?size=1000');
    expect(all.body.alerts).toHaveLength(sessions);
    const tooMany = await server.json<{ error: string; status: number }>('GET', '/api/alerts?size=1001');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error: 'validation_error', status: 400 });
  });

  it('filters by namespace, user and free text, and sorts', async () => {
    const ns = await server.json<ListAlertsResponse>('GET', '/api/alerts?namespace=payments&size=1000');
    expect(ns.body.total).toBe(sessions / 3);
    expect(ns.body.alerts.every((a) => a.entity.namespace === 'payments')).toBe(true);
    const sorted = await server.json<ListAlertsResponse>('GET', '/api/alerts?sort_field=namespace&sort_order=asc&size=1000');
    const names = sorted.body.alerts.map((a) => a.entity.namespace ?? '');
    expect(names).toEqual([...names].sort());
    const user = await server.json<ListAlertsResponse>('GET', '/api/alerts?user=dev');
    expect(user.body.total).toBe(sessions / 2);
    const field = await server.json<ListAlertsResponse>('GET', '/api/alerts?field.process.entity_id=s-shell-3');
    expect(field.body.total).toBe(1);
  });

  it('resolves date math in from/to and rejects bad date math with a 400', async () => {
    const recent = await server.json<ListAlertsResponse>('GET', '/api/alerts?from=now-1h&to=now');
    expect(recent.body.total).toBe(sessions);
    const future = await server.json<ListAlertsResponse>('GET', '/api/alerts?from=now%2B1h');
    expect(future.body.total).toBe(0);
    const bad = await server.json<{ error: string; message: string }>('GET', '/api/alerts?from=yesterday-ish');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^from: invalid date/);
  });

  it('needs authentication and alerts:read', async () => {
    expect((await server.request('GET', '/api/alerts', { user: null })).status).toBe(401);
    expect((await server.request('GET', '/api/alerts', { user: 'viewer' })).status).toBe(200);
  });
});

describe('one alert', () => {
  let alert: Alert;
  beforeAll(async () => {
    const list = await server.json<ListAlertsResponse>('GET', '/api/alerts?field.process.entity_id=s-shell-0');
    alert = list.body.alerts[0] as Alert;
  });

  it('GET gives the detail with the stored Kibana-style document', async () => {
    const { status, body } = await server.json<AlertDetail>('GET', `/api/alerts/${alert.id}`);
    expect(status).toBe(200);
    expect(body.id).toBe(alert.id);
    expect(body.document).toMatchObject({ event: { kind: 'signal' }, kibana: { alert: { uuid: alert.id, workflow_status: 'open', rule: { rule_id: seedRuleId } } } });
    expect((await server.json('GET', '/api/alerts/does-not-exist')).status).toBe(404);
  });

  it('GET session gives the process tree with subsequent commands', async () => {
    const { body } = await server.json<SessionResponse>('GET', `/api/alerts/${alert.id}/session`);
    expect(body.entry_leader_entity_id).toBe('s-shell-0');
    expect(body.processes.map((p) => p.name)).toEqual(['bash', 'id', 'cat']);
    expect(body.processes[0]?.is_alert_process).toBe(true);
    expect(body.processes.slice(1).every((p) => p.is_subsequent)).toBe(true);
  });

  it('PATCH changes status, assignees and tags; viewers may not', async () => {
    const denied = await server.json('PATCH', `/api/alerts/${alert.id}`, { user: 'viewer', body: { status: 'acknowledged' } });
    expect(denied.status).toBe(403);
    const { status, body } = await server.json<AlertDetail>('PATCH', `/api/alerts/${alert.id}`, { user: 'analyst', body: { status: 'acknowledged', assignees: ['analyst'], tags: ['triage'] } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ workflow_status: 'acknowledged', workflow_user: 'analyst', assignees: ['analyst'], tags: ['triage'] });
    const unknown = await server.json('PATCH', `/api/alerts/${alert.id}`, { body: { status: 'closed', extra: 1 } });
    expect(unknown.status).toBe(400);
  });

  it('closing as false positive needs the required checklist steps (409), then succeeds', async () => {
    const refused = await server.json<{ error: string; message: string; details: { missing_steps: string[] } }>('PATCH', `/api/alerts/${alert.id}`, { user: 'analyst', body: { status: 'closed', reason: 'false_positive' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('required_steps_incomplete');
    const checklist = await server.json<ChecklistResponse>('GET', `/api/alerts/${alert.id}/checklist`);
    const required = checklist.body.groups.flatMap((g) => g.steps).filter((s) => s.required);
    expect(required.length).toBeGreaterThan(0);
    const toTick = required.filter((s) => !s.auto_checked);
    expect(refused.body.details.missing_steps.sort()).toEqual(toTick.map((s) => s.id).sort());
    expect(refused.body.message).not.toContain(alert.id);
    for (const step of toTick) expect(refused.body.message).toContain(step.text.slice(0, 60));
    const autos = required.filter((s) => s.auto_checked);
    expect(autos.map((s) => s.evidence.map((e) => e.field))).toEqual([['container.id'], ['process.entry_leader.entry_meta.type'], ['process.entry_leader.same_as_process'], ['process.interactive']]);
    expect(autos.every((s) => s.done && s.done_by === null)).toBe(true);
    expect(autos[3]?.evidence[0]).toEqual({ field: 'process.interactive', condition: '== true', values: ['true'] });
    const withContainer = checklist.body.groups.flatMap((g) => g.steps).find((s) => s.fields.some((f) => f.field === 'container.id'));
    expect(withContainer?.fields.find((f) => f.field === 'container.id')?.values).toEqual(['c0ffee01']);
    let last: ChecklistResponse | undefined;
    for (const step of toTick) {
      const put = await server.json<ChecklistResponse>('PUT', `/api/alerts/${alert.id}/checklist/${step.id}`, { user: 'analyst', body: { done: true, note: 'checked' } });
      expect(put.status).toBe(200);
      last = put.body;
    }
    expect(last?.progress.required_remaining).toBe(0);
    const closed = await server.json<AlertDetail>('PATCH', `/api/alerts/${alert.id}`, { user: 'analyst', body: { status: 'closed', reason: 'false_positive', reason_text: 'admin debugging' } });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ workflow_status: 'closed', workflow_reason: 'false_positive', workflow_reason_text: 'admin debugging' });
    expect((await server.json('PUT', `/api/alerts/${alert.id}/checklist/no-such-step`, { body: { done: true } })).status).toBe(404);
  });

  it('notes are added and counted', async () => {
    const added = await server.json<Note>('POST', `/api/alerts/${alert.id}/notes`, { user: 'analyst', body: { text: 'looked at it' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ text: 'looked at it', author: 'analyst' });
    const notes = await server.json<{ notes: Note[] }>('GET', `/api/alerts/${alert.id}/notes`);
    expect(notes.body.notes.map((n) => n.text)).toContain('looked at it');
    const detail = await server.json<AlertDetail>('GET', `/api/alerts/${alert.id}`);
    expect(detail.body.notes_count).toBe(1);
    expect((await server.json('POST', `/api/alerts/${alert.id}/notes`, { body: { text: '   ' } })).status).toBe(400);
  });

  it('related events are found by field value', async () => {
    const { status, body } = await server.json<RelatedEventsResponse>('GET', '/api/events/_related?field=process.entry_leader.entity_id&value=s-shell-1&from=now-1d');
    expect(status).toBe(200);
    expect(body.total).toBe(3);
    expect(body.events.map((e) => e.process_name).sort()).toEqual(['bash', 'cat', 'id']);
    expect((await server.json('GET', '/api/events/_related?field=bad%20field&value=x')).status).toBe(400);
  });
});

describe('POST /api/alerts/_bulk_update', () => {
  it('updates every alert matching a query, beyond one page', async () => {
    const { status, body } = await server.json<BulkUpdateAlertsResponse>('POST', '/api/alerts/_bulk_update', { user: 'analyst', body: { query: { status: ['open'] }, status: 'acknowledged', add_tags: ['bulk'] } });
    expect(status).toBe(200);
    expect(body.updated).toBe(sessions - 1);
    const ack = await server.json<ListAlertsResponse>('GET', '/api/alerts?status=acknowledged&tag=bulk&size=1');
    expect(ack.body.total).toBe(sessions - 1);
  });

  it('skips alerts whose required steps are not done when closing as benign, and counts them', async () => {
    const list = await server.json<ListAlertsResponse>('GET', '/api/alerts?size=3&status=acknowledged');
    const ids = list.body.alerts.map((a) => a.id);
    const { body } = await server.json<BulkUpdateAlertsResponse>('POST', '/api/alerts/_bulk_update', { user: 'analyst', body: { ids: [...ids, 'missing-id'], status: 'closed', reason: 'benign_positive' } });
    expect(body.updated).toBe(0);
    expect(body.skipped).toBe(3);
    expect(body.errors).toEqual([expect.objectContaining({ id: 'missing-id', error: 'not_found' })]);
    const plain = await server.json<BulkUpdateAlertsResponse>('POST', '/api/alerts/_bulk_update', { user: 'analyst', body: { ids, status: 'closed', reason: 'true_positive' } });
    expect(plain.body.updated).toBe(3);
  });

  it('rejects ids and query together', async () => {
    const r = await server.json<{ error: string }>('POST', '/api/alerts/_bulk_update', { body: { ids: ['a'], query: {}, status: 'open' } });
    expect(r.status).toBe(400);
  });
});

describe('GET /api/alerts/_stats', () => {
  it('counts by status and groups', async () => {
    const { status, body } = await server.json<{ total: number; by_status: Record<string, number>; groups?: { key: string | null; count: number }[] }>('GET', '/api/alerts/_stats?group_by=namespace&from=now-1d');
    expect(status).toBe(200);
    expect(body.total).toBe(sessions);
    expect(body.by_status.open + body.by_status.acknowledged + body.by_status.closed).toBe(sessions);
    expect(body.groups?.find((g) => g.key === 'payments')?.count).toBe(sessions / 3);
  });
});
