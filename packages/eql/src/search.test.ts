import { describe, expect, it } from 'vitest';
import { search, type EqlHits, type EqlSearchRequest } from './index';

interface Ev {
  id: number;
  ts: number;
  cat: string;
  [k: string]: unknown;
}

/** Events in ECS-ish shape: `event.category`, `@timestamp` (epoch millis), an `id` for assertions. */
function events(list: Ev[]): object[] {
  return list.map(({ id, ts, cat, ...rest }) => ({ id, '@timestamp': ts, event: { category: cat }, ...rest }));
}

function ids(hits: EqlHits): number[] {
  if (hits.events) return hits.events.map((e) => Number(e._source.id));
  return (hits.sequences ?? []).flatMap((s) => s.events.map((e) => (e.missing ? -1 : Number(e._source.id))));
}

function run(docs: object[], query: string, extra: Partial<EqlSearchRequest> = {}, mappings?: object): EqlHits {
  const hits = search(docs, { query, size: 100, ...extra }, { mappings });
  return hits;
}

const procs = events([
  { id: 1, ts: 1000, cat: 'process', pid: 1, user: 'a' },
  { id: 2, ts: 2000, cat: 'process', pid: 2, user: 'a' },
  { id: 3, ts: 3000, cat: 'file', pid: 1, user: 'b' },
  { id: 4, ts: 4000, cat: 'process', pid: 1, user: 'b' },
  { id: 5, ts: 5000, cat: 'file', pid: 2, user: 'a' },
  { id: 6, ts: 6000, cat: 'network', pid: 1, user: 'a' },
]);

describe('event search', () => {
  it('returns matching events ordered by timestamp, then tiebreaker', () => {
    const shuffled = [procs[3], procs[0], procs[2], procs[1]];
    expect(ids(run(shuffled, 'any where true'))).toEqual([1, 2, 3, 4]);
    const tied = events([
      { id: 9, ts: 5, cat: 'x', seq: 2 },
      { id: 8, ts: 5, cat: 'x', seq: 1 },
    ]);
    expect(ids(run(tied, 'x where true', { tiebreaker_field: 'seq' }))).toEqual([8, 9]);
  });

  it('takes head and tail pipes in order, then size from result_position', () => {
    expect(ids(run(procs, 'any where true | head 4 | tail 2'))).toEqual([3, 4]);
    expect(ids(run(procs, 'any where true', { size: 2 }))).toEqual([5, 6]);
    expect(ids(run(procs, 'any where true', { size: 2, result_position: 'head' }))).toEqual([1, 2]);
    expect(run(procs, 'any where true').total).toEqual({ value: 6, relation: 'eq' });
  });

  it('defaults size to 10 and skips events without a timestamp', () => {
    const many = events(Array.from({ length: 15 }, (_, i) => ({ id: i, ts: i, cat: 'x' })));
    expect(search([...many, { id: 99, event: { category: 'x' } }], { query: 'x where true' }).events).toHaveLength(10);
    expect(ids(search([{ id: 99, event: { category: 'x' } }], { query: 'x where true' }))).toEqual([]);
  });

  it('reads timestamps from a custom field, as ISO text or epoch millis', () => {
    const docs = [
      { id: 1, when: '2024-01-01T00:00:02Z', event: { category: 'x' } },
      { id: 2, when: '1704067201000', event: { category: 'x' } },
    ];
    expect(ids(run(docs, 'x where true', { timestamp_field: 'when' }))).toEqual([2, 1]);
  });

  it('applies the request filter (query DSL)', () => {
    const filter = { bool: { filter: [{ range: { '@timestamp': { gte: 2000, lte: 5000 } } }], must_not: [{ term: { user: 'b' } }] } };
    expect(ids(run(procs, 'any where true', { filter }))).toEqual([2, 5]);
  });

  it('accepts search hits and keeps their _index and _id', () => {
    const hits = [{ _index: 'logs-a', _id: 'x1', _source: { '@timestamp': 1, event: { category: 'p' } } }];
    expect(run(hits, 'p where true').events).toEqual([{ _index: 'logs-a', _id: 'x1', _source: hits[0]._source }]);
  });

  it('returns a Promise for async iterables', async () => {
    async function* gen(): AsyncGenerator<object> {
      for (const d of procs) yield d;
    }
    const hits = await search(gen(), { query: 'file where true', size: 10 });
    expect(ids(hits)).toEqual([3, 5]);
  });

  it('rejects bad requests with a clear error', () => {
    expect(() => search(procs, { query: 'any where true', size: -1 })).toThrow(/size/);
    expect(() => search(procs, { query: 'any where true', filter: { script: {} } })).toThrow(/not supported/);
  });
});

