import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertDetail, AuditEvent, BulkUpdateAlertsResponse, Execution, ListAlertsResponse, ListNotificationsResponse, MarkNotificationsReadResponse, SuggestUsersResponse } from '@execwatch/api';
import { mentionsIn } from '@execwatch/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestSessions, seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';
import { WEBHOOK_AUDIT_ACTION, webhookConfigFromEnv, type WebhookConfig } from './webhook';

/** A webhook receiver on loopback: answers each request with the next of `plan` ('hang' never answers). */
async function receiver(plan: (number | 'hang')[]): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const answer = plan[Math.min(n++, plan.length - 1)];
      if (answer === 'hang') return;
      res.writeHead(answer ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo; // a TCP listener reports an AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook/secret-token`,
    bodies,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const fast = (url: string, over: Partial<WebhookConfig> = {}): WebhookConfig => ({ url, format: 'json', timeoutMs: 2_000, maxAttempts: 3, backoffMs: 10, ...over });

async function seeded(server: TestServer, sessions = 4): Promise<string[]> {
  await ingestSessions(server, sessions);
  const run = await server.json<Execution>('POST', `/api/rules/${seedRuleId}/_run`, { body: {} });
  expect(run.body.alerts_created).toBe(sessions);
  const list = await server.json<ListAlertsResponse>('GET', '/api/alerts?size=100');
  return list.body.alerts.map((a) => a.id);
}

async function webhookAudits(server: TestServer): Promise<AuditEvent[]> {
  return (await server.store.audit.search({ action: WEBHOOK_AUDIT_ACTION, page: 1, size: 50 })).events;
}

describe('assignees, suggestions and the inbox', () => {
  let server: TestServer;
  let ids: string[];
  beforeAll(async () => {
    server = await startTestServer();
    ids = await seeded(server);
    expect((await server.json('POST', '/api/users', { body: { username: 'dana', password: 'dana-test-password-1', full_name: 'Dana Whitfield', roles: ['analyst'] } })).status).toBe(201);
    expect((await server.json('POST', '/api/users', { body: { username: 'gone', password: 'gone-test-password-1', roles: ['analyst'] } })).status).toBe(201);
    expect((await server.json('PATCH', '/api/users/gone', { body: { enabled: false } })).status).toBe(200);
  });
  afterAll(async () => server?.close());

  it('suggests known, enabled users by the start of their username or name, names only', async () => {
    const byName = await server.json<SuggestUsersResponse>('GET', '/api/users/_suggest?q=whit', { user: 'viewer' });
    expect(byName.status).toBe(200);
    expect(byName.body.users).toEqual([{ username: 'dana', full_name: 'Dana Whitfield' }]);
    const all = await server.json<SuggestUsersResponse>('GET', '/api/users/_suggest', { user: 'analyst' });
    expect(all.body.users.map((u) => u.username)).toEqual(['admin', 'analyst', 'dana', 'viewer']);
    expect(JSON.stringify(all.body)).not.toMatch(/password|roles|enabled/);
    expect((await server.json('GET', '/api/users/_suggest?q=x', { user: null })).status).toBe(401);
  });

  it('refuses an assignee that is not a known, enabled user, one alert or in bulk', async () => {
    const unknown = await server.json<{ error: string; message: string }>('PATCH', `/api/alerts/${ids[0]}`, { user: 'analyst', body: { assignees: ['analyst', 'nobody'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('assignees: "nobody" is not a known, enabled user');
    const disabled = await server.json<{ message: string }>('PATCH', `/api/alerts/${ids[0]}`, { user: 'analyst', body: { assignees: ['gone'] } });
    expect(disabled.status).toBe(400);
    expect(disabled.body.message).toContain('"gone"');
    const bulk = await server.json<{ message: string }>('POST', '/api/alerts/_bulk_update', { user: 'analyst', body: { ids, add_assignees: ['ghost', 'dana'] } });
    expect(bulk.status).toBe(400);
    expect(bulk.body.message).toContain('"ghost"');
    const detail = await server.json<AlertDetail>('GET', `/api/alerts/${ids[0]}`);
    expect(detail.body.assignees).toEqual([]);
  });

  it("tells the assignee, not the one who assigned, and marks entries read", async () => {
    const self = await server.json<AlertDetail>('PATCH', `/api/alerts/${ids[0]}`, { user: 'analyst', body: { assignees: ['analyst'] } });
    expect(self.status).toBe(200);
    expect((await server.json<ListNotificationsResponse>('GET', '/api/notifications', { user: 'analyst' })).body.unread).toBe(0);

    expect((await server.json('PATCH', `/api/alerts/${ids[1]}`, { user: 'admin', body: { assignees: ['dana'] } })).status).toBe(200);
    const bulk = await server.json<BulkUpdateAlertsResponse>('POST', '/api/alerts/_bulk_update', { user: 'admin', body: { ids: ids.slice(1, 4), add_assignees: ['analyst'] } });
    expect(bulk.body.updated).toBe(3);
    const inbox = await server.json<ListNotificationsResponse>('GET', '/api/notifications', { user: 'analyst' });
    expect(inbox.body.unread).toBe(1);
    expect(inbox.body.notifications).toMatchObject([{ kind: 'assigned', actor: 'admin', alerts_count: 3, text: '3 alerts', read: false }]);
    expect(ids.slice(1, 4)).toContain(inbox.body.notifications[0]?.alert_id);
    const dana = await server.json<ListNotificationsResponse>('GET', '/api/notifications?unread=true');
    expect(dana.body.notifications).toEqual([]);

    const read = await server.json<MarkNotificationsReadResponse>('POST', '/api/notifications/_read', { user: 'analyst', body: { all: true } });
    expect(read.body).toEqual({ marked: 1, unread: 0 });
    const after = await server.json<ListNotificationsResponse>('GET', '/api/notifications', { user: 'analyst' });
    expect(after.body.notifications.map((n) => n.read)).toEqual([true]);
    expect((await server.json('POST', '/api/notifications/_read', { user: 'analyst', body: {} })).status).toBe(400);
  });

  it('tells known users a note @mentions, once each, and never its author', async () => {
    const note = await server.json('POST', `/api/alerts/${ids[2]}/notes`, { user: 'admin', body: { text: '@analyst and @dana: please look at the second shell. cc @admin @nobody @analyst' } });
    expect(note.status).toBe(201);
    const analyst = await server.json<ListNotificationsResponse>('GET', '/api/notifications?unread=true', { user: 'analyst' });
    expect(analyst.body.notifications).toMatchObject([{ kind: 'mentioned', actor: 'admin', alert_id: ids[2], read: false }]);
    expect(analyst.body.notifications[0]?.text).toContain('please look at the second shell');
    const admin = await server.json<ListNotificationsResponse>('GET', '/api/notifications?unread=true', { user: 'admin' });
    expect(admin.body.notifications).toEqual([]);
    const mark = await server.json<MarkNotificationsReadResponse>('POST', '/api/notifications/_read', { user: 'analyst', body: { ids: [analyst.body.notifications[0]?.id ?? ''] } });
    expect(mark.body).toEqual({ marked: 1, unread: 0 });
  });

  it('finds mentions as people write them', () => {
    expect(mentionsIn('@ana, ask @bob.smith. mail a@b.c or @ana again')).toEqual(['ana', 'bob.smith']);
    expect(mentionsIn('no mentions here')).toEqual([]);
  });
});

describe('the outbound webhook', () => {
  const servers: TestServer[] = [];
  const receivers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    for (const r of receivers.splice(0)) await r.close();
  });

  it('retries a receiver that fails twice, then records the delivery in the audit log', async () => {
    const hook = await receiver([500, 503, 200]);
    receivers.push(hook);
    const server = await startTestServer({ notifyWebhook: fast(hook.url) });
    servers.push(server);
    const [id] = await seeded(server, 1);
    const patched = await server.json('PATCH', `/api/alerts/${id}`, { user: 'admin', body: { assignees: ['analyst'] } });
    expect(patched.status).toBe(200);
    await server.services.webhook?.idle();
    expect(hook.bodies).toHaveLength(3);
    expect(hook.bodies[2]).toMatchObject({ event: 'alert.assigned', actor: 'admin', assignees: ['analyst'], alerts_count: 1, alerts: [{ id, rule: 'Interactive Exec Command Launched Against A Running Container' }] });
    const [audit] = await webhookAudits(server);
    expect(audit).toMatchObject({ user: 'admin', outcome: 'success', target: { type: 'alert', id }, after: { event: 'alert.assigned', attempts: 3, status: 200 } });
    expect(JSON.stringify(audit)).not.toContain('secret-token');
  });

  it('gives up on a receiver that hangs after a bounded number of timed-out attempts', async () => {
    const hook = await receiver(['hang']);
    receivers.push(hook);
    const server = await startTestServer({ notifyWebhook: fast(hook.url, { timeoutMs: 150, maxAttempts: 2, format: 'slack' }) });
    servers.push(server);
    const [id] = await seeded(server, 1);
    // the request does not wait for the receiver
    expect((await server.json('PATCH', `/api/alerts/${id}`, { user: 'admin', body: { assignees: ['analyst'] } })).status).toBe(200);
    await server.services.webhook?.idle();
    expect(hook.bodies).toEqual([{ text: expect.stringContaining('admin assigned the alert') }, { text: expect.stringContaining('to analyst') }]);
    const [audit] = await webhookAudits(server);
    expect(audit).toMatchObject({ outcome: 'failure', after: { attempts: 2, status: null, error: 'no answer within 150 ms', format: 'slack' } });
  });

  it('sends each new high-risk alert once', async () => {
    const hook = await receiver([200]);
    receivers.push(hook);
    const server = await startTestServer({ notifyWebhook: fast(hook.url) });
    servers.push(server);
    const [id] = await seeded(server, 2);
    const alert = await server.store.alerts.get(id ?? '');
    if (!alert) throw new Error('seeded alert missing');
    const risky = { ...alert, doc: { ...alert.doc, execwatch: { session: { risk_score: 91 } } } };
    const calm = { ...alert, id: 'calm', doc: { ...alert.doc, execwatch: { session: { risk_score: 10 } } } };
    await server.services.notifications.newAlerts([risky, calm]);
    await server.services.notifications.newAlerts([risky]);
    await server.services.webhook?.idle();
    expect(hook.bodies).toEqual([expect.objectContaining({ event: 'alert.high_risk', actor: null, alerts_count: 1, alerts: [expect.objectContaining({ id, risk_score: 91 })] })]);
  });

  it('reads its configuration from the environment', () => {
    expect(webhookConfigFromEnv({})).toBeNull();
    expect(webhookConfigFromEnv({ EXECWATCH_NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x', EXECWATCH_NOTIFY_WEBHOOK_FORMAT: 'slack' })).toMatchObject({ url: 'https://hooks.example.com/x', format: 'slack' });
    expect(() => webhookConfigFromEnv({ EXECWATCH_NOTIFY_WEBHOOK_URL: 'ftp://x' })).toThrow(/EXECWATCH_NOTIFY_WEBHOOK_URL/);
    expect(() => webhookConfigFromEnv({ EXECWATCH_NOTIFY_WEBHOOK_URL: 'https://x.example', EXECWATCH_NOTIFY_WEBHOOK_FORMAT: 'xml' })).toThrow(/FORMAT/);
  });
});
