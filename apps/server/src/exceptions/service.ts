/**
 * Exception lists and items (Kibana's model) over `Store.exceptions`, with Execwatch's governance:
 * a justification (the first comment) on every new item, an owner (`meta.owner`, the creating user
 * unless given), append-only comments, optional mandatory expiry, hit counts and stale-item review.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  exceptionListItemSchema,
  exceptionListSchema,
  exceptionSettingsSchema,
  type CreateExceptionList,
  type CreateExceptionListItem,
  type ExceptionComment,
  type ExceptionItemStats,
  type ExceptionList,
  type ExceptionListItem,
  type ExceptionSettings,
  type UpdateExceptionList,
  type UpdateExceptionListItem,
} from '@execwatch/api';
import { ECS_FIELD_TYPES, isExpired, validateExceptionItem, type ValidationIssue } from '@execwatch/exceptions';
import { badRequest, conflict, HttpError, notFound } from '../http/errors';
import type { ExceptionItemForMatching, Store } from '../store/ports';

export const STALE_AFTER_DAYS = 30;
const DAY_MS = 86_400_000;
export const EXCEPTION_SETTINGS_KEY = 'exceptions.settings';
const PAGE = 1000;

/** Who acts and when (epoch ms). */
export interface Actor {
  user: string;
  now: number;
}

/** An Execwatch item also usable by the matcher (os_types travel along). */
export type ActiveExceptionItem = ExceptionItemForMatching & { os_types: string[] };

// ---------------------------------------------------------------- helpers

const iso = (ms: number) => new Date(ms).toISOString();

/** Kibana's `_version` is an opaque string; ours encodes a counter the same way (base64 of `[n,1]`). */
export function encodeVersion(n: number): string {
  return Buffer.from(JSON.stringify([n, 1])).toString('base64');
}
function decodeVersion(v: unknown): number {
  if (typeof v !== 'string') return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(v, 'base64').toString('utf8'));
    return Array.isArray(parsed) && typeof parsed[0] === 'number' ? parsed[0] : 0;
  } catch {
    return 0;
  }
}

function storedList(doc: Record<string, unknown>): ExceptionList {
  const r = exceptionListSchema.safeParse(doc);
  if (!r.success) throw new HttpError(500, 'internal_error', `stored exception list ${String(doc.list_id)} is malformed`);
  return r.data;
}

function storedItem(doc: Record<string, unknown>): ExceptionListItem {
  const r = exceptionListItemSchema.safeParse(doc);
  if (!r.success) throw new HttpError(500, 'internal_error', `stored exception item ${String(doc.item_id)} is malformed`);
  return r.data;
}

function throwIfInvalid(errors: ValidationIssue[]): void {
  if (errors.length === 0) return;
  const [first] = errors;
  throw badRequest(`${first.path ? `${first.path}: ` : ''}${first.message}`, errors);
}

/**
 * Fields an exception entry can name without a warning: the ECS fields of the rule's events, and what attribution
 * writes on an alert (matched against alerts: see features/attribution/identity-exceptions.ts).
 */
export const KNOWN_EVENT_FIELDS: ReadonlySet<string> = new Set([
  ...Object.keys(ECS_FIELD_TYPES),
  ...['user.username', 'user.groups', 'impersonatedUser.username', 'impersonatedUser.groups', 'sourceIPs', 'userAgent', 'auditID', 'verb']
    .map((f) => `kubernetes.audit.${f}`),
  'kubernetes.audit.objectRef.namespace',
  'kubernetes.audit.objectRef.name',
  'kubernetes.audit.annotations.authorization_k8s_io/decision',
  'execwatch.attribution.match',
  'execwatch.session.risk_score',
  'execwatch.session.risk_level',
]);

/** Validates entries and expiry of an item body; throws a 400 on errors, returns warnings. */
export function checkItem(body: unknown, now: number, knownFields: ReadonlySet<string> = KNOWN_EVENT_FIELDS): string[] {
  const { errors, warnings } = validateExceptionItem(body, { now, knownFields });
  throwIfInvalid(errors);
  return warnings.map((w) => `${w.path}: ${w.message}`);
}

// ---------------------------------------------------------------- settings

export async function getExceptionSettings(store: Store): Promise<ExceptionSettings> {
  const raw = await store.settings.get<unknown>(EXCEPTION_SETTINGS_KEY);
  const r = exceptionSettingsSchema.safeParse(raw ?? {});
  return r.success ? r.data : exceptionSettingsSchema.parse({});
}

export async function setExceptionSettings(store: Store, patch: Partial<ExceptionSettings>): Promise<ExceptionSettings> {
  const next = exceptionSettingsSchema.parse({ ...(await getExceptionSettings(store)), ...patch });
  await store.settings.set(EXCEPTION_SETTINGS_KEY, next);
  return next;
}

