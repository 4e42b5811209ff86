import { errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { compatibilityHeaders } from './client';
import { responseError } from './fake-cluster';
import { ClusterRequestError, ClusterUnavailableError, withRetry } from './retry';
import { FakeCluster, storeOn } from './test-helpers';

const emptySearch = { hits: { total: { value: 0, relation: 'eq' }, hits: [] } };
const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

describe('REST compatibility headers', () => {
  for (const version of [8, 9] as const) {
    it(`sends compatible-with=${version} on JSON requests and on NDJSON bulk bodies`, async () => {
      const cluster = new FakeCluster();
      cluster.responders.set('_search', () => emptySearch);
      cluster.responders.set('_bulk', () => ({ errors: false, items: [{ create: { _index: 'execwatch-alerts-default', _id: 'a', status: 201 } }] }));
      const store = storeOn(cluster, { compatibility: version });
      await store.executions.latest('rule');
      await store.alerts.createMany([{ id: 'a', index: 'execwatch-alerts-default', doc: { '@timestamp': '2024-06-01T00:00:00Z' } }]);
      const [search, bulk] = cluster.headers;
      const json = `application/vnd.elasticsearch+json; compatible-with=${version}`;
      expect(search).toMatchObject({ accept: json, 'content-type': json });
      expect(bulk).toMatchObject({ accept: json, 'content-type': `application/vnd.elasticsearch+x-ndjson; compatible-with=${version}` });
    });
  }

  it('builds the documented header pair', () => {
    expect(compatibilityHeaders(9)).toEqual({
      accept: 'application/vnd.elasticsearch+json; compatible-with=9',
      'content-type': 'application/vnd.elasticsearch+json; compatible-with=9',
    });
  });
});

describe('cluster trouble', () => {
  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    const cluster = new FakeCluster();
    const answers = [responseError(429, 'es_rejected_execution_exception', 'rejected'), responseError(503, 'unavailable', 'try later')];
    cluster.responders.set('_search', () => answers.shift() ?? emptySearch);
    expect(await storeOn(cluster, { attempts: 3 }).executions.latest('rule')).toBeNull();
    expect(cluster.sent('_search')).toHaveLength(3);
  });

  it('gives up after the last attempt with a clear, secret-free reason', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_search', () => responseError(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]'));
    const err = await storeOn(cluster, { attempts: 2 }).executions.latest('rule').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as ClusterUnavailableError).statusCode).toBe(503);
    expect((err as Error).message).toBe(
      'search documents failed after 2 attempts: elasticsearch responded 503: cluster_block_exception: blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]',
    );
  });

  it('does not retry a request the cluster rejects as bad (4xx) and says why', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_search', () => responseError(400, 'parsing_exception', 'unknown query [foo]'));
    const err = await storeOn(cluster, { attempts: 5 }).executions.latest('rule').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect((err as Error).message).toBe('search documents was rejected: elasticsearch responded 400: parsing_exception: unknown query [foo]');
    expect(cluster.sent('_search')).toHaveLength(1);
  });

  it('retries when the cluster is unreachable', async () => {
    let calls = 0;
    const result = await withRetry(
      'probe',
      async () => {
        calls++;
        if (calls < 3) throw new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200');
        return 'up';
      },
      fast,
      silentLogger,
    );
    expect(result).toBe('up');
    expect(calls).toBe(3);
  });

  it('records a failed EQL search as an error naming the cause', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', () => responseError(429, 'circuit_breaking_exception', '[parent] Data too large'));
    const err = await storeOn(cluster, { attempts: 2 })
      .events.searchRule({ query: 'process where true', index: ['logs-*'], window: { from: 0, to: 1 }, timestampOverride: null, exceptions: [], size: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toContain('circuit_breaking_exception');
  });
});
