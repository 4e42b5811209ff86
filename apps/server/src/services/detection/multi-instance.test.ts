/**
 * Two Execwatch server instances (full service stacks) on one cluster: the in-memory fake cluster
 * records every request, so the tests can count the rule searches and alert writes each scheduled
 * run caused. Scheduler timers are faked (setTimeout only); the services read an injected clock.
 */
import { testPasswordHashing } from '../../auth/testing/auth-test-server';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Execution } from '@execwatch/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../app';
import { createAuth } from '../../auth/index';
import type { Logger } from '../../log';
import { FakeCluster } from '../../store/elasticsearch/fake-cluster';
import { createElasticsearchStore } from '../../store/elasticsearch/index';
import type { BulkOperation, Store } from '../../store/ports';
import { processEvent } from '../../testing/events';
import { testClock, type TestClock } from '../../testing/test-server';
import { createServices, type Services } from '../index';

const RULE = '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1';
const ALERTS = 'execwatch-alerts-default';
const EVENTS = 'logs-cloud_defend.process-default';
const min = 60_000;
/** The engine's claim on a run lasts this long (DetectionEngine's claimMs). */
const LEASE_MS = 10 * min;
const T0 = Date.UTC(2026, 2, 2, 9, 0);

interface LogEntry {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

interface Instance {
  id: string;
  store: Store;
  services: Services;
  logs: LogEntry[];
}

function recordingLogger(into: LogEntry[]): Logger {
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => void into.push({ level, msg, fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** One server instance: its own client, store and services over the shared cluster. */
async function startInstance(cluster: FakeCluster, id: string, clock: TestClock, opts: { onRunStart?: (e: Execution) => void; attempts?: number } = {}): Promise<Instance> {
  const logs: LogEntry[] = [];
  const log = recordingLogger(logs);
  const store = createElasticsearchStore({
    node: 'http://fake-cluster:9200',
    client: cluster.client(id),
    log,
    instanceId: id,
    retry: { attempts: opts.attempts ?? 3, baseDelayMs: 1, maxDelayMs: 4 },
    now: clock.now,
  });
  await store.init();
  const services = await createServices({ store, log, now: clock.now, instanceId: id, onRunStart: opts.onRunStart });
  return { id, store, services, logs };
}

/** `count` interactive exec sessions (an alerting shell and a non-alerting child command each), ingested at `at`. */
async function ingestShells(store: Store, prefix: string, count: number, at: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => {
    const leader = `${prefix}-shell-${i}`;
    return [
      processEvent({ at: at - 5_000 + i, entityId: leader, entryLeaderId: leader, name: 'bash' }),
      processEvent({ at: at - 4_000 + i, entityId: `${leader}-ls`, parentEntityId: leader, entryLeaderId: leader, entryLeader: false, name: 'ls' }),
    ];
  }).flat();
  const ops: BulkOperation[] = events.map((e, i) => ({ action: 'create', index: EVENTS, source: JSON.stringify(e), line: 2 * i + 2 }));
  const results = await store.events.bulk(ops, at);
  expect(results.every((r) => r.status === 201)).toBe(true);
}

/**
 * Lets in-flight work finish: turns the event loop (and a few ms of fake time, for retry backoff
 * sleeps) until neither the cluster nor any instance's log saw anything new for a while and `timers`
 * timers (the schedulers' next ticks) are armed. `advance: false` never moves fake time.
 */
async function settle(cluster: FakeCluster, instances: Instance[], timers: number, opts: { advance?: boolean } = {}): Promise<void> {
  const activity = () => cluster.requests.length + instances.reduce((n, i) => n + i.logs.length, 0);
  let seen = -1;
  let quiet = 0;
  for (let turn = 0; turn < 20_000; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (opts.advance !== false) await vi.advanceTimersByTimeAsync(5);
    quiet = activity() === seen ? quiet + 1 : 0;
    seen = activity();
    if (quiet >= 30 && vi.getTimerCount() === timers) return;
  }
  throw new Error(`did not settle: ${vi.getTimerCount()} timers armed, ${timers} expected`);
}

const ruleSearches = (cluster: FakeCluster) => cluster.sent('_eql/search').length;
const alertWrites = (cluster: FakeCluster) =>
  cluster.sent('_bulk').filter((r) => Array.isArray(r.body) && JSON.stringify(r.body[0]).includes(`"_index":"${ALERTS}"`)).length;
const alertCount = (cluster: FakeCluster) => cluster.indices.get(ALERTS)?.size ?? 0;
const executions = async (store: Store) => (await store.executions.list(RULE, { size: 100, page: 1 })).executions;
const skipped = (i: Instance) => i.logs.filter((l) => l.msg === 'scheduled run skipped' && /another server instance/.test(String(l.fields.reason))).length;

let running: Instance[] = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(async () => {
  for (const i of running) await i.services.scheduler.stop();
  for (const i of running) await i.store.close();
  running = [];
  vi.useRealTimers();
});

describe('two server instances on one cluster', () => {
  it('claims every scheduled run once: one rule search and one set of alert writes per run', async () => {
    const cluster = new FakeCluster();
    const clock = testClock(T0);
    const a = await startInstance(cluster, 'a', clock);
    const b = await startInstance(cluster, 'b', clock);
    running = [a, b];
    await ingestShells(a.store, 'first', 3, clock.now() - 30_000);

    await Promise.all([a.services.scheduler.start(), b.services.scheduler.start()]);
    await settle(cluster, running, 2);
    expect(ruleSearches(cluster)).toBe(1);
    expect(alertWrites(cluster)).toBe(1);
    expect(alertCount(cluster)).toBe(3);
    expect(skipped(a) + skipped(b)).toBe(1);

    for (let round = 1; round <= 3; round++) {
      clock.advance(5 * min);
      await ingestShells(round % 2 === 0 ? a.store : b.store, `round${round}`, 2, clock.now() - 30_000);
      await vi.advanceTimersByTimeAsync(5 * min);
      await settle(cluster, running, 2);
      expect(ruleSearches(cluster)).toBe(1 + round);
      expect(alertWrites(cluster)).toBe(1 + round);
      expect(alertCount(cluster)).toBe(3 + 2 * round);
      expect(skipped(a) + skipped(b)).toBe(1 + round);
    }
    const runs = await executions(a.store);
    expect(runs).toHaveLength(4);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    expect(runs.map((r) => r.trigger).sort()).toEqual(['schedule', 'schedule', 'schedule', 'startup']);
    // Every run was released: no lease is left behind.
    expect(cluster.doc('execwatch-rules', `lease:${RULE}`)).toBeUndefined();
  });

  it('takes over the run of an instance that died holding the lease, covering the time since the last run', async () => {
    const cluster = new FakeCluster();
    const clock = testClock(T0);
    let killNextRunner = false;
    let dead: string | null = null;
    const dieOnRunStart = (id: string) => () => {
      if (!killNextRunner) return;
      killNextRunner = false;
      dead = id;
      // The instance vanishes mid-run: nothing it sends from now on reaches the cluster, not even its lease release.
      cluster.cutOff(id);
    };
    const a = await startInstance(cluster, 'a', clock, { onRunStart: dieOnRunStart('a') });
    const b = await startInstance(cluster, 'b', clock, { onRunStart: dieOnRunStart('b') });
    running = [a, b];
    await Promise.all([a.services.scheduler.start(), b.services.scheduler.start()]);
    await settle(cluster, running, 2);
    const lastCovered = (await a.store.rules.getState(RULE))?.last_covered_to;
    expect(lastCovered).toBe(T0);

    // Next run: whoever claims it dies right after writing its `running` record.
    killNextRunner = true;
    clock.advance(5 * min);
    const diedAt = clock.now();
    await vi.advanceTimersByTimeAsync(5 * min);
    await settle(cluster, running, 2);
    expect(dead).not.toBeNull();
    const [deadOne, survivor] = dead === 'a' ? [a, b] : [b, a];
    await deadOne.services.scheduler.stop();
    running = [survivor, deadOne];
    const lease = cluster.doc('execwatch-rules', `lease:${RULE}`)?.source;
    expect(lease).toMatchObject({ owner: deadOne.id, until: new Date(diedAt + LEASE_MS).toISOString() });
    const searchesBefore = ruleSearches(cluster);

    // Sessions arrive while nobody runs the rule.
    await ingestShells(survivor.store, 'unwatched', 4, diedAt + 2 * min);

    // While the dead instance's lease lasts, the survivor's ticks are refused.
    clock.advance(5 * min);
    await vi.advanceTimersByTimeAsync(5 * min);
    await settle(cluster, running, 1);
    expect(ruleSearches(cluster)).toBe(searchesBefore);
    expect(skipped(survivor)).toBeGreaterThanOrEqual(1);

    // Past the lease's expiry the survivor takes the run over and catches up from the last covered time.
    clock.advance(5 * min);
    await vi.advanceTimersByTimeAsync(5 * min);
    await settle(cluster, running, 1);
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(diedAt + LEASE_MS);
    const runs = (await executions(survivor.store)).filter((r) => Date.parse(r.started_at) === now);
    const byTrigger = runs.map((r) => r.trigger).sort();
    expect(byTrigger).toEqual(['catch_up', 'catch_up', 'schedule']);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const earliest = runs.map((r) => Date.parse(r.window.from)).sort((x, y) => x - y)[0];
    expect(earliest).toBe(T0);
    expect(runs.reduce((n, r) => n + r.alerts_created, 0)).toBe(4);
    expect(alertCount(cluster)).toBe(4);
    expect((await survivor.store.rules.getState(RULE))?.last_covered_to).toBe(now);
    expect(cluster.doc('execwatch-rules', `lease:${RULE}`)).toBeUndefined();
  });

  it('runs every enabled rule within 10 s of start, covering the time since its last run', async () => {
    const cluster = new FakeCluster();
    const clock = testClock(T0);
    const a = await startInstance(cluster, 'a', clock);
    running = [a];
    // The last run ended 20 minutes ago; sessions arrived 15 minutes ago (outside the rule's own 6-minute window).
    await a.store.rules.putState({ rule_id: RULE, enabled: true, overrides: {}, last_covered_to: T0 - 20 * min, updated_at: T0 - 20 * min, updated_by: null });
    await ingestShells(a.store, 'while-down', 2, T0 - 15 * min);

    await a.services.scheduler.start();
    // Only 10 s of timer time pass; then the run may finish but no further timer fires.
    await vi.advanceTimersByTimeAsync(10_000);
    await settle(cluster, running, 1, { advance: false });
    const runs = await executions(a.store);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => Date.parse(r.started_at) === T0 && r.status === 'succeeded')).toBe(true);
    expect(runs.some((r) => r.trigger === 'startup')).toBe(true);
    expect(Math.min(...runs.map((r) => Date.parse(r.window.from)))).toBe(T0 - 20 * min);
    expect(alertCount(cluster)).toBe(2);
  });
});

describe('sessions and sign-in limits across instances', () => {
  const password = 'a long admin passphrase 1';

  async function listen(instance: Instance, clock: TestClock): Promise<{ url: string; server: Server }> {
    const log = recordingLogger(instance.logs);
    const auth = createAuth({ store: instance.store, log, now: clock.now, config: { secureCookies: false, adminPassword: password, passwordHashing: testPasswordHashing } });
    await auth.bootstrap();
    const app = createApp({ store: instance.store, log, now: clock.now, auth, services: instance.services, webDist: null, scheduling: false });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo; // a TCP listener reports an AddressInfo
    return { url: `http://127.0.0.1:${port}`, server };
  }

  const login = (url: string, pass: string) =>
    fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: pass }) });

  it('accepts a session started on one instance at the other, and counts failed sign-ins across both', async () => {
    vi.useRealTimers();
    const cluster = new FakeCluster();
    const clock = testClock(T0);
    const a = await startInstance(cluster, 'a', clock);
    const b = await startInstance(cluster, 'b', clock);
    running = [a, b];
    const httpA = await listen(a, clock);
    const httpB = await listen(b, clock);
    try {
      const signedIn = await login(httpA.url, password);
      expect(signedIn.status).toBe(200);
      const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/=/);
      const me = await fetch(`${httpB.url}/api/auth/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { user: { username: string } }).user.username).toBe('admin'); // the MeResponse shape

      // Failed sign-ins spread over both instances add up to one limit (5 per user by default).
      for (let i = 0; i < 5; i++) expect((await login(i % 2 === 0 ? httpA.url : httpB.url, 'wrong password!!')).status).toBe(401);
      expect((await login(httpB.url, password)).status).toBe(429);
      expect((await login(httpA.url, password)).status).toBe(429);
    } finally {
      httpA.server.close();
      httpB.server.close();
    }
  });
});

describe('cluster trouble during rule runs', () => {
  it('retries throttling and unavailable answers, then runs normally', async () => {
    const cluster = new FakeCluster();
    const clock = testClock(T0);
    const a = await startInstance(cluster, 'a', clock, { attempts: 4 });
    running = [a];
    await ingestShells(a.store, 'busy', 2, T0 - 30_000);
    cluster.fail({ kind: 'status', status: 429 }, 1, '_eql/search');
    cluster.fail({ kind: 'status', status: 503 }, 1, '_eql/search');
    cluster.fail({ kind: 'connection' }, 1, '_bulk');
    const run = await runNow(a);
    expect(run).toMatchObject({ status: 'succeeded', alerts_created: 2 });
    expect(ruleSearches(cluster)).toBe(3);
    const retries = a.logs.filter((l) => l.msg === 'elasticsearch call failed, retrying');
    expect(retries.map((l) => [l.fields.what, l.fields.attempt])).toEqual([
      ['eql search', 1],
      ['eql search', 2],
      ['bulk create alerts', 1],
    ]);
    expect(retries.map((l) => l.fields.reason)).toEqual([expect.stringContaining('429'), expect.stringContaining('503'), expect.stringContaining('unreachable')]);
  });

  it('records a run failed with the reason when the cluster keeps refusing, and the next run loses no alert', async () => {
    const cluster = new FakeCluster();
    const clock = testClock(T0);
    const a = await startInstance(cluster, 'a', clock);
    running = [a];
    await runStartup(a).then((r) => expect(r.at(-1)?.status).toBe('succeeded'));

    clock.advance(3 * min);
    await ingestShells(a.store, 'during-outage', 3, clock.now());
    clock.advance(2 * min);
    cluster.fail({ kind: 'status', status: 503, reason: 'no master' }, 3, '_eql/search');
    const failed = await runScheduledNow(a);
    expect(failed.at(-1)).toMatchObject({ status: 'failed', alerts_created: 0 });
    expect(failed.at(-1)?.error).toMatch(/eql search failed after 3 attempts: elasticsearch responded 503: unavailable_shards_exception: no master/);
    expect((await a.store.executions.latest(RULE))?.status).toBe('failed');

    // The outage ends; the window the failed run should have covered is caught up.
    clock.advance(5 * min);
    const next = await runScheduledNow(a);
    expect(next.map((r) => r.trigger)).toEqual(['catch_up', 'schedule']);
    expect(next[0]?.window.from).toBe(new Date(T0).toISOString());
    expect(next.every((r) => r.status === 'succeeded')).toBe(true);
    expect(next.reduce((n, r) => n + r.alerts_created, 0)).toBe(3);
    expect(alertCount(cluster)).toBe(3);
  });

  it('fails a run whose results stay partial (shard failures), naming them, and the next run finds the missing alerts', async () => {
    const cluster = new FakeCluster();
    const clock = testClock(T0);
    const a = await startInstance(cluster, 'a', clock);
    running = [a];
    await runStartup(a);
    clock.advance(3 * min);
    await ingestShells(a.store, 'shards', 4, clock.now());
    clock.advance(2 * min);

    // One partial answer is retried away.
    cluster.fail({ kind: 'partial' }, 1);
    const recovered = await runScheduledNow(a);
    expect(recovered.at(-1)).toMatchObject({ status: 'succeeded', alerts_created: 4 });
    expect(a.logs.some((l) => l.msg === 'eql search returned partial results, retrying')).toBe(true);

    clock.advance(3 * min);
    await ingestShells(a.store, 'more-shards', 4, clock.now());
    clock.advance(2 * min);
    cluster.fail({ kind: 'partial', reason: 'shard [logs][1] lost its node' }, 3);
    const partial = await runScheduledNow(a);
    const last = partial.at(-1);
    expect(last?.status).toBe('failed');
    expect(last?.error).toMatch(/partial results after 3 attempts: 1 shard failure\(s\): .*circuit_breaking_exception shard \[logs\]\[1\] lost its node/);
    expect(alertCount(cluster)).toBe(4);

    clock.advance(5 * min);
    const next = await runScheduledNow(a);
    expect(next.every((r) => r.status === 'succeeded')).toBe(true);
    expect(alertCount(cluster)).toBe(8);
  });
});

/** A manual run of the rule's window ending at T0, letting retry backoff timers run. */
function runNow(i: Instance): Promise<Execution> {
  return withTimers(i.services.engine.runWindow(RULE, { from: T0 - 6 * min, to: T0 }, 'manual'));
}

/** A start-up run now. */
function runStartup(i: Instance): Promise<Execution[]> {
  return withTimers(i.services.engine.runScheduled(RULE, 'startup'));
}

/** A scheduled run now, letting retry backoff timers run. */
function runScheduledNow(i: Instance): Promise<Execution[]> {
  return withTimers(i.services.engine.runScheduled(RULE, 'schedule'));
}

/** Awaits work that may sleep between retries (fake timers), advancing them until it is done. */
async function withTimers<T>(work: Promise<T>): Promise<T> {
  let done = false;
  const tracked = work.finally(() => {
    done = true;
  });
  for (let turn = 0; !done && turn < 20_000; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (vi.getTimerCount() > 0) await vi.advanceTimersByTimeAsync(5);
  }
  return tracked;
}