// ---------------------------------------------------------------- lists

export async function getList(store: Store, by: { id?: string; list_id?: string }): Promise<ExceptionList | null> {
  if (by.id === undefined && by.list_id === undefined) throw badRequest('give id or list_id');
  const doc = await store.exceptions.getList(by);
  return doc ? storedList(doc) : null;
}

async function requireList(store: Store, by: { id?: string; list_id?: string }): Promise<ExceptionList> {
  const list = await getList(store, by);
  if (!list) throw notFound(by.id !== undefined ? `exception list id: "${by.id}"` : `exception list list_id: "${by.list_id}"`);
  return list;
}

export async function createList(store: Store, body: CreateExceptionList, actor: Actor): Promise<ExceptionList> {
  const listId = body.list_id ?? randomUUID();
  if (await store.exceptions.getList({ list_id: listId })) throw conflict(`exception list id: "${listId}" already exists`);
  const list: ExceptionList = {
    _version: encodeVersion(1),
    created_at: iso(actor.now),
    created_by: actor.user,
    description: body.description,
    id: randomUUID(),
    immutable: false,
    list_id: listId,
    ...(body.meta ? { meta: body.meta } : {}),
    name: body.name,
    namespace_type: body.namespace_type,
    os_types: body.os_types,
    tags: body.tags,
    tie_breaker_id: randomUUID(),
    type: body.type,
    updated_at: iso(actor.now),
    updated_by: actor.user,
    version: body.version,
  };
  await store.exceptions.putList(list);
  return list;
}

export async function updateList(store: Store, body: UpdateExceptionList, actor: Actor): Promise<{ before: ExceptionList; after: ExceptionList }> {
  const before = await requireList(store, body.id !== undefined ? { id: body.id } : { list_id: body.list_id });
  if (body._version !== undefined && before._version !== undefined && body._version !== before._version) {
    throw conflict(`exception list list_id: "${before.list_id}" was changed meanwhile (_version ${body._version} is not ${before._version})`);
  }
  const after: ExceptionList = {
    ...before,
    _version: encodeVersion(decodeVersion(before._version) + 1),
    description: body.description,
    name: body.name,
    type: body.type,
    ...(body.meta !== undefined ? { meta: body.meta } : {}),
    os_types: body.os_types ?? before.os_types,
    tags: body.tags ?? before.tags,
    version: body.version ?? before.version + 1,
    updated_at: iso(actor.now),
    updated_by: actor.user,
  };
  await store.exceptions.putList(after);
  return { before, after };
}

export async function deleteList(store: Store, by: { id?: string; list_id?: string }): Promise<ExceptionList> {
  const list = await requireList(store, by);
  if (list.immutable) throw badRequest(`exception list list_id: "${list.list_id}" is immutable`);
  const items = await allItems(store, [list.list_id]);
  for (const item of items) await store.exceptions.deleteItem(item.id);
  await store.exceptions.deleteList(list.id);
  return list;
}

export async function findLists(store: Store, page: number, perPage: number) {
  const { total, data } = await store.exceptions.findLists({ page, perPage });
  return { data: data.map(storedList), page, per_page: perPage, total };
}

/**
 * The rule's `rule_default` list, created on first use with a deterministic id and list_id so
 * every server instance agrees on it.
 */
export async function ensureRuleDefaultList(
  store: Store,
  rule: { rule_id: string; name: string },
): Promise<{ id: string; list_id: string; namespace_type: 'single'; type: 'rule_default' }> {
  const listId = `rule_default-${rule.rule_id}`;
  const existing = await store.exceptions.getList({ list_id: listId });
  if (existing) {
    const list = storedList(existing);
    return { id: list.id, list_id: list.list_id, namespace_type: 'single', type: 'rule_default' };
  }
  const now = Date.now();
  const list: ExceptionList = {
    _version: encodeVersion(1),
    created_at: iso(now),
    created_by: 'system',
    description: `Exception list containing exceptions for rule with id: ${rule.rule_id}`,
    id: deterministicUuid(`rule_default:${rule.rule_id}`),
    immutable: false,
    list_id: listId,
    name: `Exceptions for rule - ${rule.name}`,
    namespace_type: 'single',
    os_types: [],
    tags: [],
    tie_breaker_id: deterministicUuid(`rule_default_tie:${rule.rule_id}`),
    type: 'rule_default',
    updated_at: iso(now),
    updated_by: 'system',
    version: 1,
  };
  await store.exceptions.putList(list);
  return { id: list.id, list_id: list.list_id, namespace_type: 'single', type: 'rule_default' };
}

function deterministicUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------- items