describe('sequences', () => {
  it('joins by a shared key and returns join_keys', () => {
    const hits = run(procs, 'sequence by pid [process where true] [file where true]');
    expect(ids(hits)).toEqual([1, 3, 2, 5]);
    expect(hits.sequences?.map((s) => s.join_keys)).toEqual([[1], [2]]);
  });

  it('lets the most recent partial match win', () => {
    expect(ids(run(procs, 'sequence [process where true] [file where true]'))).toEqual([2, 3, 4, 5]);
  });

  it('joins per-term keys of different fields', () => {
    const docs = events([
      { id: 1, ts: 1, cat: 'process', pid: 10, ppid: 1 },
      { id: 2, ts: 2, cat: 'process', pid: 11, ppid: 10 },
    ]);
    expect(ids(run(docs, 'sequence [process where true] by pid [process where true] by ppid'))).toEqual([1, 2]);
  });

  it('drops a partial match beyond maxspan', () => {
    expect(ids(run(procs, 'sequence by pid with maxspan=1500ms [process where true] [file where true]'))).toEqual([]);
    expect(ids(run(procs, 'sequence by pid with maxspan=2s [process where true] [file where true]'))).toEqual([1, 3]);
  });

  it('until ends the partial matches of its key', () => {
    expect(ids(run(procs, 'sequence by pid [process where true] [network where true] until [file where true]'))).toEqual([4, 6]);
  });

  it('expands with runs=N into repeated terms', () => {
    expect(ids(run(procs, 'sequence by user [process where true] with runs=2 [file where true]'))).toEqual([1, 2, 5]);
  });

  it('rejects a sequence when a missing event occurs in its gap', () => {
    const docs = events([
      { id: 1, ts: 1, cat: 'a' },
      { id: 2, ts: 2, cat: 'm' },
      { id: 3, ts: 3, cat: 'b' },
      { id: 4, ts: 4, cat: 'a' },
      { id: 5, ts: 5, cat: 'b' },
    ]);
    expect(ids(run(docs, 'sequence with maxspan=1m [a where true] ![m where true] [b where true]'))).toEqual([4, -1, 5]);
  });

  it('checks trailing missing events within maxspan', () => {
    const docs = events([
      { id: 1, ts: 1000, cat: 'a' },
      { id: 2, ts: 1500, cat: 'm' },
      { id: 3, ts: 5000, cat: 'a' },
      { id: 4, ts: 9000, cat: 'm' },
    ]);
    const hits = run(docs, 'sequence with maxspan=1s [a where true] ![m where true]');
    expect(ids(hits)).toEqual([3, -1]);
    expect(hits.sequences?.[0].events[1]).toMatchObject({ missing: true });
  });

  it('joins every value of multi-valued keys, skipping nulls, optional keys allow null', () => {
    const docs = events([
      { id: 1, ts: 1, cat: 'a', tags: ['x', null, 'y'] },
      { id: 2, ts: 2, cat: 'b', tags: 'y' },
      { id: 3, ts: 3, cat: 'a' },
      { id: 4, ts: 4, cat: 'b' },
    ]);
    expect(ids(run(docs, 'sequence by tags [a where true] [b where true]'))).toEqual([1, 2]);
    const optional = run(docs, 'sequence by ?tags [a where true] [b where true]');
    expect(ids(optional)).toEqual([1, 2, 3, 4]);
    expect(optional.sequences?.map((s) => s.join_keys)).toEqual([['y'], [null]]);
  });

  it('gives the same sequences for unordered input, arrays or iterables', () => {
    const reversed = [...procs].reverse();
    expect(ids(run(reversed, 'sequence by pid [process where true] [file where true]'))).toEqual([1, 3, 2, 5]);
    const iter = new Set(reversed);
    expect(ids(search(iter, { query: 'sequence by pid [process where true] [file where true]', size: 10 }))).toEqual([1, 3, 2, 5]);
  });

  it('reads every shape of timestamp for sequences: ISO text with or without millis or a zone, epoch millis, arrays', () => {
    const docs = [
      { id: 1, '@timestamp': '2024-01-01T00:00:00.000Z', event: { category: 'a' }, h: 'x' },
      { id: 2, '@timestamp': '2024-01-01T00:00:01Z', event: { category: 'b' }, h: 'x' },
      { id: 3, '@timestamp': '2024-01-01T02:00:02+02:00', event: { category: 'a' }, h: 'y' },
      { id: 4, '@timestamp': 1_704_067_203_000, event: { category: 'b' }, h: 'y' },
      { id: 5, '@timestamp': '1704067204000', event: { category: 'a' }, h: 'z' },
      { id: 6, '@timestamp': ['2024-01-01T00:00:05.400Z'], event: { category: 'b' }, h: 'z' },
      // without a usable timestamp a document takes no part
      { id: 7, '@timestamp': 'not a date', event: { category: 'b' }, h: 'x' },
      { id: 8, event: { category: 'b' }, h: 'y' },
    ];
    const q = 'sequence by h with maxspan=1400ms [a where true] [b where true]';
    expect(ids(run(docs, q))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ids(run([...docs].reverse(), q))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ids(run(docs, 'sequence by h with maxspan=1300ms [a where true] [b where true]'))).toEqual([1, 2, 3, 4]);
  });

  it('reads timestamps through a mapped date format', () => {
    const mappings = { properties: { '@timestamp': { type: 'date', format: 'epoch_second' } } };
    const docs = [
      { id: 1, '@timestamp': '100', event: { category: 'a' } },
      { id: 2, '@timestamp': '101', event: { category: 'b' } },
      { id: 3, '@timestamp': '200', event: { category: 'a' } },
      { id: 4, '@timestamp': '203', event: { category: 'b' } },
    ];
    expect(ids(run(docs, 'sequence with maxspan=2s [a where true] [b where true]', {}, mappings))).toEqual([1, 2]);
  });

  it('tests every term of sequences of two, three and more terms on each document, in every way documents arrive', async () => {
    const docs = events([
      { id: 1, ts: 1, cat: 'a', h: 'x' },
      { id: 2, ts: 2, cat: 'a', h: 'y' },
      { id: 3, ts: 3, cat: 'b', h: 'x' },
      { id: 4, ts: 4, cat: 'c', h: 'x' },
      { id: 5, ts: 5, cat: 'b', h: 'y' },
      { id: 6, ts: 6, cat: 'd', h: 'x' },
      { id: 7, ts: 7, cat: 'c', h: 'y' },
      { id: 8, ts: 8, cat: 'd', h: 'y' },
    ]);
    const cases: [string, number[]][] = [
      ['sequence by h [a where true] [b where true]', [1, 3, 2, 5]],
      ['sequence by h [a where true] [b where true] [c where true]', [1, 3, 4, 2, 5, 7]],
      ['sequence by h [a where true] [b where true] [c where true] [d where true]', [1, 3, 4, 6, 2, 5, 7, 8]],
      // every document matches every term here, so each also carries the partial matches it started before
      ['sequence by h [any where true] with runs=3', [1, 3, 4, 3, 4, 6, 2, 5, 7, 5, 7, 8]],
      ['sequence by h [any where true] with runs=5', []],
    ];
    async function* generate(): AsyncGenerator<object> {
      for (const d of docs) yield d;
    }
    for (const [q, expected] of cases) {
      expect(ids(run(docs, q))).toEqual(expected);
      expect(ids(search(docs.values(), { query: q, size: 100 }))).toEqual(expected);
      expect(ids(search(docs.values(), { query: q, size: 100 }, { ordered: true }))).toEqual(expected);
      expect(ids(run([...docs].reverse(), q))).toEqual(expected);
      expect(ids(await search(generate(), { query: q, size: 100 }))).toEqual(expected);
    }
  });

  it('renders date join keys as ISO text', () => {
    const mappings = { properties: { d: { type: 'date' } } };
    const docs = events([
      { id: 1, ts: 1, cat: 'a', d: '1970-01-02T00:00:00Z' },
      { id: 2, ts: 2, cat: 'b', d: 86_400_000 },
    ]);
    expect(run(docs, 'sequence by d [a where true] [b where true]', {}, mappings).sequences?.[0].join_keys).toEqual(['1970-01-02T00:00:00.000Z']);
  });

  it('applies head, tail and size to whole sequences', () => {
    const q = 'sequence [process where true] [any where true]';
    expect(ids(run(procs, `${q} | head 1`))).toEqual([1, 2]);
    expect(ids(run(procs, `${q} | tail 1`))).toEqual([4, 5]);
    expect(ids(run(procs, q, { size: 1, result_position: 'head' }))).toEqual([1, 2]);
  });
});

