import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BulkOperation, Store } from '../ports';
import { processEvent } from '../../testing/events';
import { answerEqlSearch, isEqlRequestError, matchesIndexPatterns, type EqlDoc } from './fake-eql';
import { FaultPlan } from './fake-faults';
import { FakeCluster, FIXED_NOW, storeOn } from './test-helpers';

const RULE_QUERY = `process where container.id : "*" and event.type == "start" and
  process.entry_leader.entry_meta.type : "container" and process.entry_leader.same_as_process == true and process.interactive == true`;
const min = 60_000;

async function ingest(store: Store, events: Record<string, unknown>[], at: number, index = 'logs-cloud_defend.process-default'): Promise<void> {
  const ops: BulkOperation[] = events.map((e, i) => ({ action: 'create', index, source: JSON.stringify(e), line: 2 * i + 2 }));
  await store.events.bulk(ops, at);
}

const ruleSearch = (window: { from: number; to: number }, query = RULE_QUERY) => ({
  query,
  index: ['logs-cloud_defend*'],
  window,
  timestampOverride: 'event.ingested',
  exceptions: [],
  size: 100,
});

describe('the fake cluster answers _eql/search from its documents', () => {
  it('runs the rule over the window on event.ingested, across the indices the patterns match', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    await store.init();
    await ingest(store, [processEvent({ at: FIXED_NOW - 3 * min, entityId: 'shell-1' }), processEvent({ at: FIXED_NOW - 3 * min, entityId: 'child', entryLeader: false })], FIXED_NOW - 2 * min);
    await ingest(store, [processEvent({ at: FIXED_NOW - 3 * min, entityId: 'shell-old' })], FIXED_NOW - 30 * min);
    await ingest(store, [processEvent({ at: FIXED_NOW - 3 * min, entityId: 'elsewhere' })], FIXED_NOW - 2 * min, 'logs-endpoint.events.process-default');
    const result = await store.events.searchRule(ruleSearch({ from: FIXED_NOW - 6 * min, to: FIXED_NOW }));
    expect(result.events.map((e) => (e._source.process as { entity_id: string }).entity_id)).toEqual(['shell-1']);
    expect(result.events[0]?._index).toBe('logs-cloud_defend.process-default');
    expect(result).toMatchObject({ total: 1, partial: null });
  });

  it('answers sequences by their join keys', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    await store.init();
    await ingest(
      store,
      [
        processEvent({ at: FIXED_NOW - 3 * min, entityId: 'l1', name: 'bash' }),
        processEvent({ at: FIXED_NOW - 3 * min + 1, entityId: 'c1', entryLeaderId: 'l1', entryLeader: false, name: 'curl' }),
      ],
      FIXED_NOW - min,
    );
    const query = 'sequence by process.entry_leader.entity_id [process where process.name == "bash"] [process where process.name == "curl"]';
    const result = await store.events.searchRule(ruleSearch({ from: FIXED_NOW - 6 * min, to: FIXED_NOW }, query));
    expect(result.sequences).toHaveLength(1);
    expect(result.sequences[0]?.join_keys).toEqual(['l1']);
  });

  it('refuses a query that does not parse with a 400 the adapter reports', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    await store.init();
    await ingest(store, [processEvent({ at: FIXED_NOW })], FIXED_NOW);
    await expect(store.events.searchRule(ruleSearch({ from: 0, to: FIXED_NOW + 1 }, 'process where ('))).rejects.toThrow(/rejected: elasticsearch responded 400: parsing_exception/);
    expect(cluster.sent('_eql/search')).toHaveLength(1);
  });

  it('returns nothing when no index matches', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    await store.init();
    const result = await store.events.searchRule(ruleSearch({ from: 0, to: FIXED_NOW }));
    expect(result).toMatchObject({ events: [], total: 0 });
  });
});

describe('fake cluster support', () => {
  it('matches index names against comma-separated patterns with wildcards only', () => {
    expect(matchesIndexPatterns('logs-cloud_defend.process-default', 'logs-cloud_defend*')).toBe(true);
    expect(matchesIndexPatterns('logs-cloud_defend.process-default', 'logs-endpoint*,logs-cloud_defend.process-*')).toBe(true);
    expect(matchesIndexPatterns('logsXcloud_defend', 'logs.cloud_defend')).toBe(false);
    expect(matchesIndexPatterns('execwatch-rules', 'logs-*')).toBe(false);
  });

  it('takes armed faults in order, each only as often as armed and only for its endpoint', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom('_search', '_bulk', null)), { maxLength: 6 }), (armed) => {
        const plan = new FaultPlan();
        for (const [count, endpoint] of armed) plan.add({ kind: 'status', status: 503 }, count, endpoint ?? undefined);
        const total = armed.reduce((n, [count]) => n + count, 0);
        let taken = 0;
        for (let i = 0; i < total + 3; i++) if (plan.take('/execwatch-alerts-default/_count') !== null) taken++;
        const anyEndpoint = armed.filter(([, e]) => e === null).reduce((n, [count]) => n + count, 0);
        expect(taken).toBe(anyEndpoint);
        expect(plan.pending).toBe(total - anyEndpoint);
      }),
      { numRuns: 100 },
    );
    expect(() => new FaultPlan().add({ kind: 'connection' }, 0)).toThrow(/positive integer/);
  });

  it('answers any query text either with hits or with a request error (never anything else)', () => {
    const docs: EqlDoc[] = [{ _index: 'logs-cloud_defend.process-default', _id: '1', _source: processEvent({ at: FIXED_NOW }) }];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('process where true', 'any where process.name : "ba*"', 'sequence [process where true] [process where true]')), (query) => {
        try {
          const answer = answerEqlSearch(docs, { query, filter: { range: { '@timestamp': { lte: new Date(FIXED_NOW).toISOString() } } } }, FIXED_NOW);
          expect(answer).toHaveProperty('hits');
        } catch (err) {
          expect(isEqlRequestError(err)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