export async function getItem(store: Store, by: { id?: string; item_id?: string }): Promise<ExceptionListItem | null> {
  if (by.id === undefined && by.item_id === undefined) throw badRequest('give id or item_id');
  const doc = await store.exceptions.getItem(by);
  return doc ? storedItem(doc) : null;
}

async function requireItem(store: Store, by: { id?: string; item_id?: string }): Promise<ExceptionListItem> {
  const item = await getItem(store, by);
  if (!item) throw notFound(by.id !== undefined ? `exception list item id: "${by.id}"` : `exception list item item_id: "${by.item_id}"`);
  return item;
}

/** Every item of the lists (all pages). */
export async function allItems(store: Store, listIds: string[]): Promise<ExceptionListItem[]> {
  const out: ExceptionListItem[] = [];
  for (let page = 1; ; page++) {
    const { total, data } = await store.exceptions.findItems(listIds, { page, perPage: PAGE });
    out.push(...data.map(storedItem));
    if (data.length < PAGE || out.length >= total) return out;
  }
}

export async function findItems(store: Store, listIds: string[], page: number, perPage: number, filter?: string) {
  for (const listId of listIds) await requireList(store, { list_id: listId });
  const { total, data } = await store.exceptions.findItems(listIds, { page, perPage, filter });
  return { data: data.map(storedItem), page, per_page: perPage, total };
}

const ownerOf = (item: { meta?: Record<string, unknown> }): string | null => (typeof item.meta?.owner === 'string' && item.meta.owner !== '' ? item.meta.owner : null);

/** Creates an item; marks one without a justification (first comment), refused when the admin says so, as a missing expiry is. */
export async function createItem(store: Store, body: CreateExceptionListItem, actor: Actor, knownFields?: ReadonlySet<string>): Promise<{ item: ExceptionListItem; warnings: string[] }> {
  const warnings = checkItem(body, actor.now, knownFields);
  const settings = await getExceptionSettings(store);
  if (body.comments.length === 0) {
    // Scripts written for Kibana create items without comments: taken and marked, as imports are, unless the admin says no.
    if (settings.justification_mandatory) throw badRequest('comments: a justification (the first comment) is required on every new exception item (admin setting)');
    warnings.push('comments: no justification given; the item is marked as missing one until a comment is added');
  }
  if (settings.expiry_mandatory && body.expire_time === undefined) throw badRequest('expire_time: an expiry is required (admin setting)');
  await requireList(store, { list_id: body.list_id });
  const itemId = body.item_id ?? randomUUID();
  if (await store.exceptions.getItem({ item_id: itemId })) throw conflict(`exception list item id: "${itemId}" already exists`);
  const at = iso(actor.now);
  const item: ExceptionListItem = {
    _version: encodeVersion(1),
    comments: body.comments.map((c) => ({ comment: c.comment, created_at: at, created_by: actor.user, id: randomUUID() })),
    created_at: at,
    created_by: actor.user,
    description: body.description,
    entries: body.entries,
    ...(body.expire_time !== undefined ? { expire_time: new Date(body.expire_time).toISOString() } : {}),
    id: randomUUID(),
    item_id: itemId,
    list_id: body.list_id,
    meta: { ...(body.meta ?? {}), owner: ownerOf(body) ?? actor.user },
    name: body.name,
    namespace_type: body.namespace_type,
    os_types: body.os_types,
    tags: body.tags,
    tie_breaker_id: randomUUID(),
    type: 'simple',
    updated_at: at,
    updated_by: actor.user,
  };
  await store.exceptions.putItem(item);
  return { item, warnings };
}

/** Comments are append-only: existing ones must come back unchanged, new ones (without id) are added. */
function mergeComments(existing: ExceptionComment[], incoming: UpdateExceptionListItem['comments'], actor: Actor): ExceptionComment[] {
  if (incoming === undefined) return existing;
  const byId = new Map(existing.map((c) => [c.id, c]));
  const kept = new Set<string>();
  const added: ExceptionComment[] = [];
  for (const c of incoming) {
    if (c.id === undefined) {
      added.push({ comment: c.comment, created_at: iso(actor.now), created_by: actor.user, id: randomUUID() });
      continue;
    }
    const old = byId.get(c.id);
    if (!old) throw badRequest(`comments: comment id "${c.id}" does not exist on this item`);
    if (old.comment !== c.comment) throw badRequest(`comments: comments are append-only; comment "${c.id}" cannot be edited`);
    kept.add(c.id);
  }
  const removed = existing.filter((c) => !kept.has(c.id));
  if (removed.length > 0) throw badRequest(`comments: comments are append-only; comment "${removed[0].id}" cannot be removed`);
  return [...existing, ...added];
}

