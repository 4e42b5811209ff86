/** Kibana ndjson import and export of exception lists, with `overwrite` and `as_new_list`. */
import { randomUUID } from 'node:crypto';
import type { ExceptionList, ExceptionListItem, ImportExceptionsResponse } from '@execwatch/api';
import { exportExceptionsNdjson, parseExceptionsNdjson, type ImportedItem, type ImportedList } from '@execwatch/exceptions';
import { notFound } from '../http/errors';
import type { Store } from '../store/ports';
import { allItems, encodeVersion, getList, missingGovernance, type Actor } from './service';

export interface ImportOptions {
  overwrite: boolean;
  asNewList: boolean;
}

type ImportError = ImportExceptionsResponse['errors'][number];

const iso = (ms: number) => new Date(ms).toISOString();

/** Fills what Kibana's export may omit; keeps everything present as it is. */
function toList(l: ImportedList, actor: Actor, listId: string, fresh: boolean): ExceptionList {
  return {
    ...l,
    _version: !fresh && typeof l._version === 'string' ? l._version : encodeVersion(1),
    created_at: fresh ? iso(actor.now) : (l.created_at ?? iso(actor.now)),
    created_by: fresh ? actor.user : (l.created_by ?? actor.user),
    id: fresh ? randomUUID() : (l.id ?? randomUUID()),
    immutable: l.immutable ?? false,
    list_id: listId,
    tie_breaker_id: fresh ? randomUUID() : (l.tie_breaker_id ?? randomUUID()),
    updated_at: l.updated_at ?? iso(actor.now),
    updated_by: l.updated_by ?? actor.user,
    version: l.version ?? 1,
  };
}

/**
 * Imported items are kept as they are, with who imported them and when in `meta.execwatch.imported_{by,at}`; what
 * governance wants and they lack (justification, owner) is noted in `meta.execwatch.missing_governance` so the
 * exceptions page can flag them.
 */
function toItem(i: ImportedItem, actor: Actor, listId: string, fresh: boolean): ExceptionListItem {
  const at = iso(actor.now);
  const comments = i.comments.map((c) => ({ ...c, id: c.id ?? randomUUID(), created_at: c.created_at ?? at, created_by: c.created_by ?? actor.user }));
  const base = {
    ...i,
    _version: !fresh && typeof i._version === 'string' ? i._version : encodeVersion(1),
    comments,
    created_at: i.created_at ?? at,
    created_by: i.created_by ?? actor.user,
    id: fresh ? randomUUID() : (i.id ?? randomUUID()),
    list_id: listId,
    tie_breaker_id: i.tie_breaker_id ?? randomUUID(),
    updated_at: i.updated_at ?? at,
    updated_by: i.updated_by ?? actor.user,
  };
  const missing = missingGovernance(base);
  const execwatch = typeof base.meta?.execwatch === 'object' && base.meta.execwatch !== null ? base.meta.execwatch : {};
  // The authorship the file gives is kept (it is Kibana's record); who brought the item in is recorded beside it.
  return { ...base, meta: { ...(base.meta ?? {}), execwatch: { ...execwatch, ...(missing.length > 0 ? { missing_governance: missing } : {}), imported_at: at, imported_by: actor.user } } };
}

/** Imports a Kibana export. Bad lines and refused lists/items are reported; the rest is imported. */
export async function importExceptions(store: Store, text: string, opts: ImportOptions, actor: Actor): Promise<ImportExceptionsResponse> {
  const parsed = parseExceptionsNdjson(text);
  const errors: ImportError[] = parsed.errors.map((e) => ({ error: { status_code: 400, message: `line ${e.line}: ${e.message}` } }));
  let listsOk = 0;
  let itemsOk = 0;
  /** Source list_id -> list_id items go to (absent: the list was refused). */
  const target = new Map<string, string>();

  for (const l of parsed.lists) {
    const existing = await getList(store, { list_id: l.list_id });
    if (opts.asNewList) {
      const listId = randomUUID();
      await store.exceptions.putList(toList(l, actor, listId, true));
      target.set(l.list_id, listId);
      listsOk++;
      continue;
    }
    if (existing && !opts.overwrite) {
      errors.push({ list_id: l.list_id, error: { status_code: 409, message: `Found that list_id: "${l.list_id}" already exists. Import of list_id: "${l.list_id}" skipped.` } });
      continue;
    }
    if (existing) {
      for (const item of await allItems(store, [existing.list_id])) await store.exceptions.deleteItem(item.id);
      await store.exceptions.deleteList(existing.id);
    }
    await store.exceptions.putList(toList(l, actor, l.list_id, false));
    target.set(l.list_id, l.list_id);
    listsOk++;
  }

  for (const i of parsed.items) {
    let listId = target.get(i.list_id);
    if (listId === undefined) {
      if (parsed.lists.some((l) => l.list_id === i.list_id)) {
        errors.push({ list_id: i.list_id, item_id: i.item_id, error: { status_code: 409, message: `Import of item_id: "${i.item_id}" skipped: its list was not imported.` } });
        continue;
      }
      if (!(await getList(store, { list_id: i.list_id }))) {
        errors.push({ list_id: i.list_id, item_id: i.item_id, error: { status_code: 404, message: `exception list list_id: "${i.list_id}" does not exist` } });
        continue;
      }
      listId = i.list_id;
    }
    const fresh = opts.asNewList;
    const existing = fresh ? null : await store.exceptions.getItem({ item_id: i.item_id });
    if (existing && !opts.overwrite) {
      errors.push({ list_id: i.list_id, item_id: i.item_id, error: { status_code: 409, message: `Found that item_id: "${i.item_id}" already exists. Import of item_id: "${i.item_id}" skipped.` } });
      continue;
    }
    if (existing && typeof existing.id === 'string') await store.exceptions.deleteItem(existing.id);
    const item = toItem(fresh ? { ...i, item_id: randomUUID() } : i, actor, listId, fresh);
    await store.exceptions.putItem(item);
    itemsOk++;
  }

  const listErrors = errors.filter((e) => e.list_id !== undefined && e.item_id === undefined).length;
  const itemErrors = errors.length - listErrors;
  return {
    errors,
    success: errors.length === 0,
    success_count: listsOk + itemsOk,
    success_exception_lists: listErrors === 0,
    success_count_exception_lists: listsOk,
    success_exception_list_items: itemErrors === 0,
    success_count_exception_list_items: itemsOk,
  };
}

/** Kibana's export of one list: list line, its items, export details. */
export async function exportList(store: Store, by: { id?: string; list_id?: string }): Promise<{ list: ExceptionList; ndjson: string }> {
  const list = await getList(store, by);
  if (!list) throw notFound(`exception list list_id: "${by.list_id ?? by.id}"`);
  const items = await allItems(store, [list.list_id]);
  return { list, ndjson: exportExceptionsNdjson(list, items) };
}
