/**
 * Benchmark of exception matching at the seed rule's scale: the per-event work of an embedded rule run
 * (parse the stored event JSON, test the rule's conditions) with and without 500 active exception
 * items. Returns figures; `bench/src/exceptions.ts` can re-export it as `run`.
 */
import type { ExceptionEntry } from '@execwatch/api';
import { compileExceptionMatcher } from './matcher';

export interface ExceptionsBenchOptions {
  items?: number;
  events?: number;
  rounds?: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Serialized cloud_defend process events shaped like the seed rule's matches. */
export function benchEvents(count: number, seed = 1): string[] {
  const r = rng(seed);
  const users = Array.from({ length: 400 }, (_, i) => `user-${i}`);
  const namespaces = Array.from({ length: 60 }, (_, i) => `ns-${i}`);
  const images = Array.from({ length: 120 }, (_, i) => `registry.local/team-${i % 12}/app-${i}`);
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      '@timestamp': new Date(1_700_000_000_000 + i * 1000).toISOString(),
      event: { type: ['start'], action: 'exec', category: ['process'], ingested: new Date(1_700_000_000_000 + i * 1000).toISOString() },
      container: { id: `c-${i % 5000}`, image: { name: pick(r, images), tag: 'latest' } },
      orchestrator: { namespace: pick(r, namespaces), cluster: { name: 'prod' }, resource: { name: `pod-${i % 900}`, type: 'pod', label: [`app:${i % 40}`] } },
      user: { id: String(1000 + (i % 400)), name: pick(r, users) },
      host: { os: { type: 'linux' } },
      process: {
        name: 'bash',
        args: ['bash'],
        interactive: true,
        entry_leader: { entity_id: `el-${i}`, entry_meta: { type: 'container' }, same_as_process: true, interactive: true },
      },
    }),
  );
}

/** 500 items mixing the guide's templates (admin user + namespace, image + namespace, wildcard images, exists). */
export function benchItems(count: number, seed = 2): { id: string; entries: ExceptionEntry[] }[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const ns = `ns-${Math.floor(r() * 60)}`;
    let entries: ExceptionEntry[];
    switch (i % 5) {
      case 0:
      case 1:
        entries = [
          { field: 'user.name', operator: 'included', type: 'match', value: `user-${Math.floor(r() * 400)}` },
          { field: 'orchestrator.namespace', operator: 'included', type: 'match', value: ns },
        ];
        break;
      case 2:
        entries = [
          { field: 'container.image.name', operator: 'included', type: 'match', value: `registry.local/team-${i % 12}/app-${Math.floor(r() * 120)}` },
          { field: 'orchestrator.namespace', operator: 'included', type: 'match_any', value: [ns, `ns-${Math.floor(r() * 60)}`] },
        ];
        break;
      case 3:
        entries = [
          { field: 'orchestrator.namespace', operator: 'included', type: 'match', value: ns },
          { field: 'container.image.name', operator: 'included', type: 'wildcard', value: `registry.local/team-${i % 12}/*` },
        ];
        break;
      default:
        entries = [
          { field: 'orchestrator.resource.label', operator: 'included', type: 'match', value: `app:${i % 40}` },
          { field: 'process.parent.name', operator: 'excluded', type: 'exists' },
          { field: 'orchestrator.namespace', operator: 'included', type: 'match', value: ns },
        ];
    }
    return { id: `item-${i}`, entries };
  });
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {}); // narrowed to a non-null object

/** The seed rule's conditions, written directly (stands in for the evaluator's per-event cost). */
function seedRuleMatches(doc: Json): boolean {
  const process = obj(doc.process);
  const leader = obj(process.entry_leader);
  const types = obj(doc.event).type;
  return (
    typeof obj(doc.container).id === 'string' &&
    Array.isArray(types) &&
    types.includes('start') &&
    obj(leader.entry_meta).type === 'container' &&
    leader.same_as_process === true &&
    process.interactive === true
  );
}

/** Runs the benchmark and returns its figures. */
export async function runExceptionsBench(opts: ExceptionsBenchOptions = {}): Promise<Record<string, number>> {
  const itemCount = opts.items ?? 500;
  const events = benchEvents(opts.events ?? 20_000);
  const rounds = opts.rounds ?? 5;
  const now = Date.now();

  const compileStart = performance.now();
  const matcher = compileExceptionMatcher(benchItems(itemCount), { now });
  const compileMs = performance.now() - compileStart;

  const pass = (withExceptions: boolean): { ms: number; alerts: number; suppressed: number } => {
    const t0 = performance.now();
    let alerts = 0;
    let suppressed = 0;
    for (const text of events) {
      const doc = JSON.parse(text) as Json; // the generator writes JSON objects
      if (!seedRuleMatches(doc)) continue;
      if (withExceptions && matcher.match(doc) !== null) suppressed++;
      else alerts++;
    }
    return { ms: performance.now() - t0, alerts, suppressed };
  };

  pass(false);
  pass(true);
  const base: number[] = [];
  const withItems: number[] = [];
  let suppressed = 0;
  for (let i = 0; i < rounds; i++) {
    base.push(pass(false).ms);
    const w = pass(true);
    withItems.push(w.ms);
    suppressed = w.suppressed;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const baseMs = median(base);
  const withMs = median(withItems);
  return {
    exceptions_items: itemCount,
    exceptions_events: events.length,
    exceptions_compile_ms: Math.round(compileMs * 100) / 100,
    exceptions_run_ms_without: Math.round(baseMs * 10) / 10,
    exceptions_run_ms_with_500: Math.round(withMs * 10) / 10,
    exceptions_overhead_pct: Math.round(((withMs - baseMs) / baseMs) * 1000) / 10,
    exceptions_suppressed: suppressed,
    exceptions_match_us_per_event: Math.round(((withMs - baseMs) / events.length) * 1000 * 1000) / 1000,
  };
}