export async function updateItem(store: Store, body: UpdateExceptionListItem, actor: Actor, knownFields?: ReadonlySet<string>): Promise<{ before: ExceptionListItem; after: ExceptionListItem; warnings: string[] }> {
  const before = await requireItem(store, body.id !== undefined ? { id: body.id } : { item_id: body.item_id });
  if (body._version !== undefined && before._version !== undefined && body._version !== before._version) {
    throw conflict(`exception list item item_id: "${before.item_id}" was changed meanwhile (_version ${body._version} is not ${before._version})`);
  }
  const warnings = checkItem({ ...body, expire_time: body.expire_time ?? undefined }, actor.now, knownFields);
  const expireTime =
    body.expire_time === undefined ? before.expire_time : body.expire_time === null ? undefined : new Date(body.expire_time).toISOString();
  const settings = await getExceptionSettings(store);
  if (settings.expiry_mandatory && expireTime === undefined) throw badRequest('expire_time: an expiry is required (admin setting)');
  const meta = { ...(body.meta ?? before.meta ?? {}) };
  if (ownerOf({ meta }) === null && ownerOf(before) !== null) meta.owner = ownerOf(before);
  const { expire_time: _dropped, ...rest } = before;
  const after: ExceptionListItem = {
    ...rest,
    _version: encodeVersion(decodeVersion(before._version) + 1),
    comments: mergeComments(before.comments, body.comments, actor),
    description: body.description,
    entries: body.entries,
    ...(expireTime !== undefined ? { expire_time: expireTime } : {}),
    meta,
    name: body.name,
    os_types: body.os_types ?? before.os_types,
    tags: body.tags ?? before.tags,
    updated_at: iso(actor.now),
    updated_by: actor.user,
  };
  await store.exceptions.putItem(after);
  return { before, after, warnings };
}

/** "Expire now": ends an item's effect at once, keeping it for the record. */
export async function expireItemNow(store: Store, by: { id?: string; item_id?: string }, actor: Actor): Promise<{ before: ExceptionListItem; after: ExceptionListItem }> {
  const before = await requireItem(store, by);
  const after: ExceptionListItem = {
    ...before,
    _version: encodeVersion(decodeVersion(before._version) + 1),
    expire_time: iso(actor.now),
    updated_at: iso(actor.now),
    updated_by: actor.user,
  };
  await store.exceptions.putItem(after);
  return { before, after };
}

export async function deleteItem(store: Store, by: { id?: string; item_id?: string }): Promise<ExceptionListItem> {
  const item = await requireItem(store, by);
  await store.exceptions.deleteItem(item.id);
  return item;
}

// ---------------------------------------------------------------- detection engine

/** Unexpired items of the lists at `now`, in the shape the event store matches with. */
export async function activeExceptionItems(store: Store, lists: { list_id: string }[], now: number): Promise<ActiveExceptionItem[]> {
  if (lists.length === 0) return [];
  const items = await allItems(store, [...new Set(lists.map((l) => l.list_id))]);
  return items
    .filter((i) => !isExpired(i.expire_time, now))
    .map((i) => ({ id: i.id, item_id: i.item_id, list_id: i.list_id, entries: i.entries, expire_time: i.expire_time ?? null, os_types: i.os_types }));
}

// ---------------------------------------------------------------- review

/** Governance fields an item lacks (imported Kibana items may have neither). */
export function missingGovernance(item: Pick<ExceptionListItem, 'comments' | 'meta'>): string[] {
  const missing: string[] = [];
  if (item.comments.length === 0) missing.push('justification');
  if (ownerOf(item) === null) missing.push('owner');
  return missing;
}

/** Hits, last match and review state of every item of the lists. */
export async function itemStats(store: Store, listIds: string[], now: number): Promise<ExceptionItemStats[]> {
  const items = await allItems(store, listIds);
  const hits = await store.exceptions.hitStats(items.map((i) => i.id));
  const staleBefore = now - STALE_AFTER_DAYS * DAY_MS;
  return items.map((item) => {
    const h = hits[item.id] ?? { hits: 0, last_hit_at: null };
    const lastUse = h.last_hit_at ?? Date.parse(item.created_at);
    const state: ExceptionItemStats['state'] = isExpired(item.expire_time, now) ? 'expired' : !Number.isNaN(lastUse) && lastUse < staleBefore ? 'stale' : 'active';
    return {
      id: item.id,
      item_id: item.item_id,
      list_id: item.list_id,
      name: item.name,
      hits: h.hits,
      last_hit_at: h.last_hit_at === null ? null : iso(h.last_hit_at),
      state,
      expire_time: item.expire_time ?? null,
      owner: ownerOf(item),
      missing_governance: missingGovernance(item),
    };
  });
}

/** List ids of every list (for review across all lists). */
export async function allListIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const { total, data } = await store.exceptions.findLists({ page, perPage: PAGE });
    ids.push(...data.map((d) => String(d.list_id)));
    if (data.length < PAGE || ids.length >= total) return ids;
  }
}
