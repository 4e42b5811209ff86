/**
 * Benchmark: the seed rule's run on the embedded store with no exceptions and with 500 active items
 * when every event of the window matches the rule (the worst case). Returns figures; `bench/src/exceptions.ts` calls it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchEvents, benchItems, runExceptionsBench } from '@execwatch/exceptions';
import { silentLogger } from '../log';
import { createEmbeddedStore } from '../store/embedded/index';
import type { BulkOperation, RuleSearchRequest } from '../store/ports';

export const SEED_QUERY = `process where container.id : "*" and event.type== "start" and
process.entry_leader.entry_meta.type : "container" and
process.entry_leader.same_as_process== true and
process.interactive == true`;

/** Runs both benchmarks (matcher alone, and the embedded rule run) and returns their figures. */
export async function runRuleRunBench(opts: { events?: number; items?: number; rounds?: number } = {}): Promise<Record<string, number>> {
  const eventCount = opts.events ?? 20_000;
  const itemCount = opts.items ?? 500;
  const rounds = opts.rounds ?? 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-exc-bench-'));
  const store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
  try {
    const at = Date.parse('2026-01-01T00:00:00Z');
    const ops: BulkOperation[] = benchEvents(eventCount).map((source, i) => ({ action: 'create', index: 'logs-cloud_defend.process-default', source, line: i * 2 + 2 }));
    for (let i = 0; i < ops.length; i += 5000) await store.events.bulk(ops.slice(i, i + 5000), at);
    const items = benchItems(itemCount).map((it) => ({ ...it, item_id: it.id, list_id: 'bench' }));
    const request = (withItems: boolean): RuleSearchRequest => ({
      query: SEED_QUERY,
      index: ['logs-cloud_defend*'],
      window: { from: at - 60_000, to: at + 60_000 },
      timestampOverride: 'event.ingested',
      exceptions: withItems ? items : [],
      size: 100,
    });
    const time = async (withItems: boolean) => {
      const t0 = performance.now();
      const r = await store.events.searchRule(request(withItems));
      return { ms: performance.now() - t0, suppressed: r.suppressed };
    };
    await time(false);
    await time(true);
    const without: number[] = [];
    const withItems: number[] = [];
    let suppressed = 0;
    for (let i = 0; i < rounds; i++) {
      without.push((await time(false)).ms);
      const w = await time(true);
      withItems.push(w.ms);
      suppressed = w.suppressed;
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const a = median(without);
    const b = median(withItems);
    return {
      ...(await runExceptionsBench({ items: itemCount })),
      exceptions_rule_run_events: eventCount,
      exceptions_rule_run_ms_without: Math.round(a * 10) / 10,
      exceptions_rule_run_ms_with_500: Math.round(b * 10) / 10,
      exceptions_rule_run_overhead_pct: Math.round(((b - a) / a) * 1000) / 10,
      exceptions_rule_run_suppressed: suppressed,
    };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
