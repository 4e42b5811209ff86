import type { Execution } from '@execwatch/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { createServices } from '../index';
import { ingestSessions, seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';

const min = 60_000;
let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => server?.close());

const alertTotal = async () => (await server.store.alerts.search({ filter: {}, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 1 })).total;

describe('detection engine', () => {
  it('a second instance skips a scheduled run the first one covered moments ago, and takes over later', async () => {
    const other = await createServices({ store: server.store, log: silentLogger, now: server.clock.now, instanceId: 'other' });
    await ingestSessions(server, 3);
    const first = await server.services.engine.runScheduled(seedRuleId, 'schedule');
    expect(first.at(-1)).toMatchObject({ status: 'succeeded', alerts_created: 3 });
    server.clock.advance(30_000);
    expect(await other.engine.runScheduled(seedRuleId, 'schedule')).toEqual([]);
    server.clock.advance(5 * min);
    const later = await other.engine.runScheduled(seedRuleId, 'schedule');
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({ status: 'succeeded', alerts_created: 0 });
  });

  it('overlapping windows and re-runs never duplicate alerts', async () => {
    await ingestSessions(server, 10);
    const { engine } = server.services;
    const t = server.clock.now();
    const first = await engine.runWindow(seedRuleId, { from: t - 6 * min, to: t + 1 }, 'manual');
    expect(first).toMatchObject({ status: 'succeeded', events_matched: 10, alerts_created: 10, alerts_existing: 0 });
    const overlapping = await engine.runWindow(seedRuleId, { from: t - 3 * min, to: t + 3 * min }, 'manual');
    expect(overlapping).toMatchObject({ events_matched: 10, alerts_created: 0, alerts_existing: 10 });
    const again = await engine.runWindow(seedRuleId, { from: t - 6 * min, to: t + 1 }, 'manual');
    expect(again.alerts_created).toBe(0);
    expect(await alertTotal()).toBe(10);
  });

  it('reads the window on event.ingested, not @timestamp', async () => {
    // events that happened a day ago but arrive now are in the window
    await ingestSessions(server, 4, { at: server.clock.now() - 24 * 60 * min });
    const t = server.clock.now();
    const run = await server.services.engine.runWindow(seedRuleId, { from: t - 6 * min, to: t + 1 }, 'manual');
    expect(run.alerts_created).toBe(4);
  });

  it('writes at most max_signals alerts and says so', async () => {
    await server.services.registry.update(seedRuleId, { max_signals: 3 }, 'test');
    await ingestSessions(server, 8);
    const t = server.clock.now();
    const run = await server.services.engine.runWindow(seedRuleId, { from: t - 6 * min, to: t + 1 }, 'manual');
    expect(run).toMatchObject({ status: 'partial', events_matched: 8, alerts_created: 3, max_signals_reached: true });
    expect(run.warnings.join(' ')).toMatch(/max_signals/);
    expect(await alertTotal()).toBe(3);
    // the next run picks up where the cap stopped, still without duplicates
    const next = await server.services.engine.runWindow(seedRuleId, { from: t - 6 * min, to: t + 1 }, 'manual');
    expect(next.alerts_existing + next.alerts_created).toBe(3);
  });

  it('catches up missed runs for up to 4 intervals and records older time as a gap', async () => {
    const { engine } = server.services;
    const first = await engine.runScheduled(seedRuleId, 'startup');
    expect(first).toHaveLength(1);
    const coveredTo = server.clock.now();
    // events arriving 10 minutes after the last run, then the server is away for an hour
    server.clock.advance(10 * min);
    await ingestSessions(server, 2, { prefix: 'early' });
    server.clock.advance(40 * min);
    await ingestSessions(server, 3, { prefix: 'late' });
    server.clock.advance(10 * min);
    const now = server.clock.now();
    const runs = await engine.runScheduled(seedRuleId, 'schedule');
    const main = runs.at(-1) as Execution;
    expect(runs.slice(0, -1).every((r) => r.trigger === 'catch_up')).toBe(true);
    expect(runs).toHaveLength(5);
    expect(main.trigger).toBe('schedule');
    expect(main.gaps).toEqual([{ from: new Date(coveredTo).toISOString(), to: new Date(now - 6 * min - 20 * min).toISOString() }]);
    expect(main.status).toBe('partial');
    // the early sessions fell in the gap; the late ones were caught up
    const created = runs.reduce((n, r) => n + r.alerts_created, 0);
    expect(created).toBe(3);
    const state = await server.store.rules.getState(seedRuleId);
    expect(state?.last_covered_to).toBe(now);
    const log = await server.store.executions.list(seedRuleId, { size: 50, page: 1 });
    expect(log.total).toBe(6);
    expect(log.executions.every((e) => e.status !== 'running')).toBe(true);
  });

  it('a start-up run covers the time since the last run', async () => {
    const { engine } = server.services;
    await engine.runScheduled(seedRuleId, 'startup');
    const coveredTo = server.clock.now();
    server.clock.advance(12 * min);
    await ingestSessions(server, 2, { at: server.clock.now() - 60 * min });
    server.clock.advance(2 * min);
    // arrived 2 minutes ago: the main window alone would catch it; the catch-up covers the minutes before it
    const runs = await engine.runScheduled(seedRuleId, 'startup');
    expect(runs.map((r) => r.trigger)).toEqual(['catch_up', 'catch_up', 'startup']);
    expect(runs[0]?.window.from).toBe(new Date(coveredTo).toISOString());
    expect(runs.reduce((n, r) => n + r.alerts_created, 0)).toBe(2);
  });

  it('records a failed run with its error and keeps serving', async () => {
    const { engine } = server.services;
    const realSearch = server.store.events.searchRule.bind(server.store.events);
    server.store.events.searchRule = async () => {
      throw new Error('disk on fire');
    };
    const failed = await engine.runWindow(seedRuleId, { from: 0, to: server.clock.now() }, 'manual');
    server.store.events.searchRule = realSearch;
    expect(failed).toMatchObject({ status: 'failed', error: 'disk on fire' });
    expect((await server.store.executions.latest(seedRuleId))?.status).toBe('failed');
  });
});
