/**
 * Crash-safety helper (run by crash.test.ts as a child process): ingests batches forever and prints
 * `ack <batch>` after each acknowledged write, until the parent kills it with SIGKILL.
 */
import { silentLogger } from '../../log';
import { createEmbeddedStore } from './index';

const BATCH = 200;

async function main(dataDir: string): Promise<void> {
  // a dictionary after a few batches, so that the kill finds compressed rows too
  const store = createEmbeddedStore({ dataDir, log: silentLogger, dictionaryAfter: 400 });
  for (let batch = 0; ; batch++) {
    const ops = Array.from({ length: BATCH }, (_, i) => ({
      action: 'create' as const,
      index: 'logs-cloud_defend.process-default',
      source: JSON.stringify({ '@timestamp': new Date().toISOString(), n: batch * BATCH + i, batch, pad: 'x'.repeat(1000) }),
      line: i * 2 + 2,
    }));
    const res = await store.events.bulk(ops, Date.now());
    if (res.some((r) => r.status !== 201)) throw new Error('bulk item failed');
    const alerts = [batch, batch - 1]
      .filter((b) => b >= 0)
      .map((b) => ({ id: `alert-${b}`, index: '.alerts-security.alerts-default', doc: { '@timestamp': new Date().toISOString(), kibana: { alert: { workflow_status: 'open' } } } }));
    await store.alerts.createMany(alerts);
    process.stdout.write(`ack ${batch}\n`);
    await new Promise((r) => setImmediate(r));
  }
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child.ts <dataDir>');
await main(dir);
