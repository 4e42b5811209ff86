/**
 * Server benchmarks against a real server process on loopback with a temp data dir:
 * - bulk ingest over HTTP (5,160-event requests on 4 kept-alive connections, replayed as a live stream whose
 *   timestamps move forward), events/s: of the simulator's full cloud_defend process events (~3.5 kB, like the
 *   synthesized sample in shared/domain) into a store growing to 1,000,000 events, then of compact ones (~1.7 kB:
 *   the same events without the fields few rules read, the event size of the performance notes) on top;
 * - a rule run (POST /api/rules/{id}/_run) over a window holding 200,000 and then 1,000,000 events, ms;
 * - the CPU time ingest costs per event, in µs: the server's (all its threads), the load generator's; and the
 *   share of the machine left idle meanwhile. Steadier than events/s on a machine that drifts: compare these
 *   when comparing changes;
 * - the server's peak RSS over all of it (VmHWM), MB;
 * - GET /api/alerts p99 with 100,000 stored alerts and 10 connections (autocannon), ms.
 * Standalone: `node --import tsx bench/src/server.ts` prints the figures as JSON. Progress goes to stderr.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { generateEvents, toBulkBody } from '@execwatch/simulator';
import { baselineIngest } from './support/baseline-ingest';
import { prepareStore, seedRuleId, startServerProcess, type ServerProcess } from './support/server-process';
const eventsPerRequest = 5160;
const ingestConnections = 4;
const distinctBodies = 8;
const storedAlerts = Number(process.env.BENCH_ALERTS ?? 100_000);
const smallWindow = Number(process.env.BENCH_SMALL_WINDOW ?? 200_000);
const largeWindow = Number(process.env.BENCH_LARGE_WINDOW ?? 1_000_000);

const compactEvents = Number(process.env.BENCH_COMPACT_EVENTS ?? 300_000);
/** Rounds of one-connection and three-connection ingest (medians), each of this many requests. */
const connectionRounds = Number(process.env.BENCH_CONNECTION_ROUNDS ?? 3);
const connectionRoundRequests = Number(process.env.BENCH_CONNECTION_REQUESTS ?? 12);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

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
 * Bulk bodies replayed as a live stream: `distinctBodies` pre-encoded bodies of consecutive minutes, each
 * sent again and again, its timestamps moved forward by whole minutes on every send (as an agent streaming
 * live would send them, so new rows land near the end of the time and session indexes). Re-sending the same
 * minutes instead would insert every row in the middle of those indexes, which only a back-fill does.
 */
interface LiveBodies {
  bodies: Buffer[];
  avgEventBytes: number;
  /** Moves body `k`'s timestamps to its `cycle`-th replay and returns it (rewritten in place). */
  replay(k: number, cycle: number): Buffer;
}

/** The 16 characters of an ISO timestamp a shift by whole minutes rewrites (`YYYY-MM-DDTHH:MM`). */
const ISO_MINUTE = /"(\d{4}-\d\d-\d\dT\d\d:\d\d):\d\d(?:\.\d+)?Z"/g;

/** Bodies whose minutes start `cycles * distinctBodies` minutes ago, so the last replay ends about now. */
function liveBodies(shape: (e: Record<string, unknown>) => Record<string, unknown>, cycles: number): LiveBodies {
  const bodies: Buffer[] = [];
  // per body: where each timestamp's minute is, and which of the body's distinct minutes it is
  const stamps: { offsets: Int32Array; which: Int32Array; minutes: number[] }[] = [];
  const start = Date.now() - (cycles + 1) * distinctBodies * 60_000;
  for (let i = 0; i < distinctBodies; i++) {
    const events = generateEvents(eventsPerRequest, { seed: 7 + i, start: start + i * 60_000, end: start + (i + 1) * 60_000 }).map(shape);
    const body = Buffer.from(toBulkBody(events));
    const offsets: number[] = [];
    const which: number[] = [];
    const minutes: number[] = [];
    const index = new Map<string, number>();
    for (const m of body.toString('latin1').matchAll(ISO_MINUTE)) {
      const minute = m[1] ?? '';
      let k = index.get(minute);
      if (k === undefined) {
        k = minutes.length;
        index.set(minute, k);
        minutes.push(Date.parse(`${minute}:00Z`));
      }
      offsets.push((m.index ?? 0) + 1);
      which.push(k);
    }
    bodies.push(body);
    stamps.push({ offsets: Int32Array.from(offsets), which: Int32Array.from(which), minutes });
  }
  return {
    bodies,
    avgEventBytes: bodies.reduce((n, b) => n + b.length, 0) / (distinctBodies * eventsPerRequest),
    replay(k, cycle) {
      const body = bodies[k] as Buffer; // k < distinctBodies
      const { offsets, which, minutes } = stamps[k] as (typeof stamps)[number];
      const shiftMs = cycle * distinctBodies * 60_000;
      // each distinct minute is encoded once, then its bytes are copied over each of its timestamps (encoding
      // per timestamp with body.write cost 3.3-3.8 µs an event: more than the rest of the load generator)
      const moved = minutes.map((m) => Buffer.from(new Date(m + shiftMs).toISOString().slice(0, 16), 'latin1'));
      for (let i = 0; i < offsets.length; i++) body.set(moved[which[i] as number] as Buffer, offsets[i] as number); // which[i] < minutes.length
      return body;
    },
  };
}

