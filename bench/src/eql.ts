/**
 * EQL engine figures: compiled seed-rule matcher throughput, in-memory search for the seed rule and a two-term
 * sequence over 200,000 cloud_defend-shaped events, and parsing the detection-rules corpus. Medians of repetitions.
 * Standalone: `node --import tsx bench/src/eql.ts` prints the JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, parse, search } from '@execwatch/eql';

export const SEED_RULE = `process where container.id : "*" and event.type== "start" and
/* use of kubectl exec to enter a container */
process.entry_leader.entry_meta.type : "container" and
/* process is the inital process run in a container */
process.entry_leader.same_as_process== true and
/* interactive process */
process.interactive == true`;

export const SEQUENCE_QUERY = `sequence by host.id with maxspan=5s
  [process where event.type == "start" and process.interactive == true]
  [process where event.type == "end"]`;

const EVENT_COUNT = 200_000;
const REPS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A small deterministic PRNG so every run measures the same events. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const NAMES = ['bash', 'sh', 'nginx', 'curl', 'python3', 'kubectl', 'ls', 'cat', 'runc'];

/** 200k Defend for Containers process events: starts, ends and execs across 50 hosts, ~5% interactive entries. */
export function generateEvents(count = EVENT_COUNT): object[] {
  const rand = rng(42);
  const start = Date.parse('2024-05-01T00:00:00.000Z');
  const events: object[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rand();
    const type = kind < 0.45 ? 'start' : kind < 0.9 ? 'end' : 'change';
    const interactive = rand() < 0.1;
    const entry = rand() < 0.5;
    const name = NAMES[Math.floor(rand() * NAMES.length)];
    const hostN = Math.floor(rand() * 50);
    const pid = 1000 + Math.floor(rand() * 60000);
    events.push({
      '@timestamp': new Date(start + i * 20).toISOString(),
      agent: { id: `agent-${hostN}`, type: 'cloud-defend', version: '8.8.0' },
      container: { id: `c${Math.floor(rand() * 400)}`, image: { name: 'nginx', tag: 'latest' } },
      data_stream: { dataset: 'cloud_defend.process', namespace: 'default', type: 'logs' },
      event: { action: type === 'start' ? 'exec' : type === 'end' ? 'end' : 'fork', category: ['process'], kind: 'event', module: 'cloud_defend', type: [type] },
      host: { id: `host-${hostN}`, name: `node-${hostN}`, os: { type: 'linux' } },
      orchestrator: { namespace: 'default', resource: { name: `pod-${hostN}`, type: 'pod' } },
      process: {
        args: [name], executable: `/bin/${name}`, interactive, name, pid,
        entry_leader: { entry_meta: { type: entry ? 'container' : 'init' }, interactive, name, pid, same_as_process: entry && rand() < 0.5 },
        parent: { name: 'runc', pid: pid - 1 },
        user: { id: '0', name: 'root' },
      },
    });
  }
  return events;
}

function corpusQueries(): string[] {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const file = process.env.EQL_CORPUS ?? path.resolve(repoRoot, '../shared/corpus/detection-rules-eql-queries.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => String((JSON.parse(l) as { query: unknown }).query));
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

export async function run(): Promise<Record<string, number>> {
  const events = generateEvents();
  const figures: Record<string, number> = { eql_events: events.length };

  const matcher = compile(SEED_RULE);
  let matched = 0;
  const matchRuns: number[] = [];
  for (let r = 0; r < REPS; r++) {
    matched = 0;
    const ms = time(() => {
      for (let i = 0; i < events.length; i++) if (matcher.matches(events[i])) matched++;
    });
    matchRuns.push(ms);
  }
  figures.eql_seed_matches = matched;
  figures.eql_compiled_match_events_per_s = Math.round(events.length / (median(matchRuns) / 1000));

  const eventRuns: number[] = [];
  let hits = 0;
  for (let r = 0; r < REPS; r++) eventRuns.push(time(() => (hits = search(events, { query: SEED_RULE, size: 100 }).total.value)));
  figures.eql_search_event_hits = hits;
  figures.eql_search_event_200k_ms = Math.round(median(eventRuns) * 10) / 10;

  const seqRuns: number[] = [];
  let sequences = 0;
  for (let r = 0; r < REPS; r++) seqRuns.push(time(() => (sequences = search(events, { query: SEQUENCE_QUERY, size: 100 }).total.value)));
  figures.eql_search_sequence_hits = sequences;
  figures.eql_search_sequence_200k_ms = Math.round(median(seqRuns) * 10) / 10;

  const queries = corpusQueries();
  if (queries.length > 0) {
    const parseRuns: number[] = [];
    for (let r = 0; r < REPS; r++) parseRuns.push(time(() => queries.forEach((q) => parse(q))));
    figures.eql_corpus_queries = queries.length;
    figures.eql_parse_corpus_ms = Math.round(median(parseRuns) * 10) / 10;
  }
  return figures;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
