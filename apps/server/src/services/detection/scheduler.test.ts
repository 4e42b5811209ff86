import { afterEach, describe, expect, it } from 'vitest';
import { seedRuleId } from '../../testing/scenario';
import { startTestServer, type TestServer } from '../../testing/test-server';

let server: TestServer | undefined;
afterEach(async () => server?.close());

async function waitFor<T>(fn: () => Promise<T | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Scheduler', () => {
  it('runs enabled rules at start-up and finishes the current run on stop', async () => {
    server = await startTestServer();
    const s = server;
    await s.services.scheduler.start();
    const first = await waitFor(() => s.store.executions.latest(seedRuleId).then((e) => (e && e.status !== 'running' ? e : null)));
    expect(first.trigger).toBe('startup');
    expect(first.status).toBe('succeeded');
    await s.services.scheduler.stop();
    const log = await s.store.executions.list(seedRuleId, { size: 10, page: 1 });
    expect(log.executions.every((e) => e.status !== 'running')).toBe(true);
  });

  it('runs a rule on its interval and skips it while disabled', async () => {
    // real time: a scheduled tick skips a rule another instance covered less than half an interval ago
    server = await startTestServer({ realTime: true });
    const s = server;
    await s.services.registry.update(seedRuleId, { interval: '1s' }, 'test');
    await s.services.scheduler.start();
    await waitFor(() => s.store.executions.list(seedRuleId, { size: 10, page: 1 }).then((l) => (l.executions.some((e) => e.trigger === 'schedule' && e.status !== 'running') ? l : null)), 15_000);
    await s.services.registry.update(seedRuleId, { enabled: false }, 'test');
    s.services.scheduler.reschedule(seedRuleId);
    await new Promise((r) => setTimeout(r, 100));
    const before = (await s.store.executions.list(seedRuleId, { size: 1, page: 1 })).total;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await s.store.executions.list(seedRuleId, { size: 1, page: 1 })).total).toBe(before);
    await s.services.scheduler.stop();
  });
});
