/**
 * Retention benchmark (in-process, temp data dir): a store fed for a simulated month (time-shifted events at
 * a scaled-down demo rate, BENCH_RETENTION_PER_DAY events a day, default 20,000), retention 7 days, the
 * retention pass run as the server runs it (here after every simulated hour). Figures: the store's file size
 * after day 7, 14, 21 and 30 (after a checkpoint, so the WAL does not blur them), bulk ingest rate with a
 * deletion backlog being worked off beside it vs without (ratio), and the longest pause an alert list query
 * saw while deletion batches ran vs without.
 * Standalone: `node --import tsx bench/src/retention.ts` prints the figures as JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { StorageService } from '../../apps/server/src/features/storage/storage-service';
import { silentLogger } from '../../apps/server/src/log';
import { DB_FILE, createEmbeddedStore } from '../../apps/server/src/store/embedded';
import type { BulkOperation, Store, StoredAlert } from '../../apps/server/src/store/ports';
import { eventLine, rng } from './store';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const INDEX = 'logs-cloud_defend.process-default';
const BATCH = 5160;

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Runs the retention benchmark and returns its figures. */
export async function run(): Promise<Record<string, number>> {
  const perDay = Number(process.env.BENCH_RETENTION_PER_DAY ?? 20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-retention-'));
  const file = path.join(dir, DB_FILE);
  const t0 = Date.parse('2025-06-01T00:00:00.000Z');
  let now = t0;
  const store = createEmbeddedStore({ dataDir: dir, log: silentLogger, now: () => now });
  const storage = new StorageService({ store, log: silentLogger, now: () => now, pauseMs: 0 });
  const rand = rng(7);
  let n = 0;
  const figures: Record<string, number> = { retention_events_per_day: perDay, retention_days: 30 };

  // the longest single deletion batch, timed around the store's own call
  let batchMaxMs = 0;
  const retention = store.retention;
  if (!retention) throw new Error('the embedded store has retention');
  const deleteBatch = retention.deleteBatch.bind(retention);
  retention.deleteBatch = async (...args) => {
    const began = performance.now();
    try {
      return await deleteBatch(...args);
    } finally {
      batchMaxMs = Math.max(batchMaxMs, performance.now() - began);
    }
  };

  const opsAt = (count: number, at: number): BulkOperation[] =>
    Array.from({ length: count }, (_, i) => ({ action: 'create' as const, index: INDEX, source: eventLine(n + i, rand, at), line: i * 2 + 2 }));
  const ingest = async (count: number, at: number) => {
    for (let done = 0; done < count; done += BATCH) {
      const k = Math.min(BATCH, count - done);
      const res = await store.events.bulk(opsAt(k, at), at);
      n += k;
      if (res.some((r) => r.status >= 300)) throw new Error('bulk item failed in benchmark');
      await new Promise((r) => setImmediate(r));
    }
  };
  // a few alerts a day, on sessions of that day's events, kept for a year with their sessions' events
  const alertsOn = (day: number, at: number): StoredAlert[] =>
    Array.from({ length: 20 }, (_, i) => {
      const leader = `ZWxhc3RpYy1sZWFkZXItJ${n - (n % 7) - 7 * i}`;
      return {
        id: `alert-${day}-${i}`,
        index: '.alerts-security.alerts-default',
        doc: {
          '@timestamp': new Date(at).toISOString(),
          process: { name: 'bash', entry_leader: { entity_id: leader } },
          kibana: { alert: { uuid: `alert-${day}-${i}`, status: 'active', workflow_status: 'open', severity: 'high', risk_score: 73, rule: { rule_id: 'r', name: 'exec' } } },
        },
      };
    });
  const fileBytes = () => {
    const db = new Database(file);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      const free = (db.pragma('freelist_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
      return { size: fs.statSync(file).size, free };
    } finally {
      db.close();
    }
  };

  try {
    const hourly = Math.ceil(perDay / 24);
    for (let day = 1; day <= 30; day++) {
      for (let h = 0; h < 24; h++) {
        now = t0 + (day - 1) * DAY + h * HOUR;
        await ingest(hourly, now);
        await storage.runPass();
      }
      await store.alerts.createMany(alertsOn(day, now));
      if (day === 7 || day === 14 || day === 21 || day === 30) {
        const f = fileBytes();
        figures[`retention_file_mb_day_${day}`] = mb(f.size);
        figures[`retention_reusable_mb_day_${day}`] = mb(f.free);
      }
    }
    figures.retention_events_stored_day_30 = await store.events.count();
    figures.retention_growth_day_14_to_30_pct = Math.round(((figures.retention_file_mb_day_30 ?? 0) / (figures.retention_file_mb_day_14 ?? 1) - 1) * 1000) / 10;
    // wall time of a batch, waits for the WAL to start over included (the alert list pauses below are what others feel)
    figures.retention_batch_wall_max_ms = Math.round(batchMaxMs * 10) / 10;

    // ingest with and without deletion beside it, alternately (the machine's other load shifts over a run):
    // the same volume each time, once with nothing to delete, once with as much to delete as is ingested
    const volume = 2 * perDay;
    const alone: number[] = [];
    const beside: number[] = [];
    let deletedBeside = 0;
    let day = 30;
    for (let round = 0; round < 3; round++) {
      // nothing old: the clock stays where the last pass left it
      now = t0 + day * DAY;
      await storage.runPass();
      let began = performance.now();
      await ingest(volume, now);
      alone.push(volume / ((performance.now() - began) / 1000));
      // two days later: two days of events (as many as the next ingest) wait to be deleted
      day += 2;
      now = t0 + day * DAY;
      began = performance.now();
      const deleting = storageLoop(store, () => now);
      await ingest(volume, now);
      beside.push(volume / ((performance.now() - began) / 1000));
      deletedBeside += await deleting.stop();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    figures.retention_ingest_alone_events_per_s = Math.round(median(alone));
    figures.retention_ingest_with_deletion_events_per_s = Math.round(median(beside));
    figures.retention_ingest_ratio = Math.round((median(beside) / median(alone)) * 100) / 100;
    figures.retention_deleted_beside_ingest = deletedBeside;

    // the alert list's longest pause: queries every 5 ms, with and without a deletion backlog being worked off
    const quiet = await queryPauses(store, 1500);
    now = t0 + (day + 10) * DAY;
    const loop = storageLoop(store, () => now);
    const busy = await queryPauses(store, 1500);
    await loop.stop();
    figures.retention_alert_query_max_ms_alone = quiet.maxMs;
    figures.retention_alert_query_max_ms_with_deletion = busy.maxMs;
    figures.retention_alert_query_p99_ms_with_deletion = busy.p99Ms;
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

/** Retention passes back to back, with the server's pause between batches, until stopped. */
function storageLoop(store: Store, now: () => number): { stop(): Promise<number> } {
  const storage = new StorageService({ store, log: silentLogger, now });
  let stopped = false;
  let deleted = 0;
  const done = (async () => {
    while (!stopped) {
      const r = await storage.runPass();
      deleted += (r?.events_deleted ?? 0) + (r?.alerts_deleted ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return deleted;
    },
  };
}

/** Runs an alert list query every 5 ms for `ms`; a query's time counts from when its timer was due. */
async function queryPauses(store: Store, ms: number): Promise<{ maxMs: number; p99Ms: number }> {
  const times: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const due = performance.now() + 5;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.alerts.search({ filter: {}, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 50 });
    times.push(performance.now() - due);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 10) / 10;
  return { maxMs: at(1), p99Ms: at(0.99) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
