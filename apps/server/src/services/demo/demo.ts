/**
 * `--demo`: demo users, an ingest API key, and the simulator streaming into this server: process events into its
 * bulk API, and the simulated cluster's kube-apiserver audit events into its audit webhook (so alerts say who ran
 * the exec).
 */
import { randomBytes } from 'node:crypto';
import { CLUSTER_NAME, startSimulator } from '@execwatch/simulator';
import type { AuthService } from '../../auth/index';
import type { ServerConfig } from '../../config';
import type { Logger } from '../../log';

export interface DemoHandle {
  stop(): Promise<void>;
}

const demoUsers = [
  { username: 'analyst', roles: ['analyst' as const], full_name: 'Demo Analyst' },
  { username: 'viewer', roles: ['viewer' as const], full_name: 'Demo Viewer' },
];

/** A readable random password (demo only; printed once). */
function demoPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** Creates the demo users and an ingest key, starts the simulator, and prints a banner with the URL and credentials. */
export async function startDemo(opts: {
  auth: AuthService;
  url: string;
  config: ServerConfig;
  log: Logger;
  admin: { username: string; password: string; generated: boolean } | null;
}): Promise<DemoHandle> {
  const { auth, url, config } = opts;
  const credentials: string[] = [];
  // a demo restarted on its old data dir still prints working credentials: admin's password is reset too
  const adminPassword = opts.admin?.password ?? config.adminPassword ?? demoPassword();
  if (!opts.admin) await auth.ensureUser({ username: 'admin', password: adminPassword, roles: ['admin'], full_name: 'Administrator' });
  credentials.push(`admin     ${adminPassword}   (admin)`);
  for (const u of demoUsers) {
    const password = demoPassword();
    await auth.ensureUser({ ...u, password });
    credentials.push(`${u.username.padEnd(9)} ${password}   (${u.roles.join(', ')})`);
  }
  await auth.ensureUser({ username: 'demo-ingest', password: demoPassword(), roles: ['ingest'], full_name: 'Demo simulator' });
  // The ingest role may post to /_bulk and to the audit webhook (/api/k8s/audit): one key serves both streams.
  const key = await auth.createApiKey('demo-ingest', `demo simulator ${new Date().toISOString()}`);
  let lastError = 0;
  const simulator = startSimulator({
    url,
    auth: { apiKey: key.encoded },
    eventsPerSecond: config.demoEventsPerSecond,
    seed: Date.now() % 1_000_000,
    sessionsPerMinute: 6,
    // the audit webhook of the simulated cluster: batches 1 to 30 s behind the process events, as an apiserver sends them
    audit: { cluster: CLUSTER_NAME },
    onError: (err) => {
      // one line a minute at most: a stopped or busy server must not flood the console
      if (Date.now() - lastError < 60_000) return;
      lastError = Date.now();
      opts.log.warn('simulator could not post events', { error: err.message });
    },
  });
  const lines = [
    `Execwatch demo: open ${url}`,
    '',
    'Sign in with:',
    ...credentials.map((c) => `  ${c}`),
    '',
    `Simulated Defend for Containers events stream in at about ${config.demoEventsPerSecond}/s,`,
    `with the kube-apiserver audit events of cluster ${CLUSTER_NAME} (who ran each exec);`,
    `the rule runs every ${config.demoInterval}, so the first alerts appear within a minute.`,
    `Data: ${config.dataDir}   Stop with Ctrl+C.`,
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  process.stdout.write(`\n${'='.repeat(width)}\n${lines.map((l) => `  ${l}`).join('\n')}\n${'='.repeat(width)}\n\n`);
  return {
    async stop() {
      await Promise.resolve(simulator.stop());
    },
  };
}
