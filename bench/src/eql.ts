/**
 * EQL engine figures: compiled seed-rule matcher throughput, in-memory search for the seed rule and a two-term
 * sequence over 200,000 cloud_defend-shaped events, and parsing the detection-rules corpus. Medians of repetitions.
 * Times are this process's CPU time (the machine is shared, so wall time mostly measures other people's work);
 * `*_wall_ms` figures give wall time beside them. Searches are measured as a rule runs them, repeatedly: the
 * medians follow WARMUP runs of the same request, the first of which (cold, compiling included) is `*_first_ms`.
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
/** Runs before a search's timed repetitions: the engine optimizes the code of a new query meanwhile. */
const WARMUP = 3;

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

/** Wall-clock and CPU milliseconds of one call; CPU time is what this process itself spent on a shared machine. */
function time(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

function medians(runs: { wall: number; cpu: number }[]): { wall: number; cpu: number } {
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** The seed rule written by hand as plain property reads: the floor any matcher is measured against. */
interface SeedShape {
  event?: { category?: string[]; type?: string[] };
  container?: { id?: unknown };
  process?: { interactive?: boolean; entry_leader?: { same_as_process?: boolean; entry_meta?: { type?: string } } };
}

function handWrittenSeedRule(doc: object): boolean {
  // the generated events have exactly this shape
  const e = doc as SeedShape;
  return (
    e.event?.category?.includes('process') &&
    typeof e.container?.id === 'string' &&
    e.event?.type?.includes('start') &&
    String(e.process?.entry_leader?.entry_meta?.type).toLowerCase() === 'container' &&
    e.process?.entry_leader?.same_as_process === true &&
    e.process?.interactive === true
  ) === true;
}

/** What the embedded store hands to matches(): small flat documents holding only the query's fields. */
function partialDocs(events: object[], fields: string[]): object[] {
  return events.map((e) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = f.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), e);
      if (v !== undefined) out[f] = v;
    }
    return out;
  });
}

/** Matches per second of `fn` over `docs`, cycled `passes` times per repetition (CPU time, median). */
function throughput(docs: object[], passes: number, fn: (d: object) => boolean): { perSec: number; perSecWall: number; hits: number } {
  let hits = 0;
  const runs: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < REPS; r++) {
    hits = 0;
    runs.push(
      time(() => {
        for (let p = 0; p < passes; p++) for (let i = 0; i < docs.length; i++) if (fn(docs[i])) hits++;
      }),
    );
  }
  const m = medians(runs);
  const n = docs.length * passes;
  return { perSec: Math.round(n / (m.cpu / 1000)), perSecWall: Math.round(n / (m.wall / 1000)), hits: hits / passes };
}

/** A search's cold first run (CPU ms), then the medians of REPS runs after WARMUP more untimed ones. */
function searchTimes(fn: () => void): { wall: number; cpu: number; first: number } {
  const first = time(fn).cpu;
  for (let r = 1; r < WARMUP; r++) fn();
  const runs: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < REPS; r++) runs.push(time(fn));
  return { ...medians(runs), first };
}

/** `n` cloud_defend file events, one in three under /tmp/cache (deterministic). */
function fileEventsFor(n: number): object[] {
  const rand = rng(19);
  const dirs = ['/tmp/cache/', '/var/log/', '/etc/', '/home/app/', '/usr/lib/', '/tmp/'];
  const t0 = Date.parse('2025-06-01T00:00:00.000Z');
  return Array.from({ length: n }, (_, i) => {
    const dir = i % 3 === 0 ? '/tmp/cache/' : (dirs[1 + Math.floor(rand() * (dirs.length - 1))] as string);
    return {
      '@timestamp': new Date(t0 + i * 5).toISOString(),
      event: { category: ['file'], type: ['change'], action: 'modification', kind: 'event' },
      file: { path: `${dir}f${Math.floor(rand() * 1e6)}.bin`, name: `f${i}.bin`, extension: 'bin' },
      process: { name: 'app', pid: 1000 + (i % 500), entity_id: `p-${i % 997}` },
      container: { id: `c-${i % 31}` },
    };
  });
}

