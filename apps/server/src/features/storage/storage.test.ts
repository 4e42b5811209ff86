import { afterEach, describe, expect, it } from 'vitest';
import type { StoreStats } from '@execwatch/api';
import { bulkBody, processEvent } from '../../testing/events';
import { startTestServer, type TestServer } from '../../testing/test-server';
import type { StoredAlert } from '../../store/ports';
import { silentLogger } from '../../log';
import { StorageService } from './storage-service';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GB = 2 ** 30;

/** An alert on the session whose entry leader is `leader`. */
function alertOn(id: string, leader: string, at: number): StoredAlert {
  return {
    id,
    index: '.alerts-security.alerts-default',
    doc: {
      '@timestamp': new Date(at).toISOString(),
      process: { name: 'bash', entry_leader: { entity_id: leader } },
      kibana: { alert: { uuid: id, status: 'active', workflow_status: 'open', severity: 'high', risk_score: 73, rule: { rule_id: 'r', name: 'exec' } } },
    },
  };
}

describe('store retention and stats over HTTP', () => {
  let s: TestServer;
  afterEach(async () => {
    await s.close();
  });

  it('shows the retention in force and lets an admin change it; the setting outlives a restart of the service', async () => {
    s = await startTestServer({ storage: { eventsRetentionMs: 3 * DAY, pauseMs: 0 } });
    const stats = await s.json<StoreStats>('GET', '/api/store/_stats', { user: 'viewer' });
    expect(stats.status).toBe(200);
    expect(stats.body.retention).toEqual({ events: '3d', alerts: '365d', events_source: 'environment', alerts_source: 'environment', enforced_by: 'execwatch' });
    expect(stats.body).toMatchObject({ store: 'embedded', events: 0, events_exact: true, alerts: 0 });
    expect(stats.body.size_bytes).toBeGreaterThan(0);

    expect((await s.json('PUT', '/api/store/_settings', { user: 'analyst', body: { events_retention: '1d' } })).status).toBe(403);
    expect((await s.json('PUT', '/api/store/_settings', { body: { events_retention: '30m' } })).status).toBe(400);
    expect((await s.json('PUT', '/api/store/_settings', { body: { events_retention: '7x' } })).status).toBe(400);

    const put = await s.json<StoreStats>('PUT', '/api/store/_settings', { body: { events_retention: '36h', alerts_retention: '90d' } });
    expect(put.status).toBe(200);
    expect(put.body.retention).toMatchObject({ events: '36h', alerts: '90d', events_source: 'setting', alerts_source: 'setting' });
    const audit = await s.json<{ events: { action: string; before?: unknown; after?: unknown }[] }>('GET', '/api/audit?action=store.settings.update');
    expect(audit.body.events[0]).toMatchObject({ action: 'store.settings.update', before: { events: '3d' }, after: { events: '36h', alerts: '90d' } });

    // null: back to the environment's
    const reset = await s.json<StoreStats>('PUT', '/api/store/_settings', { body: { events_retention: null } });
    expect(reset.body.retention).toMatchObject({ events: '3d', events_source: 'environment', alerts: '90d', alerts_source: 'setting' });
    // kept in the store: a new service (a restarted server) reads it
    const again = new StorageService({ store: s.store, log: silentLogger, now: s.clock.now, defaults: { eventsRetentionMs: DAY, alertsRetentionMs: DAY } });
    expect((await again.retention()).policy).toEqual({ eventsMs: DAY, alertsMs: 90 * DAY });
  });

  it('a pass deletes old events but keeps the session of an alert, which the session view still shows', async () => {
    s = await startTestServer({ storage: { pauseMs: 0 } });
    const t0 = s.clock.now();
    const ingest = async (events: Record<string, unknown>[]) => {
      const res = await s.json<{ errors: boolean }>('POST', '/_bulk', { rawBody: bulkBody(events), headers: { 'content-type': 'application/x-ndjson' } });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBe(false);
    };
    await ingest([processEvent({ at: t0, entryLeaderId: 'leader-alerted' }), processEvent({ at: t0, entryLeaderId: 'leader-alerted', entryLeader: false, name: 'curl' })]);
    await ingest(Array.from({ length: 30 }, () => processEvent({ at: t0, entryLeaderId: 'leader-quiet' })));
    await s.store.alerts.createMany([alertOn('alert-1', 'leader-alerted', t0)]);
    s.clock.advance(DAY);
    await ingest([processEvent({ at: s.clock.now(), entryLeaderId: 'leader-recent' })]);

    s.clock.advance(7 * DAY);
    const pass = await s.services.storage.runPass();
    expect(pass).toMatchObject({ events_deleted: 30, alerts_deleted: 0 });
    const session = await s.json<{ processes?: unknown[]; events?: unknown[] } & Record<string, unknown>>('GET', '/api/alerts/alert-1/session');
    expect(session.status).toBe(200);
    expect(JSON.stringify(session.body)).toContain('curl');
    const stats = await s.json<StoreStats>('GET', '/api/store/_stats');
    expect(stats.body).toMatchObject({ events: 3, alerts: 1, last_pass: { events_deleted: 30, alerts_deleted: 0 } });
    expect(stats.body.oldest_event).toBe(new Date(t0).toISOString());
  });
});