const progress = (msg: string) => process.stderr.write(`bench server: ${msg}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One bulk request on a kept-alive connection of `agent`; resolves with the status and the parsed answer. */
function postBulk(agent: http.Agent, url: string, apiKey: string, body: Buffer): Promise<{ status: number; answer: { errors?: boolean; items?: unknown[] } }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/_bulk`,
      { method: 'POST', agent, headers: { authorization: `ApiKey ${apiKey}`, 'content-type': 'application/x-ndjson', 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, answer: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { errors?: boolean; items?: unknown[] } });
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU time a process has used so far (all its threads), in µs; Linux's /proc. */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name, which may hold spaces: state is the first, utime the 12th, stime the 13th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100); // clock ticks of 1/100 s
}

/** The machine's CPU time counters so far: [idle incl. I/O wait, total], in clock ticks. */
function machineTicks(): [number, number] {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return [(cpu[3] ?? 0) + (cpu[4] ?? 0), cpu.reduce((a, b) => a + b, 0)];
}

interface IngestResult {
  eventsPerSecond: number;
  events: number;
  failed: number;
  /** CPU µs per event: the server's, the load generator's; and the machine's idle share, %. */
  serverCpuUs: number;
  clientCpuUs: number;
  idlePct: number;
}

/** Figures of several ingest phases as one: events/s over their total time, CPU per event over all events. */
function combined(parts: IngestResult[]): IngestResult {
  const events = parts.reduce((a, p) => a + p.events, 0);
  const seconds = parts.reduce((a, p) => a + p.events / p.eventsPerSecond, 0);
  const perEvent = (k: 'serverCpuUs' | 'clientCpuUs') => parts.reduce((a, p) => a + p[k] * p.events, 0) / events;
  return {
    eventsPerSecond: Math.round(events / seconds),
    events,
    failed: parts.reduce((a, p) => a + p.failed, 0),
    serverCpuUs: perEvent('serverCpuUs'),
    clientCpuUs: perEvent('clientCpuUs'),
    idlePct: parts.reduce((a, p) => a + (p.idlePct * p.events) / p.eventsPerSecond, 0) / seconds,
  };
}

/**
 * Posts `requests` bulk bodies over `ingestConnections` kept-alive connections; returns events/s. The load
 * generator shares the machine's two cores with the server, so it uses node:http (about 1 µs of CPU per
 * event sent) rather than fetch (4-6 µs: its body streams copy the 18 MB bodies chunk by chunk).
 */
