import { describe, expect, it } from 'vitest';
import { createExceptionListItemSchema, updateExceptionListItemSchema, type CreateExceptionListItem } from '@execwatch/api';
import { HttpError } from '../http/errors';
import { createMemoryStore } from './testing/memory-store';
import * as service from './service';
import { exportList, importExceptions } from './import-export';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const admin = { user: 'admin', now: NOW };

const itemBody = (over: Record<string, unknown> = {}): CreateExceptionListItem =>
  createExceptionListItemSchema.parse({
    list_id: 'l1',
    name: 'SRE',
    description: 'sre account',
    type: 'simple',
    entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre' }],
    comments: [{ comment: 'SRE on-call debugging' }],
    ...over,
  });

async function withList() {
  const mem = createMemoryStore();
  await service.createList(mem.store, { list_id: 'l1', name: 'L1', description: '', type: 'detection', namespace_type: 'single', os_types: [], tags: [], version: 1 }, admin);
  return mem;
}

async function rejects(p: Promise<unknown>, status: number, message: RegExp) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(HttpError);
  expect((err as HttpError).status).toBe(status); // checked instanceof just above
  expect((err as HttpError).message).toMatch(message);
}

describe('exception lists', () => {
  it('creates, reads, updates and deletes lists (with their items)', async () => {
    const mem = await withList();
    await rejects(service.createList(mem.store, { list_id: 'l1', name: 'again', description: '', type: 'detection', namespace_type: 'single', os_types: [], tags: [], version: 1 }, admin), 409, /already exists/);
    const { after } = await service.updateList(mem.store, { list_id: 'l1', name: 'Renamed', description: 'd', type: 'detection', namespace_type: 'single' }, admin);
    expect(after.name).toBe('Renamed');
    expect(after.version).toBe(2);
    await service.createItem(mem.store, itemBody(), admin);
    expect((await service.findLists(mem.store, 1, 20)).total).toBe(1);
    await service.deleteList(mem.store, { list_id: 'l1' });
    expect(await service.getList(mem.store, { list_id: 'l1' })).toBeNull();
    expect(await service.getItem(mem.store, { item_id: (await mem.store.exceptions.findItems(['l1'], { page: 1, perPage: 10 })).data[0]?.item_id as string | undefined ?? 'none' })).toBeNull();
  });

  it('keeps one deterministic rule_default list per rule', async () => {
    const mem = createMemoryStore();
    const a = await service.ensureRuleDefaultList(mem.store, { rule_id: 'r-1', name: 'Rule' });
    const b = await service.ensureRuleDefaultList(mem.store, { rule_id: 'r-1', name: 'Rule' });
    expect(b).toEqual(a);
    expect(a).toMatchObject({ list_id: 'rule_default-r-1', type: 'rule_default', namespace_type: 'single' });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const other = createMemoryStore();
    expect((await service.ensureRuleDefaultList(other.store, { rule_id: 'r-1', name: 'Rule' })).id).toBe(a.id);
  });
});

