/**
 * Load test: 50 concurrent analysts for 30 s against a real server process on loopback, with a store of
 * alerts. Each connection plays an analyst's loop: the alerts list with filters, the counts, one alert,
 * its session, its checklist, a status change. The figure that matters is `load_5xx` (must be 0).
 * BENCH_LOAD_SECONDS, BENCH_LOAD_CONNECTIONS and BENCH_LOAD_ALERTS scale it.
 * Standalone: `node --import tsx bench/src/load.ts` prints the figures as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { prepareStore, startServerProcess, type ServerProcess } from './support/server-process';

const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
const connections = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 50);
const storedAlerts = Number(process.env.BENCH_LOAD_ALERTS ?? 20_000);

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

    const result = await autocannon({
      url: server.url,
      connections,
      duration: seconds,
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