export async function run(): Promise<Record<string, number>> {
  const events = generateEvents();
  const figures: Record<string, number> = { eql_events: events.length };

  const matcher = compile(SEED_RULE);
  const match = (d: object): boolean => matcher.matches(d);
  // a working set the size of one store batch (cache-resident), then all 200k objects (memory-bound)
  const batch = events.slice(0, 1000);
  const inBatch = throughput(batch, 200, match);
  figures.eql_compiled_match_events_per_s = inBatch.perSec;
  figures.eql_compiled_match_events_per_s_wall = inBatch.perSecWall;
  const partial = partialDocs(batch, matcher.fields);
  figures.eql_compiled_match_partial_docs_per_s = throughput(partial, 200, match).perSec;
  const all = throughput(events, 1, match);
  figures.eql_seed_matches = all.hits;
  figures.eql_compiled_match_200k_events_per_s = all.perSec;
  figures.eql_handwritten_match_events_per_s = throughput(batch, 200, handWrittenSeedRule).perSec;
  figures.eql_handwritten_match_200k_events_per_s = throughput(events, 1, handWrittenSeedRule).perSec;

  let hits = 0;
  const ev = searchTimes(() => (hits = search(events, { query: SEED_RULE, size: 100 }).total.value));
  figures.eql_search_event_hits = hits;
  figures.eql_search_event_200k_ms = round1(ev.cpu);
  figures.eql_search_event_200k_wall_ms = round1(ev.wall);
  figures.eql_search_event_200k_first_ms = round1(ev.first);

  let sequences = 0;
  const seq = searchTimes(() => (sequences = search(events, { query: SEQUENCE_QUERY, size: 100 }).total.value));
  figures.eql_search_sequence_hits = sequences;
  figures.eql_search_sequence_200k_ms = round1(seq.cpu);
  figures.eql_search_sequence_200k_wall_ms = round1(seq.wall);
  figures.eql_search_sequence_200k_first_ms = round1(seq.first);

  // A filter-first search: `file where file.path : "/tmp/cache/*"` over 200,000 file events (a third of them
  // under /tmp/cache), against one plain pass reading that field and testing its prefix: the search should
  // cost little more than that pass (the matcher runs first; only hits get a timestamp and a place in order).
  const fileEvents = fileEventsFor(events.length);
  let fileHits = 0;
  const fileSearch = searchTimes(() => (fileHits = search(fileEvents, { query: 'file where file.path : "/tmp/cache/*"', size: 100 }).total.value));
  let passHits = 0;
  const pass = searchTimes(() => {
    passHits = 0;
    for (const e of fileEvents) {
      const file = (e as { file?: { path?: unknown } }).file;
      if (typeof file?.path === 'string' && file.path.startsWith('/tmp/cache/')) passHits++;
    }
  });
  figures.eql_file_search_200k_ms = round1(fileSearch.cpu);
  figures.eql_file_search_hits_returned = fileHits;
  figures.eql_file_field_pass_200k_ms = round1(pass.cpu);
  figures.eql_file_field_pass_matches = passHits;
  figures.eql_file_search_over_field_pass = Math.round((fileSearch.cpu / Math.max(pass.cpu, 0.001)) * 100) / 100;

  const queries = corpusQueries();
  if (queries.length > 0) {
    const parseRuns: { wall: number; cpu: number }[] = [];
    for (let r = 0; r < REPS; r++) parseRuns.push(time(() => queries.forEach((q) => parse(q))));
    const p = medians(parseRuns);
    figures.eql_corpus_queries = queries.length;
    figures.eql_parse_corpus_ms = round1(p.cpu);
    figures.eql_parse_corpus_wall_ms = round1(p.wall);
  }
  return figures;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
