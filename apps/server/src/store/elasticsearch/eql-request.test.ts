import { describe, expect, it } from 'vitest';
import type { ExceptionItemForMatching, RuleSearchRequest } from '../ports';
import { buildEqlSearchRequest, buildWindowFilter } from './eql-request';
import { responseError } from './fake-cluster';
import { PartialResultsError } from './retry';
import { FakeCluster, storeOn } from './test-helpers';

const RULE_QUERY = 'process where container.id : "*" and event.type == "start" and process.interactive == true';
const window = { from: Date.parse('2024-06-01T11:54:00.000Z'), to: Date.parse('2024-06-01T12:00:00.000Z') };
const bounds = { gte: '2024-06-01T11:54:00.000Z', lt: '2024-06-01T12:00:00.000Z', format: 'strict_date_optional_time' };

const items: ExceptionItemForMatching[] = [
  {
    id: 'item-admins',
    item_id: 'admin-accounts',
    list_id: 'd4c-exec-exceptions',
    entries: [
      { field: 'user.name', operator: 'included', type: 'match_any', value: ['sre-admin', 'platform-ops'] },
      { field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'kube-system' },
    ],
  },
  { id: 'item-debug', item_id: 'debug-images', list_id: 'd4c-exec-exceptions', entries: [{ field: 'container.image.name', operator: 'included', type: 'wildcard', value: 'registry.local/debug-*' }] },
  {
    id: 'item-parent',
    item_id: 'not-runc',
    list_id: 'd4c-exec-exceptions',
    entries: [
      { field: 'process.parent.name', operator: 'excluded', type: 'match', value: 'runc' },
      { field: 'process.entry_leader.entity_id', operator: 'included', type: 'exists' },
    ],
  },
  { id: 'item-expired', item_id: 'expired', list_id: 'd4c-exec-exceptions', entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'old' }], expire_time: '2024-01-01T00:00:00.000Z' },
];

/**
 * What Kibana's `buildExceptionFilter` (lists plugin, build_exception_filter.ts) puts in the filter's
 * `query` for the same items: bool/should of items; a multi-entry item is bool/filter of its entries;
 * match -> bool/should of one match_phrase (minimum_should_match 1); match_any -> a should of such;
 * wildcard -> bool/filter/wildcard; exists -> bool/should/exists; excluded -> bool/must_not. Expired
 * items are left out (the detection engine drops them before building).
 */
const KIBANA_EXCEPTION_QUERY = {
  bool: {
    should: [
      {
        bool: {
          filter: [
            {
              bool: {
                minimum_should_match: 1,
                should: [
                  { bool: { minimum_should_match: 1, should: [{ match_phrase: { 'user.name': 'sre-admin' } }] } },
                  { bool: { minimum_should_match: 1, should: [{ match_phrase: { 'user.name': 'platform-ops' } }] } },
                ],
              },
            },
            { bool: { minimum_should_match: 1, should: [{ match_phrase: { 'orchestrator.namespace': 'kube-system' } }] } },
          ],
        },
      },
      { bool: { filter: { wildcard: { 'container.image.name': 'registry.local/debug-*' } } } },
      {
        bool: {
          filter: [
            { bool: { must_not: { bool: { minimum_should_match: 1, should: [{ match_phrase: { 'process.parent.name': 'runc' } }] } } } },
            { bool: { minimum_should_match: 1, should: [{ exists: { field: 'process.entry_leader.entity_id' } }] } },
          ],
        },
      },
    ],
  },
};

/** Kibana's range for a timestamp override with the `@timestamp` fallback (build_events_query.ts buildTimeRangeFilter). */
const KIBANA_WINDOW_WITH_FALLBACK = {
  bool: {
    minimum_should_match: 1,
    should: [
      { range: { 'event.ingested': bounds } },
      { bool: { filter: [{ range: { '@timestamp': bounds } }, { bool: { must_not: { exists: { field: 'event.ingested' } } } }] } },
    ],
  },
};

function request(overrides: Partial<RuleSearchRequest> = {}): RuleSearchRequest {
  return { query: RULE_QUERY, index: ['logs-cloud_defend*'], window, timestampOverride: 'event.ingested', exceptions: [], size: 100, ...overrides };
}

function eqlEvent(id: string, user: string) {
  return { _index: '.ds-logs-cloud_defend.process-default-2024.06.01-000001', _id: id, _source: { '@timestamp': '2024-06-01T11:58:00.000Z', user: { name: user } } };
}