describe('disk guard', () => {
  let s: TestServer;
  afterEach(async () => {
    await s.close();
  });

  const free = { bytes: 100 * GB };
  const start = () =>
    startTestServer({ storage: { diskMinFree: { bytes: 2 * GB, percent: 5 }, readFreeSpace: async () => ({ freeBytes: free.bytes, totalBytes: 200 * GB }) } });

  it('refuses ingest below the minimum free space with Elasticsearch\'s flood-stage block, and resumes when space returns', async () => {
    free.bytes = 100 * GB;
    s = await start();
    const guard = s.services.storage.diskGuard;
    if (!guard) throw new Error('the embedded store has a disk guard');
    const body = bulkBody([processEvent({ at: s.clock.now() })]);
    const bulk = () => s.request('POST', '/logs-cloud_defend.process-default/_bulk', { rawBody: body, headers: { 'content-type': 'application/x-ndjson' } });
    await guard.check();
    expect((await bulk()).status).toBe(200);

    // 200 GB, 5%: 10 GB is the minimum (larger than 2 GB)
    free.bytes = 9 * GB;
    await guard.check();
    const refused = await bulk();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    const err = (await refused.json()) as { error: { type: string; reason: string; root_cause: { type: string }[] }; status: number };
    expect(err.status).toBe(429);
    expect(err.error.type).toBe('cluster_block_exception');
    expect(err.error.root_cause[0]?.type).toBe('cluster_block_exception');
    expect(err.error.reason).toBe('index [logs-cloud_defend.process-default] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];');
    const single = await s.request('POST', '/logs-cloud_defend.process-default/_doc', { body: processEvent({ at: s.clock.now() }) });
    expect(single.status).toBe(429);
    expect(((await single.json()) as { error: { type: string } }).error.type).toBe('cluster_block_exception');
    const webhook = await s.request('POST', '/api/k8s/audit', { body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [] } });
    expect(webhook.status).toBe(429);
    expect(webhook.headers.get('retry-after')).toBe('30');

    // reads, sign-in and triage go on
    const health = await s.json<{ disk: { blocked: boolean; free_bytes: number; min_free_bytes: number } }>('GET', '/api/health', { user: null });
    expect(health.body.disk).toMatchObject({ blocked: true, free_bytes: 9 * GB, min_free_bytes: 10 * GB });
    const login = await s.request('POST', '/api/auth/login', { user: null, body: { username: 'analyst', password: 'analyst-test-password-1' } });
    expect(login.status).toBe(200);
    await s.store.alerts.createMany([alertOn('a-1', 'L', s.clock.now())]);
    expect((await s.json('PATCH', '/api/alerts/a-1', { user: 'analyst', body: { status: 'acknowledged' } })).status).toBe(200);
    expect((await s.json('GET', '/api/alerts')).status).toBe(200);
    expect(await s.store.events.count()).toBe(1);

    free.bytes = 11 * GB;
    await guard.check();
    expect((await bulk()).status).toBe(200);
    expect(await s.store.events.count()).toBe(2);
    expect((await s.json<{ disk: { blocked: boolean } }>('GET', '/api/health', { user: null })).body.disk.blocked).toBe(false);
  });

  it('answers a write that found the disk full anyway with 429 (ingest) or 507, Retry-After, never a 500', async () => {
    free.bytes = 100 * GB;
    s = await start();
    const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    s.store.events.bulk = async () => {
      throw full();
    };
    const res = await s.request('POST', '/_bulk', { rawBody: bulkBody([processEvent({ at: s.clock.now() })]), headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('cluster_block_exception');
    const single = await s.request('PUT', '/logs-cloud_defend.process-default/_create/one', { body: processEvent({ at: s.clock.now() }) });
    expect(single.status).toBe(429);
    expect(((await single.json()) as { error: { reason: string } }).error.reason).toContain('index [logs-cloud_defend.process-default] blocked by');

    await s.store.alerts.createMany([alertOn('a-2', 'L', s.clock.now())]);
    s.store.alerts.update = async () => {
      throw full();
    };
    const patch = await s.request('PATCH', '/api/alerts/a-2', { user: 'analyst', body: { status: 'acknowledged' } });
    expect(patch.status).toBe(507);
    expect(patch.headers.get('retry-after')).toBe('30');
    expect(await patch.json()).toMatchObject({ error: 'insufficient_storage', status: 507 });
  });
});
