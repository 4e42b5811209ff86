/**
 * Load test: 50 concurrent analysts against a real server process on loopback, with a store of alerts. Each
 * connection plays an analyst's loop: the alerts list with filters, the counts, one alert, its session, its
 * checklist, a status change. First the analysts alone (the baseline), then the same analysts while shippers send
 * 2,000 events/s of bulk ingest and a monitor polls `/api/health`. Targets: analysts' p99 under 1 s and health p99
 * under 200 ms with ingest running; `load_5xx` 0; ingest may get 429s (load shedding), which are counted.
 * BENCH_LOAD_SECONDS, BENCH_LOAD_CONNECTIONS, BENCH_LOAD_ALERTS and BENCH_LOAD_EVENTS_PER_SECOND scale it.
 * Standalone: `node --import tsx bench/src/load.ts` prints the figures as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { bulkBody, processEvent } from '../../apps/server/src/testing/events';
import { prepareStore, startServerProcess, type ServerProcess } from './support/server-process';

const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
const connections = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 50);
const storedAlerts = Number(process.env.BENCH_LOAD_ALERTS ?? 20_000);
const eventsPerSecond = Number(process.env.BENCH_LOAD_EVENTS_PER_SECOND ?? 2000);
const ingestBatch = 200;

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0));

/** Bulk ingest at a steady rate (batches of 200 on a schedule, at most 3 in flight) until `until`; counts what came back. */
async function ingestAtRate(url: string, auth: Record<string, string>, until: number): Promise<{ sent: number; accepted: number; rejected429: number; failed: number; seconds: number }> {
  const bodies = Array.from({ length: 10 }, (_, b) =>
    bulkBody(Array.from({ length: ingestBatch }, (_, i) => processEvent({ at: Date.UTC(2026, 0, 1) + b * ingestBatch + i, name: 'sh', args: ['sh', '-c', `echo ${b}-${i}`], entryLeader: false, interactive: false }))),
  );
  const out = { sent: 0, accepted: 0, rejected429: 0, failed: 0, seconds: 0 };
  const started = performance.now();
  const intervalMs = (1000 * ingestBatch) / eventsPerSecond;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; Date.now() < until; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= 3) await Promise.race(inFlight);
    const p = (async () => {
      out.sent += ingestBatch;
      try {
        const res = await fetch(`${url}/_bulk`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: bodies[i % bodies.length] });
        if (res.status === 429) out.rejected429 += ingestBatch;
        else if (res.ok) {
          const body = (await res.json()) as { items: Array<Record<string, { status: number }>> };
          for (const item of body.items) {
            const status = Object.values(item)[0]?.status ?? 500;
            if (status === 429) out.rejected429++;
            else if (status < 300) out.accepted++;
            else out.failed++;
          }
          return;
        } else out.failed += ingestBatch;
        await res.arrayBuffer();
      } catch {
        out.failed += ingestBatch;
      }
    })().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  out.seconds = (performance.now() - started) / 1000;
  return out;
}

/** A monitor polling `/api/health` one request at a time until `until`; its latencies in ms. */
async function pollHealth(url: string, until: number): Promise<number[]> {
  const latencies: number[] = [];
  while (Date.now() < until) {
    const t = performance.now();
    const res = await fetch(`${url}/api/health`);
    await res.arrayBuffer();
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 50));
  }
  return latencies.sort((a, b) => a - b);
}

/** Runs the load test and returns its figures. */
export async function run(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-load-'));
  let server: ServerProcess | null = null;
  try {
    const apiKey = await prepareStore(dataDir, { alerts: storedAlerts });
    server = await startServerProcess(dataDir);
    const auth = { authorization: `ApiKey ${apiKey}` };
    const page = (await (await fetch(`${server.url}/api/alerts?size=200&status=open,acknowledged,closed`, { headers: auth })).json()) as { alerts: { id: string }[] };
    const ids = page.alerts.map((a) => a.id);
    if (ids.length === 0) throw new Error('no alerts to load-test with');
    let turn = 0;
    const nextId = () => ids[turn++ % ids.length] ?? '';

    const url = server.url;
    const analysts = (duration: number) =>
      autocannon({
        url,
        connections,
        duration,
        headers: auth,
        requests: [
          { method: 'GET', path: '/api/alerts?size=50&status=open&sort_field=%40timestamp&sort_order=desc' },
          { method: 'GET', path: '/api/alerts/_stats?status=open&group_by=namespace' },
          { method: 'GET', path: '/api/alerts?size=50&query=namespace%3Aci%20bash&severity=high' },
          { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/alerts/${nextId()}` }) },
          { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/alerts/${nextId()}/session` }) },
          { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/alerts/${nextId()}/checklist` }) },
          {
            method: 'PATCH',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ status: 'acknowledged' }),
            setupRequest: (req) => ({ ...req, path: `/api/alerts/${nextId()}` }),
          },
        ],
      });
    // the baseline: the analysts alone, a third of the time
    const alone = await analysts(Math.max(5, Math.round(seconds / 3)));
    const until = Date.now() + seconds * 1000;
    const [result, ingest, health] = await Promise.all([analysts(seconds), ingestAtRate(server.url, auth, until), pollHealth(server.url, until)]);
    const byStatus = result.statusCodeStats as Record<string, { count: number }> | undefined;
    let fiveXx = 0;
    for (const [code, stat] of Object.entries(byStatus ?? {})) if (Number(code) >= 500) fiveXx += stat.count;
    return {
      load_connections: connections,
      load_seconds: seconds,
      load_alerts_stored: storedAlerts,
      load_requests: result.requests.total,
      load_rps: Math.round(result.requests.average),
      load_latency_p50_ms: result.latency.p50,
      load_latency_p99_ms: result.latency.p99,
      load_latency_p99_target_ms: 1000,
      load_alone_latency_p50_ms: alone.latency.p50,
      load_alone_latency_p99_ms: alone.latency.p99,
      load_p99_with_ingest_ratio: alone.latency.p99 > 0 ? Number((result.latency.p99 / alone.latency.p99).toFixed(2)) : 0,
      load_health_p50_ms: Number(quantile(health, 0.5).toFixed(1)),
      load_health_p99_ms: Number(quantile(health, 0.99).toFixed(1)),
      load_health_p99_target_ms: 200,
      load_health_requests: health.length,
      load_ingest_target_events_per_s: eventsPerSecond,
      load_ingest_accepted_events_per_s: Math.round(ingest.accepted / ingest.seconds),
      load_ingest_429_events: ingest.rejected429,
      load_ingest_failed_events: ingest.failed,
      load_5xx: fiveXx,
      load_non2xx: result.non2xx,
      load_errors: result.errors + result.timeouts,
      load_server_peak_rss_mb: server.peakRssMb(),
    };
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}${server ? ` | ${server.stderrTail()}` : ''}`);
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
