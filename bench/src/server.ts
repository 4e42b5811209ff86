/**
 * Server benchmarks against a real server process on loopback with a temp data dir:
 * - bulk ingest over HTTP (5,160-event requests, a few concurrent connections), events/s: of the simulator's
 *   full cloud_defend process events (~3.5 kB, like the synthesized sample in shared/domain), and of compact
 *   ones (~1.6 kB: the same events without the fields few rules read, the event size of the performance notes);
 * - a rule run (POST /api/rules/{id}/_run) over a window holding 200,000 and then 1,000,000 events, ms;
 * - the server's peak RSS over all of it (VmHWM), MB;
 * - GET /api/alerts p99 with 100,000 stored alerts and 10 connections (autocannon), ms.
 * Standalone: `node --import tsx bench/src/server.ts` prints the figures as JSON. Progress goes to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { generateEvents, toBulkBody } from '@execwatch/simulator';
import { prepareStore, seedRuleId, startServerProcess, type ServerProcess } from './support/server-process';
const eventsPerRequest = 5160;
const ingestConnections = 4;
const distinctBodies = 8;
const storedAlerts = Number(process.env.BENCH_ALERTS ?? 100_000);
const smallWindow = Number(process.env.BENCH_SMALL_WINDOW ?? 200_000);
const largeWindow = Number(process.env.BENCH_LARGE_WINDOW ?? 1_000_000);

const compactEvents = Number(process.env.BENCH_COMPACT_EVENTS ?? 300_000);

/**
 * A simulator event without the fields few rules read (agent and cloud metadata, the session and group
 * leaders, the previous executables, host and pod details): about 1.6 kB instead of 3.5 kB.
 */
export function compactEvent(e: Record<string, unknown>): Record<string, unknown> {
  const { agent: _agent, cloud: _cloud, cloud_defend: _cd, ecs: _ecs, labels: _labels, group: _group, ...rest } = e;
  const host = rest.host as Record<string, unknown> | undefined;
  if (host) rest.host = { name: host.name };
  const event = rest.event as Record<string, unknown> | undefined;
  if (event) {
    const { agent_id_status: _a, created: _c, ...ev } = event;
    rest.event = ev;
  }
  const orch = rest.orchestrator as { resource?: Record<string, unknown> } | undefined;
  if (orch?.resource) orch.resource = { name: orch.resource.name, type: orch.resource.type };
  const proc = rest.process as Record<string, unknown> | undefined;
  if (proc) {
    const { session_leader: _s, group_leader: _g, previous: _p, group: _pg, user: _pu, ...p } = proc;
    const parent = p.parent as Record<string, unknown> | undefined;
    if (parent) p.parent = { entity_id: parent.entity_id, name: parent.name };
    rest.process = p;
  }
  return rest;
}

/**
 * Request bodies of consecutive minutes ending now, as an agent streaming live would send them; cycling
 * through them the way the load generator does still keeps most rows near the end of the time indexes.
 */
function bodiesOf(shape: (e: Record<string, unknown>) => Record<string, unknown>): { bodies: Buffer[]; avgEventBytes: number } {
  const bodies: Buffer[] = [];
  const start = Date.now() - distinctBodies * 60_000;
  for (let i = 0; i < distinctBodies; i++) {
    const events = generateEvents(eventsPerRequest, { seed: 7 + i, start: start + i * 60_000, end: start + (i + 1) * 60_000 }).map(shape);
    bodies.push(Buffer.from(toBulkBody(events)));
  }
  return { bodies, avgEventBytes: bodies.reduce((n, b) => n + b.length, 0) / (distinctBodies * eventsPerRequest) };
}

