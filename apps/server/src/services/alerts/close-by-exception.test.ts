import type { AlertDetail, BulkUpdateAlertsResponse, CloseByExceptionResponse, ListAlertsResponse, Rule } from '@execwatch/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSessions, seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';

let server: TestServer;
let itemId = '';
let monitoring: string[] = [];
let others: string[] = [];

const openInMonitoring = async () =>
  (await server.json<ListAlertsResponse>('GET', '/api/alerts?namespace=monitoring&status=open,acknowledged&size=100')).body.alerts.map((a) => a.id);

beforeAll(async () => {
  server = await startTestServer();
  await ingestSessions(server, 9);
  const run = await server.json<{ alerts_created: number }>('POST', `/api/rules/${seedRuleId}/_run`, { body: {} });
  expect(run.body.alerts_created).toBe(9);
  monitoring = await openInMonitoring();
  others = (await server.json<ListAlertsResponse>('GET', '/api/alerts?size=100')).body.alerts.map((a) => a.id).filter((id) => !monitoring.includes(id));
  expect(monitoring).toHaveLength(3);
  const rule = await server.json<Rule>('GET', `/api/rules/${seedRuleId}`);
  const list = rule.body.exceptions_list[0];
  const created = await server.json<{ id: string }>('POST', '/api/exception_lists/items', {
    body: {
      list_id: list?.list_id,
      namespace_type: list?.namespace_type,
      name: 'SRE debugging in monitoring',
      description: '',
      type: 'simple',
      entries: [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'monitoring' }],
      comments: [{ comment: 'runbook step' }],
    },
  });
  expect(created.status).toBe(200);
  itemId = created.body.id;
});
afterAll(async () => server?.close());

describe('closing the alerts an exception matches', () => {
  it('is refused to viewers and for unknown or expired items', async () => {
    expect((await server.json('POST', '/api/alerts/_close_by_exception', { user: 'viewer', body: { id: itemId } })).status).toBe(403);
    expect((await server.json('POST', '/api/alerts/_close_by_exception', { body: { id: 'no-such-item' } })).status).toBe(404);
    expect((await server.json('POST', '/api/alerts/_close_by_exception', { body: {} })).status).toBe(400);
    expect((await server.json('POST', '/api/alerts/_close_by_exception', { body: { id: itemId, rule_id: 'another-rule' } })).status).toBe(400);
  });

  it('tells which given alerts it left as they were, and why', async () => {
    const answer = await server.json<CloseByExceptionResponse>('POST', '/api/alerts/_close_by_exception', { user: 'analyst', body: { id: itemId, alert_ids: [others[0] ?? '', 'missing-alert'] } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ matched: 0, closed: 0 });
    expect(answer.body.skipped.map((s) => [s.reason, s.count])).toEqual([
      ['not_matching', 1],
      ['not_found', 1],
    ]);
    expect(await openInMonitoring()).toHaveLength(3);
  });

  it('closes what matches without the checklist gate, leaves high-risk sessions open until confirmed, and audits it', async () => {
    // a bulk close as false positive is gated by the required checklist steps: nothing is closed that way
    const gated = await server.json<BulkUpdateAlertsResponse>('POST', '/api/alerts/_bulk_update', { body: { ids: monitoring, status: 'closed', reason: 'false_positive' } });
    expect(gated.body).toMatchObject({ updated: 0, skipped: 3 });
    const risky = monitoring[0] ?? '';
    await server.store.alerts.setFields(risky, { 'execwatch.session.risk_score': 85 });

    const first = await server.json<CloseByExceptionResponse>('POST', '/api/alerts/_close_by_exception', { user: 'analyst', body: { id: itemId } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ matched: 3, closed: 2, exception: { id: itemId, name: 'SRE debugging in monitoring' } });
    expect(first.body.skipped).toEqual([expect.objectContaining({ reason: 'high_risk', count: 1, ids: [risky] })]);
    expect(first.body.skipped[0]?.message).toMatch(/high risk/);
    expect(await openInMonitoring()).toEqual([risky]);
    const closed = await server.json<AlertDetail>('GET', `/api/alerts/${first.body.closed_ids[0]}`);
    expect(closed.body).toMatchObject({ workflow_status: 'closed', workflow_reason: 'matched_exception', workflow_user: 'analyst' });
    expect(closed.body.workflow_reason_text).toContain('SRE debugging in monitoring');

    const second = await server.json<CloseByExceptionResponse>('POST', '/api/alerts/_close_by_exception', { body: { id: itemId, confirm_high_risk: true } });
    expect(second.body).toMatchObject({ matched: 1, closed: 1, closed_ids: [risky] });
    expect(await openInMonitoring()).toEqual([]);
    // the other namespaces were never touched
    const rest = await server.json<ListAlertsResponse>('GET', '/api/alerts?status=open&size=100');
    expect(rest.body.total).toBe(others.length);

    const audit = await server.json<{ events: Array<{ action: string; user: string; after: { closed: number } }> }>('GET', '/api/audit?action=alert.close_by_exception');
    expect(audit.body.events.map((e) => [e.user, e.after.closed]).sort()).toEqual([
      ['admin', 1],
      ['analyst', 0],
      ['analyst', 2],
    ]);
    const hits = await server.store.exceptions.hitStats([itemId]);
    expect(hits[itemId]?.hits).toBe(3);
  });

  it('closes nothing once the exception has expired', async () => {
    const expired = await server.json('PUT', `/api/exception_lists/items?expire_now=true&id=${itemId}`, { body: {} });
    expect(expired.status).toBe(200);
    const answer = await server.json<{ error: string; message: string }>('POST', '/api/alerts/_close_by_exception', { body: { id: itemId } });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('exception_expired');
  });
});