describe('exception items and governance', () => {
  it('requires a justification and records the owner (creating user unless given)', async () => {
    const mem = await withList();
    // as Kibana takes it, marked as missing its justification, unless the admin makes one mandatory
    const bare = await service.createItem(mem.store, itemBody({ item_id: 'bare', comments: [] }), admin);
    expect(bare.warnings.join(' ')).toMatch(/no justification given/);
    expect(service.missingGovernance(bare.item)).toContain('justification');
    await service.setExceptionSettings(mem.store, { justification_mandatory: true });
    await rejects(service.createItem(mem.store, itemBody({ item_id: 'bare-2', comments: [] }), admin), 400, /justification \(the first comment\) is required/);
    await service.setExceptionSettings(mem.store, { justification_mandatory: false });
    const { item } = await service.createItem(mem.store, itemBody(), admin);
    expect(item.meta).toEqual({ owner: 'admin' });
    expect(item.comments).toEqual([{ comment: 'SRE on-call debugging', created_at: new Date(NOW).toISOString(), created_by: 'admin', id: item.comments[0].id }]);
    const { item: owned } = await service.createItem(mem.store, itemBody({ item_id: 'x2', meta: { owner: 'platform-team' } }), admin);
    expect(owned.meta?.owner).toBe('platform-team');
    await rejects(service.createItem(mem.store, itemBody({ item_id: 'x2' }), admin), 409, /already exists/);
    await rejects(service.createItem(mem.store, itemBody({ list_id: 'nope' }), admin), 404, /list_id: "nope"/);
  });

  it('rejects an expiry in the past and, when the admin says so, a missing expiry', async () => {
    const mem = await withList();
    await rejects(service.createItem(mem.store, itemBody({ expire_time: new Date(NOW - 1000).toISOString() }), admin), 400, /is in the past/);
    await service.setExceptionSettings(mem.store, { expiry_mandatory: true });
    await rejects(service.createItem(mem.store, itemBody(), admin), 400, /an expiry is required/);
    const { item } = await service.createItem(mem.store, itemBody({ expire_time: new Date(NOW + 90 * DAY).toISOString() }), admin);
    expect(item.expire_time).toBe(new Date(NOW + 90 * DAY).toISOString());
    expect((await service.getExceptionSettings(mem.store)).default_expiry_days).toBe(90);
  });

  it('keeps comments append-only and bumps _version, refusing stale versions', async () => {
    const mem = await withList();
    const { item } = await service.createItem(mem.store, itemBody({ item_id: 'a' }), admin);
    const base = { item_id: 'a', name: 'SRE', description: 'x', type: 'simple', entries: item.entries };
    const first = item.comments[0];
    await rejects(service.updateItem(mem.store, updateExceptionListItemSchema.parse({ ...base, comments: [] }), admin), 400, /cannot be removed/);
    await rejects(service.updateItem(mem.store, updateExceptionListItemSchema.parse({ ...base, comments: [{ id: first.id, comment: 'rewritten' }] }), admin), 400, /cannot be edited/);
    const { after } = await service.updateItem(
      mem.store,
      updateExceptionListItemSchema.parse({ ...base, _version: item._version, comments: [{ id: first.id, comment: first.comment }, { comment: 'still needed' }] }),
      { user: 'bob', now: NOW + 1000 },
    );
    expect(after.comments.map((c) => [c.comment, c.created_by])).toEqual([
      ['SRE on-call debugging', 'admin'],
      ['still needed', 'bob'],
    ]);
    expect(after.meta?.owner).toBe('admin');
    expect(after.updated_by).toBe('bob');
    expect(after._version).not.toBe(item._version);
    await rejects(service.updateItem(mem.store, updateExceptionListItemSchema.parse({ ...base, _version: item._version }), admin), 409, /changed meanwhile/);
  });

  it('expires an item now, after which the engine no longer gets it', async () => {
    const mem = await withList();
    const { item } = await service.createItem(mem.store, itemBody({ item_id: 'a' }), admin);
    expect((await service.activeExceptionItems(mem.store, [{ list_id: 'l1' }], NOW)).map((i) => i.item_id)).toEqual(['a']);
    await service.expireItemNow(mem.store, { id: item.id }, { user: 'admin', now: NOW + 10 });
    expect(await service.activeExceptionItems(mem.store, [{ list_id: 'l1' }], NOW + 11)).toEqual([]);
    expect((await service.itemStats(mem.store, ['l1'], NOW + 11))[0].state).toBe('expired');
  });

  it('hands the engine items with entries and os_types, and counts hits and staleness', async () => {
    const mem = await withList();
    const { item: a } = await service.createItem(mem.store, itemBody({ item_id: 'a', os_types: ['linux'] }), admin);
    const { item: b } = await service.createItem(mem.store, itemBody({ item_id: 'b' }), admin);
    const active = await service.activeExceptionItems(mem.store, [{ list_id: 'l1' }], NOW);
    expect(active[0]).toEqual({ id: a.id, item_id: 'a', list_id: 'l1', entries: a.entries, expire_time: null, os_types: ['linux'] });
    await mem.store.exceptions.recordHits({ [a.id]: 3 }, NOW + 40 * DAY);
    const stats = await service.itemStats(mem.store, ['l1'], NOW + 41 * DAY);
    expect(stats.find((s) => s.id === a.id)).toMatchObject({ hits: 3, state: 'active', last_hit_at: new Date(NOW + 40 * DAY).toISOString(), owner: 'admin', missing_governance: [] });
    expect(stats.find((s) => s.id === b.id)).toMatchObject({ hits: 0, state: 'stale', last_hit_at: null });
    expect((await service.itemStats(mem.store, ['l1'], NOW + 29 * DAY)).find((s) => s.id === b.id)?.state).toBe('active');
  });
});

