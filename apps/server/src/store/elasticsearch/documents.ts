import type { estypes } from '@elastic/elasticsearch';
import type { EsContext, Source } from './context';
import { isNotFound, withRetry } from './retry';

/**
 * State documents: `{ type, ...key fields, body }` where `body` is the record exactly as the port
 * gave it (not indexed) and the key fields are what queries filter and sort on.
 */
export interface StateDoc<T> {
  type: string;
  keys: Record<string, unknown>;
  body: T;
}

/** Writes a state document; visible to searches on return (state writes are few, reads expect them). */
export async function putDoc<T>(ctx: EsContext, index: string, id: string, doc: StateDoc<T>): Promise<void> {
  await withRetry('write document', () => ctx.client.index({ index, id, document: { type: doc.type, ...doc.keys, body: doc.body }, refresh: true }), ctx.retry, ctx.log);
}

/** The stored record of a state document, or null when absent. */
export async function getDoc<T>(ctx: EsContext, index: string, id: string): Promise<T | null> {
  try {
    const res = await withRetry('read document', () => ctx.client.get<{ body?: T }>({ index, id }), ctx.retry, ctx.log);
    return res.found && res._source?.body !== undefined ? res._source.body : null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** Deletes a state document; absent is fine. */
export async function deleteDoc(ctx: EsContext, index: string, id: string): Promise<void> {
  try {
    await withRetry('delete document', () => ctx.client.delete({ index, id, refresh: true }), ctx.retry, ctx.log);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Searches state documents of one type; returns the stored records and the exact total. */
export async function searchDocs<T>(
  ctx: EsContext,
  index: string,
  type: string,
  opts: { filter?: estypes.QueryDslQueryContainer[]; must?: estypes.QueryDslQueryContainer[]; sort?: estypes.SortCombinations[]; from?: number; size: number },
): Promise<{ total: number; records: T[] }> {
  const res = await withRetry(
    'search documents',
    () =>
      ctx.client.search<{ body?: T }>({
        index,
        query: { bool: { filter: [{ term: { type } }, ...(opts.filter ?? [])], must: opts.must ?? [] } },
        sort: opts.sort,
        from: opts.from ?? 0,
        size: opts.size,
        track_total_hits: true,
      }),
    ctx.retry,
    ctx.log,
  );
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  const records = res.hits.hits.flatMap((h) => (h._source?.body === undefined ? [] : [h._source.body]));
  return { total, records };
}

/** Counts state documents of one type matching filters. */
export async function countDocs(ctx: EsContext, index: string, type: string, filter: estypes.QueryDslQueryContainer[] = []): Promise<number> {
  const res = await withRetry('count documents', () => ctx.client.count({ index, query: { bool: { filter: [{ term: { type } }, ...filter] } } }), ctx.retry, ctx.log);
  return res.count;
}

/** Reads every record of a type (small sets: users, rule states), paging with search_after. */
export async function allDocs<T>(ctx: EsContext, index: string, type: string, sortField: string, filter: estypes.QueryDslQueryContainer[] = []): Promise<T[]> {
  const out: T[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const res = await withRetry(
      'read documents',
      () =>
        ctx.client.search<{ body?: T }>({
          index,
          query: { bool: { filter: [{ term: { type } }, ...filter] } },
          // Indices have one shard, so the field plus `_doc` is a total order for search_after.
          sort: [{ [sortField]: { order: 'asc' } }, '_doc'],
          size: 1_000,
          ...(after ? { search_after: after } : {}),
        }),
      ctx.retry,
      ctx.log,
    );
    const hits = res.hits.hits;
    for (const h of hits) if (h._source?.body !== undefined) out.push(h._source.body);
    const last = hits[hits.length - 1];
    if (hits.length < 1_000 || !last?.sort) return out;
    after = last.sort;
  }
}

export type { Source };
