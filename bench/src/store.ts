/**
 * Embedded store benchmark (in-process, temp data dir): bulk ingest rate with 5,160-event requests of
 * ~1.6 kB cloud_defend process events, the seed rule's `searchRule` over a window of 200,000 events
 * (and 1,000,000 with BENCH_STORE_1M=1), file size per event and peak RSS.
 * Standalone: `node --import tsx bench/src/store.ts` prints the figures as JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseBulkBody } from '../../apps/server/src/ingest/parse-bulk';
import { silentLogger } from '../../apps/server/src/log';
import { SEED_RULE_QUERY } from '../../apps/server/src/store/contract/fixtures';
import { DB_FILE, createEmbeddedStore } from '../../apps/server/src/store/embedded';
import type { Store } from '../../apps/server/src/store/ports';

const BATCH = 5160;
const INDEX = 'logs-cloud_defend.process-default';
const NAMESPACES = ['default', 'payments', 'ci', 'kube-system', 'monitoring', 'web', 'batch', 'data'];
const IMAGES = ['nginx', 'redis', 'postgres', 'registry.local/runner-x', 'busybox', 'python', 'node', 'envoy'];
const COMMANDS = [['bash'], ['sh', '-c', 'ls -la /tmp'], ['python3', 'app.py'], ['curl', '-s', 'http://10.0.0.5/health'], ['cat', '/etc/passwd'], ['ps', 'aux']];

/** Deterministic pseudo-random numbers (the figures must not depend on the seed of the day). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One cloud_defend process event as an NDJSON source line; about 2% are interactive `kubectl exec` shells. */
export function eventLine(n: number, rand: () => number, at: number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)] as T; // index within bounds
  const exec = rand() < 0.02;
  const args = exec ? ['bash'] : pick(COMMANDS);
  const ns = pick(NAMESPACES);
  const pod = `${ns}-${Math.floor(rand() * 50)}`;
  const leader = `ZWxhc3RpYy1sZWFkZXItJ${n - (n % 7)}`;
  const ts = new Date(at).toISOString();
  const proc = { pid: 1000 + (n % 30000), name: args[0], executable: `/usr/bin/${args[0]}`, args, working_directory: '/', user: { id: '0', name: 'root' } };
  return JSON.stringify({
    '@timestamp': ts,
    agent: { id: '7829f26d-c2d1-4eaf-a1ac-cd9cb9e12f75', type: 'cloud-defend', version: '8.16.0' },
    cloud: { provider: 'aws', region: 'us-east-1', account: { id: '123456789012' }, instance: { name: 'node-7' } },
    container: { id: `c${(n % 977).toString(16).padStart(12, '0')}`, image: { name: pick(IMAGES), tag: 'latest' } },
    data_stream: { dataset: 'cloud_defend.process', namespace: 'default', type: 'logs' },
    ecs: { version: '8.7.0' },
    event: { action: exec ? 'exec' : 'fork', category: ['process'], dataset: 'cloud_defend.process', id: `ev-${n}`, kind: 'event', module: 'cloud_defend', type: ['start'] },
    host: { name: 'node-7.cluster.local', hostname: 'node-7', architecture: 'amd64', os: { kernel: '5.15.0-1051-aws', type: 'linux' } },
    orchestrator: { cluster: { name: 'prod-eu' }, namespace: ns, resource: { name: pod, type: 'pod', parent: { type: 'ReplicaSet' } } },
    process: {
      ...proc,
      entity_id: `ZWxhc3RpYy1wcm9jZXNzLW${n}`,
      interactive: exec || rand() < 0.05,
      start: ts,
      entry_leader: { ...proc, entity_id: leader, entry_meta: { type: exec || rand() < 0.3 ? 'container' : 'init' }, same_as_process: exec, interactive: exec },
      parent: { pid: 999, name: 'runc', executable: '/usr/bin/runc', args: ['runc', 'init'], entity_id: `cGFyZW50LW${n % 1000}` },
    },
    user: { id: '0', name: 'root' },
  });
}

const ACTION_LINE = `{"create":{"_index":"${INDEX}"}}`;

/** An NDJSON bulk body of `count` create operations. */
function bulkBody(first: number, count: number, rand: () => number, at: number): string {
  const action = ACTION_LINE;
  let out = '';
  for (let i = 0; i < count; i++) out += `${action}\n${eventLine(first + i, rand, at)}\n`;
  return out;
}

/** Ingests `total` events in 5,160-event requests; returns the time spent in parse + store only. */
async function ingest(store: Store, start: number, total: number, rand: () => number, t0: number): Promise<{ ms: number; bytes: number }> {
  let ms = 0;
  let bytes = 0;
  for (let n = start; n < start + total; n += BATCH) {
    const count = Math.min(BATCH, start + total - n);
    const body = Buffer.from(bulkBody(n, count, rand, t0 + n));
    bytes += body.length - count * (ACTION_LINE.length + 2);
    const began = performance.now();
    const parsed = parseBulkBody(body);
    const res = await store.events.bulk(parsed.operations, t0 + n);
    ms += performance.now() - began;
    if (res.some((r) => r.status >= 300)) throw new Error('bulk item failed in benchmark');
    await new Promise((r) => setImmediate(r)); // lets the deferred checkpoint run, as between requests
  }
  return { ms, bytes };
}

export async function timeRule(store: Store, from: number, to: number): Promise<{ ms: number; total: number }> {
  const exceptions = [{ id: 'ci', item_id: 'ci', list_id: 'l', entries: [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'ci' }] }];
  let best = Infinity;
  let total = 0;
  for (let i = 0; i < 3; i++) {
    const began = performance.now();
    const res = await store.events.searchRule({ query: SEED_RULE_QUERY, index: ['logs-cloud_defend*'], window: { from, to }, timestampOverride: 'event.ingested', exceptions, size: 100 });
    best = Math.min(best, performance.now() - began);
    total = res.total;
  }
  return { ms: Math.round(best), total };
}

/** Runs the store benchmark and returns its figures. */
export async function run(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-store-'));
  const store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
  const rand = rng(42);
  const t0 = Date.parse('2025-06-01T00:00:00.000Z');
  const figures: Record<string, number> = { store_load_avg_1m_start: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 };
  try {
    const first = await ingest(store, 0, 200_000, rand, t0);
    figures.store_bulk_events_per_s = Math.round(200_000 / (first.ms / 1000));
    figures.store_bulk_avg_event_bytes = Math.round(first.bytes / 200_000);
    const rule200k = await timeRule(store, t0, t0 + 200_000);
    figures.store_rule_200k_ms = rule200k.ms;
    figures.store_rule_200k_matches = rule200k.total;
    await store.close();
    figures.store_file_bytes_per_event = Math.round(fs.statSync(path.join(dir, DB_FILE)).size / 200_000);
    if (process.env.BENCH_STORE_1M === '1') {
      const again = createEmbeddedStore({ dataDir: dir, log: silentLogger });
      try {
        await ingest(again, 200_000, 800_000, rand, t0);
        const rule1m = await timeRule(again, t0, t0 + 1_000_000);
        figures.store_rule_1m_ms = rule1m.ms;
        figures.store_rule_1m_matches = rule1m.total;
      } finally {
        await again.close();
      }
    }
  } finally {
    await store.close();
    figures.store_peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
