/** Test support: an adapter on a FakeCluster with fast retries and a fixed clock. */
import { silentLogger } from '../../log';
import type { Store } from '../ports';
import type { CompatibilityVersion } from './client';
import { FakeCluster } from './fake-cluster';
import { createElasticsearchStore } from './index';

export const FIXED_NOW = Date.parse('2024-06-01T12:00:00.000Z');

/** A store on the cluster (a new client each call, like a separate server instance). */
export function storeOn(cluster: FakeCluster, opts: { instanceId?: string; compatibility?: CompatibilityVersion; now?: () => number; attempts?: number } = {}): Store {
  return createElasticsearchStore({
    node: 'http://fake-cluster:9200',
    client: cluster.client(),
    log: silentLogger,
    instanceId: opts.instanceId ?? 'instance-a',
    ...(opts.compatibility ? { compatibility: opts.compatibility } : {}),
    retry: { attempts: opts.attempts ?? 3, baseDelayMs: 1, maxDelayMs: 2 },
    now: opts.now ?? (() => FIXED_NOW),
  });
}

export { FakeCluster };