describe('window filter', () => {
  it('falls back to @timestamp for events without the override, as Kibana builds it', () => {
    expect(buildWindowFilter(window, 'event.ingested')).toEqual(KIBANA_WINDOW_WITH_FALLBACK);
  });

  it('is a plain range when there is no override or the override is @timestamp', () => {
    expect(buildWindowFilter(window, null)).toEqual({ range: { '@timestamp': bounds } });
    expect(buildWindowFilter(window, '@timestamp')).toEqual({ range: { '@timestamp': bounds } });
  });

  it('keeps the window half-open: from inclusive, to exclusive', () => {
    const range = (buildWindowFilter(window, null) as { range: Record<string, Record<string, unknown>> }).range['@timestamp'];
    expect(range).toMatchObject({ gte: bounds.gte, lt: bounds.lt });
    expect(range).not.toHaveProperty('lte');
  });
});

describe('EQL search body', () => {
  it('puts the exception query in must_not next to the window', () => {
    const body = buildEqlSearchRequest(request(), { match_all: {} });
    expect(body).toEqual({
      index: ['logs-cloud_defend*'],
      query: RULE_QUERY,
      size: 100,
      timestamp_field: 'event.ingested',
      filter: { bool: { filter: [KIBANA_WINDOW_WITH_FALLBACK], must_not: [{ match_all: {} }] } },
      allow_no_indices: true,
    });
  });

  it('has no must_not without exceptions and uses @timestamp without an override', () => {
    const body = buildEqlSearchRequest(request({ timestampOverride: null }), null);
    expect(body.timestamp_field).toBe('@timestamp');
    expect(body.filter).toEqual({ bool: { filter: [{ range: { '@timestamp': bounds } }] } });
  });
});

describe('searchRule against a recorded cluster', () => {
  it('sends _eql/search to the rule index patterns with size = max_signals and the Kibana exception filter', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', () => ({ is_partial: false, timed_out: false, hits: { total: { value: 2, relation: 'eq' }, events: [eqlEvent('e1', 'alice'), eqlEvent('e2', 'bob')] } }));
    const store = storeOn(cluster);
    const result = await store.events.searchRule(request({ exceptions: items, size: 7 }));

    const [main] = cluster.sent('_eql/search');
    expect(main?.path).toBe('/logs-cloud_defend*/_eql/search');
    expect(main?.querystring).toEqual({ allow_no_indices: 'true' });
    expect(main?.body).toEqual({
      query: RULE_QUERY,
      size: 7,
      timestamp_field: 'event.ingested',
      filter: { bool: { filter: [KIBANA_WINDOW_WITH_FALLBACK], must_not: [KIBANA_EXCEPTION_QUERY] } },
    });
    expect(result.events.map((e) => e._id)).toEqual(['e1', 'e2']);
    expect(result.events[0]?._source).toMatchObject({ user: { name: 'alice' } });
    expect(result.total).toBe(2);
    expect(result.partial).toBeNull();
  });

  it('counts suppressed matches with the exception query as a positive filter, per item too', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', (req) => {
      const filter = JSON.stringify(req.body);
      if (filter.includes('must_not":[{"bool":{"should"')) return { hits: { events: [eqlEvent('kept', 'carol')] } };
      if (filter.includes('registry.local/debug-*') && !filter.includes('sre-admin')) return { hits: { events: [eqlEvent('s2', 'dbg')] } };
      if (filter.includes('sre-admin') && !filter.includes('registry.local')) return { hits: { events: [eqlEvent('s1', 'sre-admin')] } };
      if (filter.includes('sre-admin')) return { hits: { events: [eqlEvent('s1', 'sre-admin'), eqlEvent('s2', 'dbg')] } };
      return { hits: { events: [] } };
    });
    const store = storeOn(cluster);
    const result = await store.events.searchRule(request({ exceptions: items, suppressedSample: 1 }));
    expect(result.events.map((e) => e._id)).toEqual(['kept']);
    expect(result.suppressed).toBe(2);
    expect(result.suppressedByItem).toEqual({ 'item-admins': 1, 'item-debug': 1, 'item-parent': 0 });
    expect(result.suppressedEvents.map((e) => e._id)).toEqual(['s1']);
    const positive = cluster.sent('_eql/search')[1]?.body as { filter: { bool: { filter: unknown[] } } };
    expect(positive.filter.bool.filter).toEqual([KIBANA_WINDOW_WITH_FALLBACK, KIBANA_EXCEPTION_QUERY]);
    // Expired items are neither sent nor counted.
    expect(JSON.stringify(cluster.requests)).not.toContain('"old"');
  });

  it('retries partial results and, when every attempt is partial, fails naming the shard failures', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', () => ({
      is_partial: true,
      hits: { events: [eqlEvent('e1', 'alice')] },
      shard_failures: [{ index: 'logs-cloud_defend.process-default', shard: 2, reason: { type: 'circuit_breaking_exception', reason: 'data too large' } }],
    }));
    const failure = await storeOn(cluster, { attempts: 3 }).events.searchRule(request()).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PartialResultsError);
    expect(String(failure)).toContain('circuit_breaking_exception');
    expect(String(failure)).toContain('logs-cloud_defend.process-default[2]');
    expect(cluster.sent('_eql/search')).toHaveLength(3);
  });

  it('uses the complete answer when a retry after a partial one succeeds', async () => {
    const cluster = new FakeCluster();
    let calls = 0;
    cluster.responders.set('_eql/search', () =>
      ++calls === 1
        ? { is_partial: true, hits: { events: [] }, shard_failures: [{ index: 'logs-x', shard: 0, reason: { type: 'node_disconnected_exception' } }] }
        : { is_partial: false, hits: { events: [eqlEvent('e1', 'alice'), eqlEvent('e2', 'bob')] } },
    );
    const result = await storeOn(cluster).events.searchRule(request());
    expect(result.events.map((e) => e._id)).toEqual(['e1', 'e2']);
    expect(result.partial).toBeNull();
  });

  it('maps sequence hits with their join keys', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', () => ({ hits: { sequences: [{ join_keys: ['c1'], events: [eqlEvent('a', 'x'), eqlEvent('b', 'x')] }] } }));
    const result = await storeOn(cluster).events.searchRule(request({ query: 'sequence by container.id [process where true] [process where true]' }));
    expect(result.events).toEqual([]);
    expect(result.sequences).toHaveLength(1);
    expect(result.sequences[0]?.join_keys).toEqual(['c1']);
    expect(result.sequences[0]?.events.map((e) => e._id)).toEqual(['a', 'b']);
    expect(result.total).toBe(1);
  });

  it('looks up a session by process.entry_leader.entity_id, oldest first, and says when it is truncated', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_search', () => ({
      hits: { total: { value: 3, relation: 'eq' }, hits: ['p1', 'p2', 'p3'].map((id) => ({ _index: 'logs-cloud_defend.process-default', _id: id, _source: { process: { entity_id: id } } })) },
    }));
    const session = await storeOn(cluster).events.sessionEvents('leader-1', 2);
    expect(session.truncated).toBe(true);
    expect(session.events.map((e) => e._id)).toEqual(['p1', 'p2']);
    const [sent] = cluster.sent('_search');
    expect(sent?.path).toBe('/logs-cloud_defend*/_search');
    expect(sent?.body).toMatchObject({
      size: 3,
      query: { bool: { filter: [{ term: { 'process.entry_leader.entity_id': 'leader-1' } }] } },
      sort: [{ '@timestamp': { order: 'asc' } }, { 'process.start': { order: 'asc' } }],
    });
  });
});

