/**
 * Storage cost of the embedded store's event documents (doc-codec.ts): the simulator's full cloud_defend
 * events (~3.4 kB of JSON each) stored plain (JSONB, as before compression) and compressed (zstd with a
 * dictionary built from the store's first rows), in alternating runs in one process: file bytes per event
 * (indexes included), in-process ingest rate (parse + store, 5,160-event requests) and the seed rule's run
 * over the whole window. Medians of BENCH_STORAGE_RUNS (default 3) runs of BENCH_STORAGE_EVENTS (100,000).
 * Standalone: `node --import tsx bench/src/storage.ts` prints the figures as JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateEvents, toBulkBody } from '@execwatch/simulator';
import { parseBulkBody } from '../../apps/server/src/ingest/parse-bulk';
import { silentLogger } from '../../apps/server/src/log';
import { DB_FILE, createEmbeddedStore } from '../../apps/server/src/store/embedded';
import { timeRule } from './store';

const BATCH = 5160;
const events = Number(process.env.BENCH_STORAGE_EVENTS ?? 100_000);
const runs = Number(process.env.BENCH_STORAGE_RUNS ?? 3);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface RunFigures {
  eventsPerS: number;
  fileBytesPerEvent: number;
  ruleMs: number;
  matches: number;
}

async function once(bodies: Buffer[], t0: number, compressed: boolean): Promise<RunFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-storage-'));
  const store = createEmbeddedStore({ dataDir: dir, log: silentLogger, ...(compressed ? {} : { dictionaryAfter: Infinity }) });
  try {
    let ms = 0;
    let stored = 0;
    for (const body of bodies) {
      const began = performance.now();
      const parsed = parseBulkBody(body);
      const res = await store.events.bulk(parsed.operations, t0 + stored);
      ms += performance.now() - began;
      stored += res.length;
      if (res.some((r) => r.status >= 300)) throw new Error('bulk item failed in benchmark');
      await new Promise((r) => setImmediate(r));
    }
    // the first rows were stored before the dictionary existed: let the background upkeep re-store them
    if (compressed) {
      const events = store.events as typeof store.events & { recompress(limit: number): number };
      while (events.recompress(5000) > 0);
    }
    const rule = await timeRule(store, t0, t0 + stored + 1);
    await store.close();
    return { eventsPerS: stored / (ms / 1000), fileBytesPerEvent: fs.statSync(path.join(dir, DB_FILE)).size / stored, ruleMs: rule.ms, matches: rule.total };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, number>> {
  const t0 = Date.parse('2025-06-01T00:00:00.000Z');
  const bodies: Buffer[] = [];
  let jsonBytes = 0;
  for (let n = 0; n < events; n += BATCH) {
    const list = generateEvents(Math.min(BATCH, events - n), { seed: 5 + n, start: t0 + n * 10, end: t0 + (n + BATCH) * 10 });
    for (const e of list) jsonBytes += Buffer.byteLength(JSON.stringify(e));
    bodies.push(Buffer.from(toBulkBody(list)));
  }
  const plain: RunFigures[] = [];
  const packed: RunFigures[] = [];
  for (let r = 0; r < runs; r++) {
    process.stderr.write(`bench storage: run ${r + 1}/${runs}\n`);
    plain.push(await once(bodies, t0, false));
    packed.push(await once(bodies, t0, true));
  }
  const m = (xs: RunFigures[], k: keyof RunFigures) => median(xs.map((x) => x[k]));
  const eventBytes = jsonBytes / events;
  const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;
  return {
    storage_events: events,
    storage_event_json_bytes: round(eventBytes),
    storage_plain_file_bytes_per_event: round(m(plain, 'fileBytesPerEvent')),
    storage_compressed_file_bytes_per_event: round(m(packed, 'fileBytesPerEvent')),
    storage_compressed_share_of_json_pct: round((100 * m(packed, 'fileBytesPerEvent')) / eventBytes, 1),
    storage_plain_ingest_events_per_s: round(m(plain, 'eventsPerS')),
    storage_compressed_ingest_events_per_s: round(m(packed, 'eventsPerS')),
    storage_compressed_ingest_ratio: round(m(packed, 'eventsPerS') / m(plain, 'eventsPerS'), 3),
    storage_plain_rule_ms: m(plain, 'ruleMs'),
    storage_compressed_rule_ms: m(packed, 'ruleMs'),
    storage_rule_matches_plain: m(plain, 'matches'),
    storage_rule_matches_compressed: m(packed, 'matches'),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
