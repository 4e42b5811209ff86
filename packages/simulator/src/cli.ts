/**
 * Simulator command line:
 *   node --import tsx packages/simulator/src/cli.ts --url http://127.0.0.1:5611 --rate 200 [--count N] [--seed S]
 *     [--sessions-per-minute M] [--attacker-ratio R] [--no-audit] [--out file.ndjson[.gz]]
 * With --out, writes --count events (default 10000) to the file instead of posting. Without --count, posts --rate
 * events a second until interrupted, and the sessions' kube-apiserver audit events to /api/k8s/audit (unless
 * --no-audit). Credentials: EXECWATCH_API_KEY, or EXECWATCH_USERNAME and EXECWATCH_PASSWORD.
 */
import { parseArgs } from 'node:util';
import { credentialsFromEnv } from './bulk';
import { writeFixtureFile } from './fixture';
import { generateEvents } from './generate';
import { postEvents, startSimulator } from './post';

const USAGE =
  'usage: simulator --url URL [--rate EVENTS_PER_S] [--count N] [--seed S] [--sessions-per-minute M] [--attacker-ratio R] [--no-audit] [--out FILE]';

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${value}"`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:5611' },
      rate: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      'sessions-per-minute': { type: 'string' },
      'attacker-ratio': { type: 'string' },
      out: { type: 'string' },
      'no-audit': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const rate = positiveNumber('rate', values.rate, 200);
  const seed = positiveNumber('seed', values.seed, Date.now() % 100_000);
  const attackerRatio = values['attacker-ratio'] === undefined ? undefined : positiveNumber('attacker-ratio', values['attacker-ratio'], 0.1);
  const sessionsPerMinute = values['sessions-per-minute'] === undefined ? undefined : positiveNumber('sessions-per-minute', values['sessions-per-minute'], 0);
  if (values.out) {
    const count = positiveNumber('count', values.count, 10_000);
    const end = Date.now();
    const info = await writeFixtureFile(values.out, { count, seed, end, start: end - 3_600_000, attackerRatio });
    process.stderr.write(`wrote ${info.events} events to ${info.path}\n`);
    return 0;
  }
  const auth = credentialsFromEnv();
  if (!auth) throw new Error('set EXECWATCH_API_KEY, or EXECWATCH_USERNAME and EXECWATCH_PASSWORD');
  if (values.count !== undefined) {
    const count = positiveNumber('count', values.count, 0);
    const end = Date.now();
    const events = generateEvents(count, { seed, end, start: end - Math.max(60_000, (count / Math.max(rate, 1)) * 1000), attackerRatio });
    let stored = 0;
    let failed = 0;
    for (let i = 0; i < events.length; i += 5000) {
      const result = await postEvents(values.url, auth, events.slice(i, i + 5000));
      stored += result.stored;
      failed += result.failed;
      if (result.firstError) process.stderr.write(`rejected: ${result.firstError}\n`);
    }
    process.stderr.write(`posted ${events.length} events: ${stored} stored, ${failed} rejected\n`);
    return failed === 0 ? 0 : 1;
  }
  let posted = 0;
  const sim = startSimulator({
    url: values.url, auth, eventsPerSecond: rate, seed, sessionsPerMinute, attackerRatio, audit: values['no-audit'] ? false : undefined,
    onError: (e) => process.stderr.write(`simulator: ${e.message}\n`),
    onBatch: (r) => {
      posted += r.stored;
    },
  });
  process.stderr.write(`posting ~${rate} events/s to ${values.url}${values['no-audit'] ? '' : ' with audit events'} (seed ${seed}); Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  process.stderr.write(`stopped after ${posted} stored events\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 2;
  },
);
