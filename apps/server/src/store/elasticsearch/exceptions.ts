import type { estypes } from '@elastic/elasticsearch';
import type { Doc, ExceptionStore } from '../ports';
import { ndjsonHeaders } from './client';
import type { EsContext } from './context';
import { deleteDoc, getDoc, putDoc, searchDocs } from './documents';
import { escapeWildcard } from './alert-filter';
import { withRetry } from './retry';

type Query = estypes.QueryDslQueryContainer;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The key fields of a Kibana list or item document (what lookups, filters and sorting use). */
function keysOf(doc: Doc): Record<string, unknown> {
  const createdAt = str(doc.created_at);
  return {
    id: str(doc.id),
    list_id: str(doc.list_id),
    ...(str(doc.item_id) !== undefined ? { item_id: str(doc.item_id) } : {}),
    name: str(doc.name),
    description: str(doc.description),
    tags: Array.isArray(doc.tags) ? doc.tags.filter((t) => typeof t === 'string') : [],
    ...(createdAt !== undefined && !Number.isNaN(Date.parse(createdAt)) ? { created_at: createdAt } : {}),
  };
}

function requireId(doc: Doc, what: string): string {
  const id = str(doc.id);
  if (!id) throw new Error(`${what} has no id`);
  return id;
}

const byOldest: estypes.SortCombinations[] = [{ created_at: { order: 'asc', missing: '_last' } }, { id: { order: 'asc' } }];

/** Free text of `_find`'s filter: words of the name or description, or a substring of name, item_id or tags. */
function filterQuery(text: string): Query {
  const pattern = `*${escapeWildcard(text.replace(/\*/g, ''))}*`;
  return {
    bool: {
      minimum_should_match: 1,
      should: [
        { multi_match: { query: text, fields: ['name', 'description'], type: 'phrase_prefix' } },
        { wildcard: { 'name.raw': { value: pattern, case_insensitive: true } } },
        { wildcard: { item_id: { value: pattern, case_insensitive: true } } },
        { wildcard: { tags: { value: pattern, case_insensitive: true } } },
      ],
    },
  };
}

const HIT_SCRIPT = `
Map b = ctx._source.body;
b.hits = b.hits + params.n;
if (b.last_hit_at == null || b.last_hit_at < params.at) { b.last_hit_at = params.at; ctx._source.last_hit_at = params.at_iso; }
ctx._source.hits = b.hits;
`;

/** Kibana exception lists and items (stored verbatim) plus per-item hit statistics. */
export function createExceptionStore(ctx: EsContext): ExceptionStore {
  const index = ctx.names.exceptions;

  async function findOne(type: 'list' | 'item', field: string, value: string): Promise<Doc | null> {
    const res = await searchDocs<Doc>(ctx, index, type, { filter: [{ term: { [field]: value } }], size: 1 });
    return res.records[0] ?? null;
  }

  return {
    async getList(by) {
      if (by.id) return getDoc<Doc>(ctx, index, `list:${by.id}`);
      if (by.list_id) return findOne('list', 'list_id', by.list_id);
      return null;
    },
    async findLists(opts) {
      const res = await searchDocs<Doc>(ctx, index, 'list', { sort: byOldest, from: (opts.page - 1) * opts.perPage, size: opts.perPage });
      return { total: res.total, data: res.records };
    },
    putList: (list) => putDoc(ctx, index, `list:${requireId(list, 'exception list')}`, { type: 'list', keys: keysOf(list), body: list }),
    async deleteList(id) {
      const list = await getDoc<Doc>(ctx, index, `list:${id}`);
      await deleteDoc(ctx, index, `list:${id}`);
      const listId = list ? str(list.list_id) : undefined;
      if (listId === undefined) return;
      // As Kibana does, deleting a list deletes its items.
      await withRetry(
        'delete exception items',
        () => ctx.client.deleteByQuery({ index, query: { bool: { filter: [{ term: { type: 'item' } }, { term: { list_id: listId } }] } }, conflicts: 'proceed', refresh: true }),
        ctx.retry,
        ctx.log,
      );
    },
    async getItem(by) {
      if (by.id) return getDoc<Doc>(ctx, index, `item:${by.id}`);
      if (by.item_id) return findOne('item', 'item_id', by.item_id);
      return null;
    },
    async findItems(listIds, opts) {
      if (listIds.length === 0) return { total: 0, data: [] };
      const filter: Query[] = [{ terms: { list_id: listIds } }];
      const text = opts.filter?.trim();
      if (text) filter.push(filterQuery(text));
      const res = await searchDocs<Doc>(ctx, index, 'item', { filter, sort: byOldest, from: (opts.page - 1) * opts.perPage, size: opts.perPage });
      return { total: res.total, data: res.records };
    },
    putItem: (item) => putDoc(ctx, index, `item:${requireId(item, 'exception item')}`, { type: 'item', keys: keysOf(item), body: item }),
    deleteItem: (id) => deleteDoc(ctx, index, `item:${id}`),
    async recordHits(hits, at) {
      const entries = Object.entries(hits).filter(([, n]) => n > 0);
      if (entries.length === 0) return;
      const atIso = new Date(at).toISOString();
      const operations = entries.flatMap(([id, n]) => [
        { update: { _index: index, _id: `hits:${id}`, retry_on_conflict: 10 } },
        {
          script: { source: HIT_SCRIPT, lang: 'painless', params: { n, at, at_iso: atIso } },
          upsert: { type: 'hits', id, hits: n, last_hit_at: atIso, body: { hits: n, last_hit_at: at } },
        },
      ]);
      const res = await withRetry('record exception hits', () => ctx.client.bulk({ operations, refresh: true }, { headers: ndjsonHeaders(ctx.compatibility) }), ctx.retry, ctx.log);
      if (res.errors) {
        const failed = res.items.filter((i) => i.update?.error).map((i) => i.update?._id);
        ctx.log.warn('some exception hit counts were not recorded', { items: failed.slice(0, 10) });
      }
    },
    async hitStats(itemIds) {
      const out: Record<string, { hits: number; last_hit_at: number | null }> = {};
      if (itemIds.length === 0) return out;
      const res = await withRetry('read exception hits', () => ctx.client.mget<{ body?: { hits: number; last_hit_at: number | null } }>({ index, ids: itemIds.map((id) => `hits:${id}`) }), ctx.retry, ctx.log);
      itemIds.forEach((id, i) => {
        const d = res.docs[i];
        const body = d && 'found' in d && d.found ? d._source?.body : undefined;
        out[id] = { hits: body?.hits ?? 0, last_hit_at: body?.last_hit_at ?? null };
      });
      return out;
    },
  };
}
