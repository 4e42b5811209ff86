/** `--demo`: demo users, an ingest API key, and the simulator streaming into this server's own bulk API. */
import { randomBytes } from 'node:crypto';
import { startSimulator } from '@execwatch/simulator';
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
  if (opts.admin) credentials.push(`admin     ${opts.admin.password}   (all abilities)`);
  else credentials.push('admin     (password set on the first start of this data dir; EXECWATCH_ADMIN_PASSWORD)');
  for (const u of demoUsers) {
    const password = demoPassword();
    await auth.ensureUser({ ...u, password });
    credentials.push(`${u.username.padEnd(9)} ${password}   (${u.roles.join(', ')})`);
  }
  await auth.ensureUser({ username: 'demo-ingest', password: demoPassword(), roles: ['ingest'], full_name: 'Demo simulator' });
  const key = await auth.createApiKey('demo-ingest', `demo simulator ${new Date().toISOString()}`);
  const simulator = startSimulator({ url, auth: { apiKey: key.encoded }, eventsPerSecond: config.demoEventsPerSecond, seed: Date.now() % 1_000_000 });
  const lines = [
    `Execwatch demo: open ${url}`,
    '',
    'Sign in with:',
    ...credentials.map((c) => `  ${c}`),
    '',
    `Simulated Defend for Containers events stream in at about ${config.demoEventsPerSecond}/s;`,
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
