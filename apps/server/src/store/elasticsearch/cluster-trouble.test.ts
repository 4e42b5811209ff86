import { describe, expect, it } from 'vitest';
import type { Logger } from '../../log';
import { FakeCluster } from './fake-cluster';
import { createElasticsearchStore } from './index';
import { ClusterUnavailableError, type RetryPolicy } from './retry';

interface Warning {
  msg: string;
  fields: Record<string, unknown>;
}

function warningsInto(into: Warning[]): Logger {
  return { debug() {}, info() {}, error() {}, warn: (msg, fields = {}) => void into.push({ msg, fields }) };
}

const NOW = Date.parse('2024-06-01T12:00:00.000Z');

function storeWith(cluster: FakeCluster, retry: RetryPolicy, warnings: Warning[] = []) {
  return createElasticsearchStore({ node: 'http://fake-cluster:9200', client: cluster.client('a'), log: warningsInto(warnings), instanceId: 'a', retry, now: () => NOW });
}

describe('retries against a troubled cluster', () => {
  it('retries 429, 503 and a dropped connection with growing backoff, then answers', async () => {
    const cluster = new FakeCluster();
    const warnings: Warning[] = [];
    const policy: RetryPolicy = { attempts: 4, baseDelayMs: 20, maxDelayMs: 60 };
    const store = storeWith(cluster, policy, warnings);
    await store.init();
    cluster.fail({ kind: 'status', status: 429 }, 1, '_search');
    cluster.fail({ kind: 'status', status: 503 }, 1, '_search');
    cluster.fail({ kind: 'connection' }, 1, '_search');
    const result = await store.alerts.search({ filter: {}, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 10 });
    expect(result.total).toBe(0);
    expect(cluster.sent('_search')).toHaveLength(4);
    expect(cluster.faults.pending).toBe(0);
    const retries = warnings.filter((w) => w.msg === 'elasticsearch call failed, retrying');
    expect(retries.map((w) => w.fields.reason)).toEqual([
      'elasticsearch responded 429: es_rejected_execution_exception: injected 429',
      'elasticsearch responded 503: unavailable_shards_exception: injected 503',
      expect.stringMatching(/^elasticsearch unreachable: connect ECONNREFUSED/),
    ]);
    // Exponential backoff with jitter: attempt n waits between half and all of min(max, base * 2^(n-1)).
    retries.forEach((w, n) => {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
      expect(w.fields.attempt).toBe(n + 1);
      expect(Number(w.fields.delay_ms)).toBeGreaterThanOrEqual(ceiling / 2);
      expect(Number(w.fields.delay_ms)).toBeLessThanOrEqual(ceiling);
    });
  });

  it('gives up after the last attempt with a ClusterUnavailableError naming the status and reason', async () => {
    const cluster = new FakeCluster();
    const store = storeWith(cluster, { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 });
    await store.init();
    cluster.fail({ kind: 'status', status: 503, reason: 'no master' }, 5);
    const err = await store.users.get('admin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect(err).toMatchObject({ statusCode: 503, message: 'read document failed after 3 attempts: elasticsearch responded 503: unavailable_shards_exception: no master' });
    expect(cluster.faults.pending).toBe(2);
  });

  it('does not retry a refusal that another try cannot cure', async () => {
    const cluster = new FakeCluster();
    const store = storeWith(cluster, { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 });
    await store.init();
    cluster.fail({ kind: 'status', status: 400, type: 'parsing_exception', reason: 'bad query' }, 3, '_search');
    await expect(store.alerts.search({ filter: {}, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 10 })).rejects.toThrow(/rejected: elasticsearch responded 400: parsing_exception: bad query/);
    expect(cluster.sent('_search')).toHaveLength(1);
  });

  it('a cut-off instance gets connection errors that never reach the cluster, until reconnected', async () => {
    const cluster = new FakeCluster();
    const store = storeWith(cluster, { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 });
    await store.init();
    const before = cluster.requests.length;
    cluster.cutOff('a');
    await expect(store.users.get('admin')).rejects.toThrow(/failed after 2 attempts: elasticsearch unreachable: .*cut off/);
    expect(cluster.requests.length).toBe(before);
    cluster.reconnect('a');
    expect(await store.users.get('admin')).toBeNull();
  });
});
