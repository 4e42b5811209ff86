/**
 * The shared store-contract suite against a real cluster (`npm run test:es`). It needs ES_URL (and
 * ES_API_KEY or ES_USERNAME/ES_PASSWORD, ES_CA_FILE as the server takes them; ES_COMPATIBILITY=9 for
 * an Elasticsearch 9 cluster). Use a throwaway cluster: the suite also writes test events.
 * Each store gets its own index prefix; after each test its indices and templates are deleted, and
 * so are the event data streams and indices the suite writes (the contract wants an empty store).
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { createLogger } from '../../log';
import { describeStoreContract } from '../contract/store-contract';
import { PROCESS_INDEX } from '../contract/fixtures';
import type { Store } from '../ports';
import { createEsClient } from './client';
import { createElasticsearchStore } from './index';

const ES_URL = process.env.ES_URL;
const compatibility = process.env.ES_COMPATIBILITY === '9' ? 9 : 8;
const connection = {
  apiKey: process.env.ES_API_KEY,
  username: process.env.ES_USERNAME,
  password: process.env.ES_PASSWORD,
  caFile: process.env.ES_CA_FILE,
};

if (!ES_URL) {
  process.stderr.write('elasticsearch store contract: ES_URL is not set, so no cluster is available and nothing ran (set ES_URL to run it).\n');
}

const prefixes: string[] = [];
/** Event indices and data streams the contract suite writes to. */
const SUITE_DATA_STREAMS = [PROCESS_INDEX, 'logs-other.process-default'];
const SUITE_INDICES = ['plain-events'];

async function makeStore(): Promise<Store> {
  const prefix = `execwatch-test-${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  const store = createElasticsearchStore({
    node: ES_URL ?? '',
    ...connection,
    compatibility,
    indexPrefix: prefix,
    // Counts, sessions and related events cover what the suite writes.
    eventIndices: ['logs-cloud_defend*', 'logs-other*', ...SUITE_INDICES],
    log: createLogger('warn'),
    instanceId: `contract-${prefix}`,
  });
  return store;
}

async function cleanup(store: Store): Promise<void> {
  await store.close();
  if (!ES_URL) return;
  const client = createEsClient({ node: ES_URL, ...connection, compatibility });
  const ignoreMissing = () => undefined;
  await client.indices.deleteDataStream({ name: SUITE_DATA_STREAMS }).catch(ignoreMissing);
  await client.indices.delete({ index: SUITE_INDICES, ignore_unavailable: true }).catch(ignoreMissing);
  for (const prefix of prefixes.splice(0)) {
    await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(ignoreMissing);
    await client.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(ignoreMissing);
  }
  await client.close();
}

// Skipped, with the message above, when no cluster is configured: no cluster runs on the build machines.
describe.skipIf(!ES_URL)(`elasticsearch store contract (${ES_URL ?? 'ES_URL unset'}, compatible-with=${compatibility})`, () => {
  describeStoreContract('elasticsearch', makeStore, cleanup);
});