describe('counting past max_signals', () => {
  it('counts a full page with an ids-only search of the same request', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', (req) =>
      req.querystring.filter_path
        ? { hits: { events: ['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => ({ _id: id })) } }
        : { hits: { events: [eqlEvent('e1', 'a'), eqlEvent('e2', 'b')] } },
    );
    const result = await storeOn(cluster).events.searchRule(request({ size: 2 }));
    expect(result.events.map((e) => e._id)).toEqual(['e1', 'e2']);
    expect(result.total).toBe(5);
    const [main, count] = cluster.sent('_eql/search');
    expect(count?.querystring.filter_path).toBe('hits.events._id,hits.sequences.events._id,is_partial,timed_out,shard_failures');
    expect(count?.body).toEqual({ ...(main?.body as object), size: 10_000 });
  });

  it('needs no count when the page is not full', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', () => ({ hits: { events: [eqlEvent('e1', 'a')] } }));
    expect((await storeOn(cluster).events.searchRule(request({ size: 2 }))).total).toBe(1);
    expect(cluster.sent('_eql/search')).toHaveLength(1);
  });

  it('treats a count response without hits (nothing matched) as zero', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', (req) => (req.querystring.filter_path ? {} : { hits: { events: [] } }));
    const result = await storeOn(cluster).events.searchRule(request({ exceptions: items }));
    expect(result.suppressed).toBe(0);
    expect(result.suppressedByItem).toEqual({});
  });
});

describe('index patterns without data', () => {
  it('answers an empty result when EQL finds no index for the patterns', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', () => responseError(400, 'verification_exception', 'Found 1 problem\nline -1:-1: Unknown index [logs-endpoint*]'));
    const result = await storeOn(cluster).events.searchRule(request({ index: ['logs-endpoint*'] }));
    expect(result).toMatchObject({ events: [], sequences: [], total: 0, partial: null });
  });

  it('still fails a run on other verification errors (an unknown field is a configuration problem)', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_eql/search', () => responseError(400, 'verification_exception', 'Found 1 problem\nline 1:15: Unknown column [process.interactive]'));
    await expect(storeOn(cluster).events.searchRule(request())).rejects.toThrow(/Unknown column/);
  });
});