async function ingest(server: ServerProcess, apiKey: string, live: LiveBodies, firstRequest: number, requests: number, connections = ingestConnections): Promise<IngestResult> {
  const url = server.url;
  const pid = server.child.pid ?? 0; // a started server has a pid
  let next = firstRequest;
  const end = firstRequest + requests;
  let events = 0;
  let failed = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const serverCpu0 = processCpuUs(pid);
  const clientCpu0 = process.cpuUsage();
  const [idle0, total0] = machineTicks();
  const t0 = performance.now();
  const worker = async () => {
    while (next < end) {
      // a body is sent again only after its previous send was answered (fewer connections than bodies)
      const r = next++;
      const body = live.replay(r % distinctBodies, Math.floor(r / distinctBodies));
      // a kept-alive connection the server just closed resets once; a second failure is real
      const { status, answer } = await postBulk(agent, url, apiKey, body).catch(() => postBulk(agent, url, apiKey, body));
      if (status !== 200) throw new Error(`bulk answered ${status}`);
      events += answer.items?.length ?? 0; // Elasticsearch bulk response shape
      if (answer.errors) failed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  const s = (performance.now() - t0) / 1000;
  const clientCpu = process.cpuUsage(clientCpu0);
  const [idle1, total1] = machineTicks();
  return {
    eventsPerSecond: Math.round(events / s),
    events,
    failed,
    serverCpuUs: (processCpuUs(pid) - serverCpu0) / events,
    clientCpuUs: (clientCpu.user + clientCpu.system) / events,
    idlePct: (100 * (idle1 - idle0)) / Math.max(1, total1 - total0),
  };
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
    // pre-encoded once, so the load generator spends its CPU on sending, not on re-encoding 18 MB strings;
    // one timeline over all phases (full events, then compact ones), each request a later minute
    const smallRequests = Math.ceil(smallWindow / eventsPerRequest);
    const largeRequests = Math.ceil(largeWindow / eventsPerRequest) - smallRequests;
    const compactRequests = Math.ceil(compactEvents / eventsPerRequest);
    // (and the one-against-three rounds and the ingest beside GET /api/alerts after them: about 40 requests)
    const cycles = Math.ceil((smallRequests + largeRequests + compactRequests + 2 * connectionRounds * connectionRoundRequests + 40) / distinctBodies);
    const full = liveBodies((e) => e, cycles);
    const avgEventBytes = full.avgEventBytes;
    const windowStart = Date.now() - 1;

    progress(`ingesting ${smallWindow} events`);
    const first = await ingest(server, apiKey, full, 0, smallRequests);
    const afterSmall = Date.now() + 1;
    progress(`rule run over ${first.events} events`);
    const small = await runRule(server.url, apiKey, windowStart, afterSmall);

    progress(`ingesting up to ${largeWindow} events`);
    const second = await ingest(server, apiKey, full, smallRequests, largeRequests);
    const afterLarge = Date.now() + 1;
    progress(`rule run over ${first.events + second.events} events`);
    const large = await runRule(server.url, apiKey, windowStart, afterLarge);
    progress(`ingesting ${compactEvents} compact events`);
    const compact = liveBodies(compactEvent, cycles);
    const third = await ingest(server, apiKey, compact, smallRequests + largeRequests, compactRequests);
    const peakRss = server.peakRssMb();

    // One connection sending one request at a time (as a shipper with one worker does) against three, in
    // alternating rounds of the same full events, and the in-process baseline loop on the same bodies.
    let at = smallRequests + largeRequests + compactRequests;
    const single: number[] = [];
    const three: number[] = [];
    const baseline: number[] = [];
    for (let r = 0; r < connectionRounds; r++) {
      progress(`one connection against three, round ${r + 1}/${connectionRounds}`);
      single.push((await ingest(server, apiKey, full, at, connectionRoundRequests, 1)).eventsPerSecond);
      at += connectionRoundRequests;
      three.push((await ingest(server, apiKey, full, at, connectionRoundRequests, 3)).eventsPerSecond);
      at += connectionRoundRequests;
      baseline.push(baselineIngest(full.bodies));
    }
    const singleRate = median(single);
    const threeRate = median(three);
    const baselineRate = median(baseline);

    // GET /api/alerts while one connection ingests
    progress('GET /api/alerts, 10 connections, while ingesting');
    let ingesting = true;
    const background = (async () => {
      let requests = 0;
      while (ingesting) {
        // a refused request (429: no turn in time, or the disk guard) is sent again a little later
        const ok = await ingest(server, apiKey, full, at, 1, 1).then(() => true, () => false);
        if (!ok) await new Promise((r) => setTimeout(r, 200));
        at++;
        if (ok) requests++;
      }
      return requests;
    })();
    const busy = await autocannon({ url: `${server.url}/api/alerts?size=50`, connections: 10, duration: 10, headers: { authorization: `ApiKey ${apiKey}` } });
    ingesting = false;
    const duringRequests = await background;

    const fullSize = combined([first, second]);
    const ingestRate = fullSize.eventsPerSecond;
    return {
      server_ingest_events_per_s: ingestRate,
      server_ingest_server_cpu_us_per_event: round(fullSize.serverCpuUs),
      server_ingest_client_cpu_us_per_event: round(fullSize.clientCpuUs),
      server_ingest_machine_idle_pct: round(fullSize.idlePct),
      server_ingest_avg_event_bytes: Math.round(avgEventBytes),
      server_ingest_mb_per_s: round((ingestRate * avgEventBytes) / 1e6),
      server_ingest_events: first.events + second.events,
      server_ingest_failed_requests: first.failed + second.failed + third.failed,
      server_ingest_compact_events_per_s: third.eventsPerSecond,
      server_ingest_compact_server_cpu_us_per_event: round(third.serverCpuUs),
      server_ingest_compact_machine_idle_pct: round(third.idlePct),
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
      server_alerts_list_p99_during_ingest_ms: busy.latency.p99,
      server_alerts_list_p50_during_ingest_ms: busy.latency.p50,
      server_alerts_list_errors_during_ingest: busy.errors + busy.non2xx,
      server_alerts_list_during_ingest_bulk_requests: duringRequests,
      server_ingest_one_connection_events_per_s: Math.round(singleRate),
      server_ingest_three_connections_events_per_s: Math.round(threeRate),
      server_ingest_in_process_baseline_events_per_s: Math.round(baselineRate),
      server_ingest_one_over_three_connections: round(singleRate / threeRate, 3),
      server_ingest_one_connection_over_baseline: round(singleRate / baselineRate, 3),
      server_ingest_three_connections_over_baseline: round(threeRate / baselineRate, 3),
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