const progress = (msg: string) => process.stderr.write(`bench server: ${msg}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Posts `requests` bulk bodies over `ingestConnections` connections; returns events/s. */
async function ingest(url: string, apiKey: string, bodies: Buffer[], requests: number): Promise<{ eventsPerSecond: number; events: number; failed: number }> {
  let next = 0;
  let events = 0;
  let failed = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < requests) {
      const body = bodies[next++ % bodies.length] ?? Buffer.alloc(0);
      const post = () => fetch(`${url}/_bulk`, { method: 'POST', headers: { authorization: `ApiKey ${apiKey}`, 'content-type': 'application/x-ndjson' }, body });
      // a kept-alive connection the server just closed resets once; a second failure is real
      const res = await post().catch(() => post());
      const parsed = (await res.json()) as { errors?: boolean; items?: unknown[] }; // Elasticsearch bulk response shape
      if (!res.ok) throw new Error(`bulk answered ${res.status}`);
      events += parsed.items?.length ?? 0;
      if (parsed.errors) failed++;
    }
  };
  await Promise.all(Array.from({ length: ingestConnections }, worker));
  const s = (performance.now() - t0) / 1000;
  return { eventsPerSecond: Math.round(events / s), events, failed };
}

async function runRule(url: string, apiKey: string, from: number, to: number): Promise<{ wallMs: number; runMs: number; matched: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/rules/${seedRuleId}/_run`, {
    method: 'POST',
    headers: { authorization: `ApiKey ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
  });
  const wallMs = performance.now() - t0;
  const body = (await res.json()) as { duration_ms?: number; events_matched?: number; status?: string; error?: string }; // the execution record
  if (!res.ok || body.status === 'failed') throw new Error(`rule run failed: ${res.status} ${body.error ?? ''}`);
  return { wallMs: Math.round(wallMs), runMs: body.duration_ms ?? -1, matched: body.events_matched ?? 0 };
}

/** Runs every server benchmark and returns the figures. */
export async function run(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-bench-'));
  const loadAtStart = os.loadavg()[0] ?? 0;
  let server: ServerProcess | null = null;
  try {
    progress(`writing ${storedAlerts} alerts`);
    const apiKey = await prepareStore(dataDir, { alerts: storedAlerts, spanMs: storedAlerts * 1000 });
    server = await startServerProcess(dataDir);
    const headers = { authorization: `ApiKey ${apiKey}`, 'content-type': 'application/json' };
    // the scheduler would compete with the measurements; manual runs still work on a disabled rule
    await fetch(`${server.url}/api/rules/${seedRuleId}`, { method: 'PATCH', headers, body: JSON.stringify({ enabled: false }) });

    progress('GET /api/alerts, 10 connections');
    const cannon = await autocannon({ url: `${server.url}/api/alerts?size=50`, connections: 10, duration: 10, headers: { authorization: `ApiKey ${apiKey}` } });
    const alertsP99 = cannon.latency.p99;

    progress('building bulk bodies');
    // pre-encoded once, so the load generator spends its CPU on sending, not on re-encoding 18 MB strings
    const { bodies, avgEventBytes } = bodiesOf((e) => e);
    const windowStart = Date.now() - 1;

    progress(`ingesting ${smallWindow} events`);
    const smallRequests = Math.ceil(smallWindow / eventsPerRequest);
    const first = await ingest(server.url, apiKey, bodies, smallRequests);
    const afterSmall = Date.now() + 1;
    progress(`rule run over ${first.events} events`);
    const small = await runRule(server.url, apiKey, windowStart, afterSmall);

    progress(`ingesting up to ${largeWindow} events`);
    const second = await ingest(server.url, apiKey, bodies, Math.ceil(largeWindow / eventsPerRequest) - smallRequests);
    const afterLarge = Date.now() + 1;
    progress(`rule run over ${first.events + second.events} events`);
    const large = await runRule(server.url, apiKey, windowStart, afterLarge);
    progress(`ingesting ${compactEvents} compact events`);
    const compact = bodiesOf(compactEvent);
    const third = await ingest(server.url, apiKey, compact.bodies, Math.ceil(compactEvents / eventsPerRequest));
    const peakRss = server.peakRssMb();

    const ingestRate = (first.events + second.events) / ((first.events / first.eventsPerSecond) + (second.events / second.eventsPerSecond));
    return {
      server_ingest_events_per_s: Math.round(ingestRate),
      server_ingest_avg_event_bytes: Math.round(avgEventBytes),
      server_ingest_mb_per_s: round((ingestRate * avgEventBytes) / 1e6),
      server_ingest_events: first.events + second.events,
      server_ingest_failed_requests: first.failed + second.failed + third.failed,
      server_ingest_compact_events_per_s: third.eventsPerSecond,
      server_ingest_compact_avg_event_bytes: Math.round(compact.avgEventBytes),
      server_ingest_compact_mb_per_s: round((third.eventsPerSecond * compact.avgEventBytes) / 1e6),
      server_rule_run_200k_ms: small.wallMs,
      server_rule_run_200k_engine_ms: small.runMs,
      server_rule_run_200k_events_matched: small.matched,
      server_rule_run_1m_ms: large.wallMs,
      server_rule_run_1m_engine_ms: large.runMs,
      server_rule_run_1m_events_matched: large.matched,
      server_peak_rss_mb: peakRss,
      server_alerts_stored: storedAlerts,
      server_alerts_list_p99_ms: alertsP99,
      server_alerts_list_p50_ms: cannon.latency.p50,
      server_alerts_list_rps: Math.round(cannon.requests.average),
      server_alerts_list_errors: cannon.errors + cannon.non2xx,
      // the machine is shared: the 1-minute load average around the run says how much CPU was left
      server_load_avg_1m_start: round(loadAtStart, 2),
      server_load_avg_1m_end: round(os.loadavg()[0] ?? 0, 2),
    };
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}${server ? ` | ${server.stderrTail()}` : ''}`);
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await run();
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
