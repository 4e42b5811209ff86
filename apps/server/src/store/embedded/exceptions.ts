import type { Doc, ExceptionStore } from '../ports';
import type { Db } from './db';

const parse = (text: string): Doc => JSON.parse(text) as Doc; // rows hold JSON objects this module wrote
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function required(doc: Doc, key: string): string {
  const v = str(doc[key]);
  if (v === null || v === '') throw new TypeError(`exception ${key} is required`);
  return v;
}

/** Kibana exception lists and items, stored as their JSON shapes, plus per-item hit counters. */
export function createExceptionStore(db: Db): ExceptionStore {
  const putList = db.prepare('INSERT INTO exception_lists (id, list_id, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET list_id = excluded.list_id, doc = excluded.doc');
  const putItem = db.prepare(
    'INSERT INTO exception_items (id, item_id, list_id, created_at, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id, list_id = excluded.list_id, created_at = excluded.created_at, doc = excluded.doc',
  );
  const addHits = db.prepare(
    'INSERT INTO exception_hits (item_id, hits, last_hit_at) VALUES (?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET hits = hits + excluded.hits, last_hit_at = max(coalesce(last_hit_at, 0), excluded.last_hit_at)',
  );
  return {
    async getList(by) {
      const row = by.id !== undefined
        ? db.prepare<[string], { doc: string }>('SELECT doc FROM exception_lists WHERE id = ?').get(by.id)
        : by.list_id !== undefined
          ? db.prepare<[string], { doc: string }>('SELECT doc FROM exception_lists WHERE list_id = ?').get(by.list_id)
          : undefined;
      return row ? parse(row.doc) : null;
    },
    async findLists({ page, perPage }) {
      const total = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM exception_lists').get()?.n ?? 0;
      const rows = db.prepare<[number, number], { doc: string }>('SELECT doc FROM exception_lists ORDER BY list_id LIMIT ? OFFSET ?').all(perPage, Math.max(page - 1, 0) * perPage);
      return { total, data: rows.map((r) => parse(r.doc)) };
    },
    async putList(list) {
      const id = required(list, 'id');
      const listId = required(list, 'list_id');
      db.transaction(() => {
        // list_id is unique: a list re-created under a new id replaces the old one.
        db.prepare('DELETE FROM exception_lists WHERE list_id = ? AND id <> ?').run(listId, id);
        putList.run(id, listId, JSON.stringify(list));
      })();
    },
    async deleteList(id) {
      db.transaction(() => {
        const row = db.prepare<[string], { list_id: string }>('SELECT list_id FROM exception_lists WHERE id = ?').get(id);
        if (!row) return;
        db.prepare('DELETE FROM exception_hits WHERE item_id IN (SELECT id FROM exception_items WHERE list_id = ?)').run(row.list_id);
        db.prepare('DELETE FROM exception_items WHERE list_id = ?').run(row.list_id);
        db.prepare('DELETE FROM exception_lists WHERE id = ?').run(id);
      })();
    },
    async getItem(by) {
      const row = by.id !== undefined
        ? db.prepare<[string], { doc: string }>('SELECT doc FROM exception_items WHERE id = ?').get(by.id)
        : by.item_id !== undefined
          ? db.prepare<[string], { doc: string }>('SELECT doc FROM exception_items WHERE item_id = ?').get(by.item_id)
          : undefined;
      return row ? parse(row.doc) : null;
    },
    async findItems(listIds, { page, perPage, filter }) {
      if (listIds.length === 0) return { total: 0, data: [] };
      const conds = [`list_id IN (${listIds.map(() => '?').join(',')})`];
      const params: (string | number)[] = [...listIds];
      if (filter !== undefined && filter.trim() !== '') {
        // A plain case-insensitive text search over the item's JSON (name, description, entries, tags).
        conds.push(`lower(doc) LIKE ? ESCAPE '\\'`);
        params.push(`%${filter.trim().toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
      }
      const where = conds.join(' AND ');
      const total = db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM exception_items WHERE ${where}`).get(...params)?.n ?? 0;
      const rows = db
        .prepare<unknown[], { doc: string }>(`SELECT doc FROM exception_items WHERE ${where} ORDER BY created_at, id LIMIT ? OFFSET ?`)
        .all(...params, perPage, Math.max(page - 1, 0) * perPage);
      return { total, data: rows.map((r) => parse(r.doc)) };
    },
    async putItem(item) {
      const id = required(item, 'id');
      const itemId = required(item, 'item_id');
      const listId = required(item, 'list_id');
      db.transaction(() => {
        db.prepare('DELETE FROM exception_items WHERE item_id = ? AND id <> ?').run(itemId, id);
        putItem.run(id, itemId, listId, str(item.created_at), JSON.stringify(item));
      })();
    },
    async deleteItem(id) {
      db.transaction(() => {
        db.prepare('DELETE FROM exception_items WHERE id = ?').run(id);
        db.prepare('DELETE FROM exception_hits WHERE item_id = ?').run(id);
      })();
    },
    async recordHits(hits, at) {
      db.transaction(() => {
        for (const [itemId, n] of Object.entries(hits)) if (n > 0) addHits.run(itemId, n, at);
      })();
    },
    async hitStats(itemIds) {
      const out: Record<string, { hits: number; last_hit_at: number | null }> = {};
      for (const id of itemIds) out[id] = { hits: 0, last_hit_at: null };
      for (let i = 0; i < itemIds.length; i += 500) {
        const chunk = itemIds.slice(i, i + 500);
        const rows = db
          .prepare<string[], { item_id: string; hits: number; last_hit_at: number | null }>(
            `SELECT item_id, hits, last_hit_at FROM exception_hits WHERE item_id IN (${chunk.map(() => '?').join(',')})`,
          )
          .all(...chunk);
        for (const r of rows) out[r.item_id] = { hits: r.hits, last_hit_at: r.last_hit_at };
      }
      return out;
    },
  };
}
