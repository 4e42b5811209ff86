/**
 * Starts Execwatch: `node --import tsx apps/server/src/main.ts [--demo]`.
 * Configuration from the environment (see config.ts); `--demo` adds demo users, a short rule interval and the simulator.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { createAuth, loadTlsOptions } from './auth/index';
import { trustedProxiesFromEnv } from './auth/source-ip';
import { ConfigError, loadConfig, type ServerConfig } from './config';
import { createLoadShedder, eventLoopDelaySource } from './http/load-shedding';
import { createLimitedServer } from './http/server-limits';
import { setBulkIngestDefaults } from './ingest/bulk-limits';
import { createLogger, type Logger } from './log';
import { createServices } from './services/index';
import { createStore } from './store/index';
import type { DemoHandle } from './services/demo/demo';

const shutdownGraceMs = 30_000;

function printBanner(lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '='.repeat(width);
  process.stdout.write(`\n${bar}\n${lines.map((l) => `  ${l}`).join('\n')}\n${bar}\n\n`);
}

async function start(config: ServerConfig, log: Logger): Promise<void> {
  const now = () => Date.now();
  const store = await createStore(config, log);
  await store.init();
  const auth = createAuth({ store, log, now, config: { secureCookies: config.secureCookies, adminPassword: config.adminPassword } });
  const admin = await auth.bootstrap();
  const services = await createServices({
    store,
    log,
    now,
    instanceId: config.instanceId,
    space: config.space,
    rulesDir: config.rulesDir,
    ingestIndices: config.ingestIndices,
    intervalOverride: config.demo ? config.demoInterval : undefined,
    storage: { ...config.storage, dataDir: config.dataDir },
  });
  setBulkIngestDefaults(config.bulk);
  const app = createApp({ store, log, now, auth, services, webDist: config.webDist, scheduling: true });
  // under overload new bulk requests are refused before anything else is done for them (see load-shedding.ts)
  const shedder = createLoadShedder({ source: eventLoopDelaySource(), policy: config.shedding });
  const tls = config.tls ? loadTlsOptions(config.tls.certFile, config.tls.keyFile) : undefined;
  const server = createLimitedServer(shedder.wrap(app), config.serverLimits, { tls, log, trustedProxies: trustedProxiesFromEnv(process.env) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo; // a TCP listener always reports an AddressInfo
  const url = `${config.tls ? 'https' : 'http'}://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  await services.scheduler.start();
  // audit events that arrive after their alert attribute it within a couple of seconds
  services.attribution.start(2000);
  // sessions go on after their alert: their scores follow within a few seconds
  services.sessionRisk.start(5000);
  // free space checked every 5 s; what outlived its retention deleted once a minute, a batch at a time
  services.storage.start(60_000);
  log.info('execwatch listening', { url, store: store.kind, rules: services.registry.size, demo: config.demo });

  let demo: DemoHandle | null = null;
  if (config.demo) {
    // the simulator is loaded only for the demo
    const { startDemo } = await import('./services/demo/demo');
    demo = await startDemo({ auth, url, config, log, admin });
  } else {
    const lines = [`Execwatch is running at ${url}`, `store: ${store.kind}${store.kind === 'embedded' ? ` (${config.dataDir})` : ''}, rules: ${services.registry.size}`];
    if (admin?.generated) lines.push('', `First start: created user "admin" with password: ${admin.password}`, 'It is shown only this once; sign in and change it.');
    printBanner(lines);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, shutdownGraceMs);
    force.unref();
    await demo?.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // keep-alive connections turn idle as their in-flight requests finish; close them as they do, or close() waits
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.on('request', (_req, res) => res.setHeader('connection', 'close'));
    await services.scheduler.stop();
    await services.attribution.stop();
    await services.sessionRisk.stop();
    await services.storage.stop();
    await closed;
    clearInterval(sweep);
    shedder.close();
    await store.close();
    log.info('stopped');
    process.exit(0);
  };
  // a stray rejection in a background task is logged; it must not take the server down
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { error: err instanceof Error ? err.message : String(err) }));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

const demoMode = process.argv.includes('--demo');
const log = createLogger();
let config: ServerConfig;
try {
  config = loadConfig(process.env, { demo: demoMode });
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(2);
}
start(config, log).catch((err: unknown) => {
  log.error('failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.stderr.write(`Execwatch could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