describe('bulk actions by query act on the set the analyst saw', () => {
  it('answers 409 selection_changed with the new count, changing nothing, and acts when the count agrees', async () => {
    const query = { namespace: ['default'], status: ['open' as const] };
    const seen = (await server.json<ListAlertsResponse>('GET', '/api/alerts?namespace=default&status=open&size=1')).body.total;
    expect(seen).toBeGreaterThan(0);
    const refused = await server.json<{ error: string; message: string }>('POST', '/api/alerts/_bulk_update', { body: { query, expected_total: seen + 1, status: 'acknowledged' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'selection_changed', details: { total: seen, expected_total: seen + 1 } });
    expect(refused.body.message).toContain(`now selects ${seen}`);
    expect((await server.json<ListAlertsResponse>('GET', '/api/alerts?namespace=default&status=acknowledged&size=1')).body.total).toBe(0);
    const done = await server.json<BulkUpdateAlertsResponse>('POST', '/api/alerts/_bulk_update', { body: { query, expected_total: seen, status: 'acknowledged' } });
    expect(done.body.updated).toBe(seen);
  });

  it('the analysts cannot give the server-only closing reason', async () => {
    const answer = await server.json('PATCH', `/api/alerts/${others[0]}`, { body: { status: 'closed', reason: 'matched_exception' } });
    expect(answer.status).toBe(400);
  });
});

describe('stats agree with the table', () => {
  it('honour field filters as the list does', async () => {
    const list = await server.json<ListAlertsResponse>('GET', '/api/alerts?field.orchestrator.namespace=monitoring&size=100');
    const stats = await server.json<{ total: number; by_status: Record<string, number> }>('GET', '/api/alerts/_stats?field.orchestrator.namespace=monitoring');
    const all = await server.json<{ total: number }>('GET', '/api/alerts/_stats');
    expect(list.body.total).toBeGreaterThan(0);
    expect(stats.body.total).toBe(list.body.total);
    expect(all.body.total).toBeGreaterThan(stats.body.total);
  });
});

describe('a dry run of a bulk close', () => {
  it('says how many would be closed and skipped, and why, changing nothing and recording nothing', async () => {
    const open = (await server.json<ListAlertsResponse>('GET', '/api/alerts?status=open&size=100')).body.alerts.map((a) => a.id);
    expect(open.length).toBeGreaterThan(0);
    const before = (await server.json<{ total: number }>('GET', '/api/audit?action=alert.bulk_update')).body.total;
    const dry = await server.json<BulkUpdateAlertsResponse>('POST', '/api/alerts/_bulk_update', { body: { ids: open, status: 'closed', reason: 'false_positive', dry_run: true } });
    expect(dry.body).toMatchObject({ dry_run: true, updated: 0, skipped: open.length });
    expect(dry.body.skip_reasons?.[0]).toMatchObject({ reason: 'required_steps_incomplete', count: open.length });
    expect(dry.body.skip_reasons?.[0]?.message).toContain('required checklist steps');
    const plain = await server.json<BulkUpdateAlertsResponse>('POST', '/api/alerts/_bulk_update', { body: { query: { status: ['open'] }, status: 'closed', reason: 'duplicate', dry_run: true } });
    expect(plain.body).toMatchObject({ dry_run: true, updated: open.length, skipped: 0 });
    expect((await server.json<ListAlertsResponse>('GET', '/api/alerts?status=open&size=1')).body.total).toBe(open.length);
    expect((await server.json<{ total: number }>('GET', '/api/audit?action=alert.bulk_update')).body.total).toBe(before);
  });
});