describe('import and export', () => {
  const kibanaExport = [
    { list_id: 'k', name: 'Kibana list', description: 'from Kibana', type: 'detection', id: 'kid', namespace_type: 'single', os_types: [], tags: [], immutable: false, version: 1, created_at: '2024-01-01T00:00:00.000Z', created_by: 'elastic', updated_at: '2024-01-01T00:00:00.000Z', updated_by: 'elastic', tie_breaker_id: 't' },
    { item_id: 'k1', list_id: 'k', name: 'n', description: 'd', type: 'simple', id: 'k1id', comments: [], entries: [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'ci' }], namespace_type: 'single', os_types: [], tags: [], created_at: '2024-01-01T00:00:00.000Z', created_by: 'elastic', updated_at: '2024-01-01T00:00:00.000Z', updated_by: 'elastic', tie_breaker_id: 't1' },
    { exported_exception_list_count: 1, exported_exception_list_item_count: 1, missing_exception_list_item_count: 0, missing_exception_list_items: [], missing_exception_lists: [], missing_exception_lists_count: 0 },
  ].map((l) => JSON.stringify(l)).join('\n');

  it('imports a Kibana export as is, marking items that lack a justification and an owner', async () => {
    const mem = createMemoryStore();
    const r = await importExceptions(mem.store, kibanaExport, { overwrite: false, asNewList: false }, admin);
    expect(r).toMatchObject({ success: true, success_count: 2, success_count_exception_lists: 1, success_count_exception_list_items: 1 });
    const item = await service.getItem(mem.store, { item_id: 'k1' });
    expect(item).toMatchObject({ id: 'k1id', created_by: 'elastic', entries: [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'ci' }] });
    expect(item?.meta).toEqual({ execwatch: { missing_governance: ['justification', 'owner'], imported_at: new Date(NOW).toISOString(), imported_by: admin.user } });
    expect((await service.itemStats(mem.store, ['k'], NOW))[0].missing_governance).toEqual(['justification', 'owner']);
  });

  it('refuses to overwrite unless asked, overwrites when asked, and imports as a new list', async () => {
    const mem = createMemoryStore();
    await importExceptions(mem.store, kibanaExport, { overwrite: false, asNewList: false }, admin);
    const again = await importExceptions(mem.store, kibanaExport, { overwrite: false, asNewList: false }, admin);
    expect(again.success).toBe(false);
    expect(again.errors.map((e) => e.error.status_code)).toEqual([409, 409]);
    expect(again.errors[0].error.message).toBe('Found that list_id: "k" already exists. Import of list_id: "k" skipped.');
    const over = await importExceptions(mem.store, kibanaExport.replace('"value":"ci"', '"value":"cd"'), { overwrite: true, asNewList: false }, admin);
    expect(over.success).toBe(true);
    expect((await service.getItem(mem.store, { item_id: 'k1' }))?.entries[0]).toMatchObject({ value: 'cd' });
    const asNew = await importExceptions(mem.store, kibanaExport, { overwrite: false, asNewList: true }, admin);
    expect(asNew.success_count).toBe(2);
    expect((await service.findLists(mem.store, 1, 10)).total).toBe(2);
  });

  it('reports bad lines and items of unknown lists, importing the rest', async () => {
    const mem = createMemoryStore();
    const text = `${kibanaExport}\n{oops\n${JSON.stringify({ item_id: 'orphan', list_id: 'missing', name: 'n', description: '', type: 'simple', entries: [{ field: 'a', operator: 'included', type: 'exists' }] })}`;
    const r = await importExceptions(mem.store, text, { overwrite: false, asNewList: false }, admin);
    expect(r.success_count).toBe(2);
    expect(r.errors.map((e) => e.error.status_code)).toEqual([400, 404]);
    expect(r.errors[0].error.message).toMatch(/^line 4: not JSON/);
    expect(r.errors[1]).toMatchObject({ item_id: 'orphan', error: { message: 'exception list list_id: "missing" does not exist' } });
  });

  it('exports what it imported in Kibana format', async () => {
    const mem = createMemoryStore();
    await importExceptions(mem.store, kibanaExport, { overwrite: false, asNewList: false }, admin);
    const { ndjson } = await exportList(mem.store, { list_id: 'k' });
    const lines = ndjson.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ list_id: 'k', name: 'Kibana list', id: 'kid' });
    expect(lines[1]).toMatchObject({ item_id: 'k1', entries: [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'ci' }] });
    expect(lines[2]).toMatchObject({ exported_exception_list_count: 1, exported_exception_list_item_count: 1 });
  });
});
