import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEventSchema, type AuditEvent, type ErrorBody } from '@execwatch/api';
import { redactSecrets } from './auditor';
import { basic, jsonOf, login, startAuthTestServer, testClock, type AuthTestServer } from './testing/auth-test-server';

const ADMIN = { username: 'root', password: 'admin-password-12' };
const ANA = { username: 'ana', password: 'analyst-password-1' };
const HOUR = 3_600_000;

describe('redactSecrets', () => {
  it('drops secret fields at any depth and keeps the rest', () => {
    const input = { user: 'a', password: 'p', nested: [{ api_key: 'k', key_hash: 'h', keep: 1 }], deep: { encoded: 'e', token: 't', ok: true } };
    expect(redactSecrets(input)).toEqual({ user: 'a', nested: [{ keep: 1 }], deep: { ok: true } });
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(redactSecrets(a)).toEqual({ x: 1, self: '[truncated]' });
  });
});

describe('audit log', () => {
  let srv: AuthTestServer;
  const clock = testClock();

  beforeEach(async () => {
    clock.set(Date.UTC(2026, 0, 1));
    srv = await startAuthTestServer({ now: clock.now });
    await srv.auth.ensureUser({ ...ADMIN, roles: ['admin'] });
    await srv.auth.ensureUser({ ...ANA, roles: ['analyst'] });
  });
  afterEach(() => srv.close());

  const adminGet = (path: string) => fetch(`${srv.url}${path}`, { headers: { authorization: basic(ADMIN.username, ADMIN.password) } });

  it('records who, when, from where, what, before and after of a change, without secrets', async () => {
    const res = await fetch(`${srv.url}/api/probe`, { method: 'POST', headers: { authorization: basic(ANA.username, ANA.password) } });
    expect(res.status).toBe(200);
    const body = await jsonOf<{ total: number; page: number; size: number; events: unknown[] }>(adminGet('/api/audit?action=probe.change'));
    expect(body).toMatchObject({ total: 1, page: 1, size: 50 });
    const event = auditEventSchema.parse(body.events[0]);
    expect(event).toMatchObject({
      user: 'ana',
      source_ip: '127.0.0.1',
      action: 'probe.change',
      outcome: 'success',
      target: { type: 'probe', id: '1' },
      before: { v: 1 },
      after: { v: 2 },
      '@timestamp': new Date(clock.now()).toISOString(),
    });
    expect(JSON.stringify(body)).not.toContain('must-not-appear');
  });

  it('records sign-ins that succeed and fail, and logouts', async () => {
    await login(srv.url, ANA.username, 'not-the-password');
    clock.advance(1000);
    const { cookie } = await login(srv.url, ANA.username, ANA.password);
    clock.advance(1000);
    await fetch(`${srv.url}/api/auth/logout`, { method: 'POST', headers: { cookie: cookie ?? '', 'execwatch-xsrf': 'true' } });
    const { events } = await jsonOf<{ events: AuditEvent[] }>(adminGet('/api/audit?size=10'));
    expect(events.filter((e) => e.action.startsWith('auth.')).map((e) => [e.action, e.outcome, e.user])).toEqual([
      ['auth.logout', 'success', 'ana'],
      ['auth.login', 'success', 'ana'],
      ['auth.login', 'failure', null],
    ]);
  });

  it('filters by user, action and time (ISO or date math) and pages', async () => {
    for (let i = 0; i < 5; i++) {
      await fetch(`${srv.url}/api/probe`, { method: 'POST', headers: { authorization: basic(ANA.username, ANA.password) } });
      clock.advance(HOUR);
    }
    await fetch(`${srv.url}/api/users`, {
      method: 'POST',
      headers: { authorization: basic(ADMIN.username, ADMIN.password), 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'new', password: 'new-user-password', roles: ['viewer'] }),
    });
    const get = (q: string) => jsonOf<{ total: number; events: AuditEvent[] }>(adminGet(`/api/audit?${q}`));

    expect((await get('user=ana')).total).toBe(5);
    const created = await get('action=user.create');
    expect(created.total).toBe(1);
    expect(created.events[0]?.user).toBe('root');
    expect((await get(`action=probe.change&from=${new Date(Date.UTC(2026, 0, 1, 2)).toISOString()}`)).total).toBe(3);
    expect((await get('action=probe.change&from=now-150m')).total).toBe(2);
    expect((await get('action=probe.change&to=2026-01-01T01:00:00Z')).total).toBe(2);
    const page2 = await get('user=ana&size=2&page=2');
    expect(page2.total).toBe(5);
    expect(page2.events).toHaveLength(2);
  });

  it.each(['from=yesterday', 'size=0', 'size=5000', 'page=0', 'unknown=1', 'from=now-1d&to=now-2d'])('answers 400 to the bad query %s', async (q) => {
    const res = await adminGet(`/api/audit?${q}`);
    expect(res.status).toBe(400);
    expect((await jsonOf<ErrorBody>(res)).error).toBe('validation_error');
  });

  it('exports ndjson with the same filters', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${srv.url}/api/probe`, { method: 'POST', headers: { authorization: basic(ANA.username, ANA.password) } });
    const res = await adminGet('/api/audit/_export?user=ana');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="execwatch-audit-2026-01-01\.ndjson"/);
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(auditEventSchema.parse(JSON.parse(line)).user).toBe('ana');
    const exports = await jsonOf<{ events: AuditEvent[] }>(adminGet('/api/audit?action=audit.export'));
    expect(exports.events[0]).toMatchObject({ user: 'root', after: { events: 3 } });
  });

  it('is for admins only and offers no way to edit or delete events', async () => {
    const asAna = { authorization: basic(ANA.username, ANA.password) };
    expect((await fetch(`${srv.url}/api/audit`, { headers: asAna })).status).toBe(403);
    expect((await fetch(`${srv.url}/api/audit/_export`, { headers: asAna })).status).toBe(403);
    expect((await fetch(`${srv.url}/api/audit`)).status).toBe(401);
    const asAdmin = { authorization: basic(ADMIN.username, ADMIN.password), 'content-type': 'application/json' };
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect((await fetch(`${srv.url}/api/audit`, { method, headers: asAdmin, body: '{}' })).status).toBe(404);
    }
  });
});
