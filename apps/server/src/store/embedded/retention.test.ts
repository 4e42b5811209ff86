import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { KUBE_AUDIT_INDEX_PATTERN, type RetentionPolicy, type Store, type StoredAlert } from '../ports';
import { T0, alertDoc, createOps, execEvent } from '../contract/fixtures';
import { createEmbeddedStore } from './index';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy: RetentionPolicy = { eventsMs: 7 * DAY, alertsMs: 30 * DAY };
const KUBE_AUDIT_INDEX = KUBE_AUDIT_INDEX_PATTERN.replace('*', 'default');

/** An alert on the session of `leader`, raised at `at`. */
function sessionAlert(id: string, leader: string, at: number): StoredAlert {
  const a = alertDoc(id, { time: at });
  (a.doc.process as Record<string, unknown>).entry_leader = { entity_id: leader };
  return a;
}

describe('embedded retention', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-retention-'));
    store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const retention = () => {
    if (!store.retention) throw new Error('the embedded store has retention');
    return store.retention;
  };
  const drain = async (now: number, limit = 1000) => {
    const total = { events: 0, alerts: 0 };
    for (;;) {
      const b = await retention().deleteBatch(policy, now, limit);
      total.events += b.events;
      total.alerts += b.alerts;
      if (!b.more) return total;
    }
  };

  it('deletes events older than the retention, keeps younger ones and the sessions alerts name', async () => {
    await store.events.bulk(createOps([execEvent({ id: 'old-1', entryLeader: 'L-old' }), execEvent({ id: 'old-2', entryLeader: 'L-old' })]), T0);
    await store.events.bulk(createOps([execEvent({ id: 'kept-1', entryLeader: 'L-alerted' }), execEvent({ id: 'kept-2', entryLeader: 'L-alerted' })]), T0 + HOUR);
    await store.events.bulk(createOps([execEvent({ id: 'audit' })], KUBE_AUDIT_INDEX), T0 + HOUR);
    await store.events.bulk(createOps([execEvent({ id: 'young', entryLeader: 'L-young' })]), T0 + 6 * DAY);
    await store.alerts.createMany([sessionAlert('a1', 'L-alerted', T0 + HOUR)]);

    const deleted = await drain(T0 + 8 * DAY);
    expect(deleted).toEqual({ events: 3, alerts: 0 });
    expect(await store.events.count()).toBe(3);
    expect((await store.events.sessionEvents('L-alerted', 10)).events.map((e) => e._source.event)).toHaveLength(2);
    expect((await store.events.sessionEvents('L-old', 10)).events).toHaveLength(0);
    expect((await store.events.sessionEvents('L-young', 10)).events).toHaveLength(1);
    expect(await store.kubeAudit.any()).toBe(false);
    // nothing more to do until more time passes
    expect(await drain(T0 + 8 * DAY)).toEqual({ events: 0, alerts: 0 });
  });

  it('deletes at most a batch per call and says when more is waiting', async () => {
    await store.events.bulk(createOps(Array.from({ length: 25 }, (_, i) => execEvent({ id: `e${i}` }))), T0);
    const first = await retention().deleteBatch(policy, T0 + 8 * DAY, 10);
    expect(first).toEqual({ events: 10, alerts: 0, more: true });
    expect(await store.events.count()).toBe(15);
    expect(await drain(T0 + 8 * DAY, 10)).toEqual({ events: 15, alerts: 0 });
  });

  it('deletes alerts past their retention with their triage records and then the old events of their sessions', async () => {
    await store.events.bulk(createOps([execEvent({ id: 's1', entryLeader: 'L1' }), execEvent({ id: 's2', entryLeader: 'L1' })]), T0);
    await store.events.bulk(createOps([execEvent({ id: 'shared', entryLeader: 'L2' })]), T0);
    await store.alerts.createMany([sessionAlert('old-alert', 'L1', T0), sessionAlert('old-on-L2', 'L2', T0), sessionAlert('new-on-L2', 'L2', T0 + 20 * DAY)]);
    await store.checklists.put({ alert_id: 'old-alert', step_id: 'step-1', done: true, by: 'analyst', at: T0, note: null });
    await store.notes.add({ id: 'n1', alert_id: 'old-alert', text: 'looked at it', author: 'analyst', created_at: T0 });
    const listTotal = async () => (await store.alerts.search({ filter: {}, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 10 })).total;
    expect(await listTotal()).toBe(3);

    // day 8: the events are old but their sessions have alerts
    expect(await drain(T0 + 8 * DAY)).toEqual({ events: 0, alerts: 0 });
    // day 31: the first two alerts go; L1 has no alert left, L2 still has one
    expect(await drain(T0 + 31 * DAY)).toEqual({ events: 2, alerts: 2 });
    expect(await store.alerts.get('old-alert')).toBeNull();
    expect(await listTotal()).toBe(1);
    expect(await store.checklists.list('old-alert')).toEqual([]);
    expect(await store.notes.list('old-alert')).toEqual([]);
    expect((await store.events.sessionEvents('L1', 10)).events).toHaveLength(0);
    expect((await store.events.sessionEvents('L2', 10)).events).toHaveLength(1);
  });

  it('deletes a released session larger than a batch over several batches', async () => {
    await store.events.bulk(createOps(Array.from({ length: 25 }, (_, i) => execEvent({ id: `big-${i}`, entryLeader: 'L-big' }))), T0);
    await store.alerts.createMany([sessionAlert('big-alert', 'L-big', T0)]);
    expect(await drain(T0 + 8 * DAY, 10)).toEqual({ events: 0, alerts: 0 });
    expect(await drain(T0 + 31 * DAY, 10)).toEqual({ events: 25, alerts: 1 });
    expect(await store.events.count()).toBe(0);
  });

  it('reuses the pages it freed: the file does not grow while old events go as fast as new ones come', async () => {
    // random text: stored documents may be compressed, and repeated text would take no room
    const day = (d: number) => createOps(Array.from({ length: 1500 }, (_, i) => execEvent({ id: `d${d}-${i}`, entryLeader: `L${d}-${i}`, extra: { message: randomBytes(1000).toString('hex') } })));
    for (let d = 0; d < 8; d++) await store.events.bulk(day(d), T0 + d * DAY);
    await drain(T0 + 8 * DAY);
    const afterDelete = await retention().usage(T0 + 8 * DAY);
    expect(afterDelete.events).toBe(7 * 1500);
    expect(afterDelete.reusableBytes).toBeGreaterThan(1500 * 1000);
    await store.events.bulk(day(8), T0 + 8 * DAY);
    const afterIngest = await retention().usage(T0 + 8 * DAY);
    // the new day's rows went into freed pages (a day freed about what a day takes)
    expect(afterIngest.reusableBytes).toBeLessThan((afterDelete.reusableBytes ?? 0) * 0.7);
  });

  it('tells size, oldest event, events per day and the alert count', async () => {
    await store.events.bulk(createOps(Array.from({ length: 40 }, (_, i) => execEvent({ id: `a${i}` }))), T0);
    await store.events.bulk(createOps(Array.from({ length: 24 }, (_, i) => execEvent({ id: `b${i}` }))), T0 + 2 * DAY);
    await store.alerts.createMany([alertDoc('x', { time: T0 + DAY })]);
    const u = await retention().usage(T0 + 2 * DAY + HOUR);
    expect(u).toMatchObject({ events: 64, eventsExact: true, oldestEvent: T0, eventsPerDay: 24, alerts: 1, oldestAlert: T0 + DAY });
    expect(u.sizeBytes).toBeGreaterThan(0);
    expect(u.bytesPerEvent).toBeGreaterThan(0);
  });
});
