/**
 * Exceptions benchmark: the seed rule's embedded run with 500 active exception items against the same
 * run with none, medians of several alternating rounds (A/B in one process, so machine drift cancels).
 * - `exceptions_500_*`: a realistic window (the store benchmark's events, ~2% interactive exec shells);
 * - `exceptions_all_match_*`: the worst case, every event in the window matches the rule.
 * Standalone: `node --import tsx bench/src/exceptions.ts` prints the figures as JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchItems } from '@execwatch/exceptions';
import { runRuleRunBench, SEED_QUERY } from '../../apps/server/src/exceptions/rule-run-bench';
import { silentLogger } from '../../apps/server/src/log';
import { createEmbeddedStore } from '../../apps/server/src/store/embedded/index';
import type { BulkOperation, ExceptionItemForMatching, RuleSearchRequest, Store } from '../../apps/server/src/store/ports';
import { eventLine, rng } from './store';

const INDEX = 'logs-cloud_defend.process-default';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** 500 items: the exceptions package's mix, plus two that do suppress events of this window. */
function items(count: number): ExceptionItemForMatching[] {
  const mix = benchItems(count - 2).map((it) => ({ ...it, item_id: it.id, list_id: 'bench' }));
  return [
    ...mix,
    { id: 'ci', item_id: 'ci', list_id: 'bench', entries: [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'ci' }] },
    { id: 'busybox', item_id: 'busybox', list_id: 'bench', entries: [{ field: 'container.image.name', operator: 'included', type: 'wildcard', value: 'busy*' }] },
  ];
}

async function timeRun(store: Store, req: RuleSearchRequest): Promise<{ ms: number; total: number; suppressed: number }> {
  const t0 = performance.now();
  const res = await store.events.searchRule(req);
  return { ms: performance.now() - t0, total: res.total, suppressed: res.suppressed };
}

/** The realistic-window figures. */
async function realisticWindow(eventCount: number, itemCount: number, rounds: number): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-exc-'));
  const store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
  try {
    const rand = rng(7);
    const t0 = Date.parse('2025-06-01T00:00:00.000Z');
    for (let n = 0; n < eventCount; n += 5000) {
      const ops: BulkOperation[] = [];
      for (let i = n; i < Math.min(n + 5000, eventCount); i++) ops.push({ action: 'create', index: INDEX, source: eventLine(i, rand, t0 + i), line: 2 * (i - n) + 2 });
      await store.events.bulk(ops, t0 + n);
    }
    const list = items(itemCount);
    const request = (withItems: boolean): RuleSearchRequest => ({
      query: SEED_QUERY,
      index: ['logs-cloud_defend*'],
      window: { from: t0, to: t0 + eventCount + 1 },
      timestampOverride: 'event.ingested',
      exceptions: withItems ? list : [],
      size: 100,
    });
    // warm-up: a server runs its rules every few minutes for days, so the steady state is what counts
    for (let i = 0; i < 3; i++) {
      await timeRun(store, request(false));
      await timeRun(store, request(true));
    }
    const without: number[] = [];
    const withItems: number[] = [];
    let last = { total: 0, suppressed: 0 };
    for (let i = 0; i < rounds; i++) {
      without.push((await timeRun(store, request(false))).ms);
      const w = await timeRun(store, request(true));
      withItems.push(w.ms);
      last = w;
    }
    const a = median(without);
    const b = median(withItems);
    return {
      exceptions_window_events: eventCount,
      exceptions_none_median_ms: round1(a),
      exceptions_500_median_ms: round1(b),
      exceptions_500_overhead_pct: round1(((b - a) / a) * 100),
      exceptions_500_matches: last.total,
      exceptions_500_suppressed: last.suppressed,
    };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the exceptions benchmark and returns its figures. */
export async function run(): Promise<Record<string, number>> {
  const eventCount = Number(process.env.BENCH_EXCEPTIONS_EVENTS ?? 100_000);
  const rounds = Number(process.env.BENCH_EXCEPTIONS_ROUNDS ?? 9);
  const realistic = await realisticWindow(eventCount, 500, rounds);
  const worst = await runRuleRunBench({ events: 20_000, items: 500, rounds });
  return {
    ...realistic,
    exceptions_all_match_events: worst.exceptions_rule_run_events ?? 0,
    exceptions_all_match_none_median_ms: worst.exceptions_rule_run_ms_without ?? 0,
    exceptions_all_match_500_median_ms: worst.exceptions_rule_run_ms_with_500 ?? 0,
    exceptions_all_match_overhead_pct: worst.exceptions_rule_run_overhead_pct ?? 0,
    exceptions_matcher_only_overhead_pct: worst.exceptions_overhead_pct ?? NaN,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