describe('samples', () => {
  const docs = [
    { id: 1, event: { category: 'a' }, host: 'h2', os: 'linux' },
    { id: 2, event: { category: 'b' }, host: 'h2', os: 'linux' },
    { id: 3, event: { category: 'a' }, host: 'h1', os: 'win' },
    { id: 4, event: { category: 'b' }, host: 'h1', os: 'win' },
    { id: 5, event: { category: 'a' }, host: 'h1', os: 'win' },
    { id: 6, event: { category: 'b' }, host: 'h3' },
  ];

  it('finds one event per term sharing the keys, ordered by key, needing no timestamp', () => {
    const hits = run(docs, 'sample by host [a where true] [b where true]');
    expect(ids(hits)).toEqual([3, 4, 1, 2]);
    expect(hits.sequences?.map((s) => s.join_keys)).toEqual([['h1'], ['h2']]);
  });

  it('returns up to max_samples_per_key samples per key, never one event twice in a sample', () => {
    expect(ids(run(docs, 'sample by host [a where true] [b where true]', { max_samples_per_key: 2 }))).toEqual([3, 4, 5, 4, 1, 2]);
    expect(ids(run(docs, 'sample by host [any where true] [any where true]'))).toEqual([3, 4, 1, 2]);
  });

  it('lets optional keys be null and sorts nulls first', () => {
    const hits = run(docs, 'sample by ?os [b where true] [b where true]', { max_samples_per_key: 1 });
    expect(hits.sequences?.map((s) => s.join_keys)).toEqual([]);
    const withNull = [...docs, { id: 7, event: { category: 'a' }, host: 'h4' }];
    expect(run(withNull, 'sample by ?os [a where true] [b where true]').sequences?.map((s) => s.join_keys)).toEqual([[null], ['linux'], ['win']]);
    // a key that is not optional never joins on null
    expect(run(withNull, 'sample by os [a where true] [b where true]').sequences?.map((s) => s.join_keys)).toEqual([['linux'], ['win']]);
  });

  it('always counts size from the first key', () => {
    expect(ids(run(docs, 'sample by host [a where true] [b where true]', { size: 1, result_position: 'tail' }))).toEqual([3, 4]);
  });
});

describe('streams', () => {
  function* stream(n: number): Generator<object> {
    for (let i = 0; i < n; i++) yield { id: i, '@timestamp': i * 100, event: { category: i % 2 === 0 ? 'a' : 'b' }, host: `h${Math.floor(i / 2) % 5}` };
  }

  it('runs sequences over ordered streams, keeping only live partial matches', () => {
    const hits = search(stream(20_000), { query: 'sequence by host with maxspan=1s [a where true] [b where true]', size: 3, result_position: 'head' }, { ordered: true });
    expect(hits.sequences?.map((s) => s.events.map((e) => e._source.id))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('rejects out-of-order input when it was promised ordered', () => {
    const docs = [...stream(3)].reverse();
    expect(() => search(docs.values(), { query: 'sequence [a where true] [b where true]' }, { ordered: true })).toThrow(/out of timestamp order/);
  });
});
