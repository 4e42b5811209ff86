import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ability } from '@execwatch/api';
import { silentLogger } from '../log';
import { roleAbilities } from '../auth/policy';
import { forbidden, HttpError } from '../http/errors';
import type { AuditInput, RouteContext } from '../http/context';
import { createMemoryStore, type MemoryStore } from './testing/memory-store';
import { exceptionsRoutes } from './routes';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const RULE = { rule_id: 'r1', name: 'Interactive exec', index: ['logs-cloud_defend*'], query: 'process where true', timestamp_override: 'event.ingested' };

let server: Server;
let base: string;
let mem: MemoryStore;
const audits: AuditInput[] = [];

const alertDoc = (user: string, status: string) => ({
  user: { name: user },
  orchestrator: { namespace: 'prod' },
  kibana: { alert: { workflow_status: status, rule: { rule_id: 'r1' } } },
});

beforeAll(async () => {
  mem = createMemoryStore();
  mem.alerts.push(
    { id: 'a1', index: '.alerts', doc: alertDoc('sre', 'open') },
    { id: 'a2', index: '.alerts', doc: alertDoc('sre', 'closed') },
    { id: 'a3', index: '.alerts', doc: alertDoc('eve', 'open') },
  );
  for (let i = 0; i < 5; i++) mem.events.push({ _index: 'logs-cloud_defend.process-default', _id: `e${i}`, _source: { user: { name: i < 3 ? 'sre' : 'eve' } }, at: NOW - (i + 1) * 86_400_000 });
  mem.events.push({ _index: 'logs-cloud_defend.process-default', _id: 'old', _source: { user: { name: 'sre' } }, at: NOW - 10 * 86_400_000 });

  const ctx: RouteContext = {
    store: mem.store,
    log: silentLogger,
    now: () => NOW,
    // Role from a test header: viewers read, admins write.
    authorize: (ability: Ability) => (req, _res, next) => {
      const role = req.header('x-test-role') ?? 'admin';
      req.auth = { username: role === 'admin' ? 'alice' : 'victor', roles: [], abilities: roleAbilities[role === 'admin' ? 'admin' : 'viewer'], method: 'basic' };
      if (role !== 'admin' && (ability.endsWith(':write') || ability === 'users:manage')) next(forbidden(`${ability} required`));
      else next();
    },
    audit: async (_req, event) => {
      audits.push(event);
    },
  };
  const app = express();
  app.use('/api', express.json({ limit: '1mb' }));
  app.use(exceptionsRoutes(ctx, { getRule: async (id) => (id === 'r1' ? RULE : null) }));
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = err instanceof HttpError ? err : new HttpError(500, 'internal_error', String(err));
    res.status(e.status).json(e.toBody());
  };
  app.use(onError);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // listening on TCP, so an AddressInfo
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json: json as Record<string, unknown>, text, headers: res.headers }; // JSON bodies of these routes are objects
}

const item = (over: Record<string, unknown> = {}) => ({
  list_id: 'ops',
  item_id: 'sre',
  name: 'SRE account',
  description: 'on-call',
  type: 'simple',
  entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre' }],
  comments: [{ comment: 'SRE on-call debugging' }],
  ...over,
});

describe('exception list routes', () => {
  it('creates a list and an item, reads them by id and item_id, and finds them', async () => {
    const list = await call('POST', '/api/exception_lists', { list_id: 'ops', name: 'Ops', description: 'known good', type: 'detection' });
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ list_id: 'ops', namespace_type: 'single', type: 'detection', created_by: 'alice', immutable: false, version: 1 });
    const created = await call('POST', '/api/exception_lists/items', item());
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ item_id: 'sre', list_id: 'ops', created_by: 'alice', meta: { owner: 'alice' }, type: 'simple' });
    const byItemId = await call('GET', '/api/exception_lists/items?item_id=sre');
    const byId = await call('GET', `/api/exception_lists/items?id=${String(created.json.id)}`);
    expect(byItemId.json).toEqual(created.json);
    expect(byId.json).toEqual(created.json);
    const found = await call('GET', '/api/exception_lists/items/_find?list_id=ops&per_page=10');
    expect(found.json).toMatchObject({ page: 1, per_page: 10, total: 1 });
    expect((await call('GET', '/api/exception_lists?list_id=ops')).json).toMatchObject({ name: 'Ops' });
    expect((await call('GET', '/api/exception_lists/_find')).json).toMatchObject({ total: 1 });
    expect(audits.map((a) => a.action)).toEqual(['exception_list.create', 'exception_item.create']);
  });

  it.each([
    ['unknown operator', item({ item_id: 'x', entries: [{ field: 'user.name', operator: 'is', type: 'match', value: 'a' }] }), /^entries\.0\.operator: unknown operator "is"/],
    ['empty match_any', item({ item_id: 'x', entries: [{ field: 'user.name', operator: 'included', type: 'match_any', value: [] }] }), /match_any needs at least one value/],
    ['value list', item({ item_id: 'x', entries: [{ field: 'user.name', operator: 'included', type: 'list', list: { id: 'v', type: 'keyword' } }] }), /value lists are not supported/],
    ['wildcard on a boolean', item({ item_id: 'x', entries: [{ field: 'process.interactive', operator: 'included', type: 'wildcard', value: 't*' }] }), /wildcard needs a string field/],
    ['past expiry', item({ item_id: 'x', expire_time: '2020-01-01T00:00:00.000Z' }), /is in the past/],
  ])('answers %s with a clear 400', async (_name, body, message) => {
    const r = await call('POST', '/api/exception_lists/items', body);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('validation_error');
    expect(String(r.json.message)).toMatch(message);
  });

  it('takes an item without a justification as Kibana does, with a warning, and marks it', async () => {
    const r = await call('POST', '/api/exception_lists/items', item({ item_id: 'bare', comments: [] }));
    expect(r.status).toBe(200);
    expect(r.headers.get('warning')).toMatch(/no justification given/);
    const deleted = await call('DELETE', '/api/exception_lists/items?item_id=bare');
    expect(deleted.status).toBe(200);
  });

  it('warns (and still creates) when a field is on no rule index', async () => {
    const r = await call('POST', '/api/exception_lists/items', item({ item_id: 'odd', entries: [{ field: 'custom.thing', operator: 'included', type: 'exists' }] }));
    expect(r.status).toBe(200);
    expect(r.headers.get('warning')).toMatch(/^299 execwatch "entries\.0\.field: no index of the rule has the field custom\.thing/);
    expect((await call('DELETE', '/api/exception_lists/items?item_id=odd')).status).toBe(200);
    expect((await call('GET', '/api/exception_lists/items?item_id=odd')).status).toBe(404);
  });

  it('refuses writes to viewers and 404s unknown ids', async () => {
    const r = await call('POST', '/api/exception_lists/items', item({ item_id: 'v' }), { 'x-test-role': 'viewer' });
    expect(r.status).toBe(403);
    expect((await call('GET', '/api/exception_lists/items?item_id=sre', undefined, { 'x-test-role': 'viewer' })).status).toBe(200);
    const missing = await call('GET', '/api/exception_lists/items?item_id=nope');
    expect(missing.json).toEqual({ error: 'not_found', message: 'exception list item item_id: "nope" not found', status: 404 });
    expect((await call('GET', '/api/exception_lists/items')).status).toBe(400);
  });

  it('previews what an item would hide: open alerts, all alerts and 7 days of events', async () => {
    const r = await call('POST', '/api/exception_lists/items/_preview', { rule_id: 'r1', entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre' }], sample_size: 2 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ open_alerts: { count: 1, capped: false }, all_alerts: { count: 2 }, events_7d: { count: 3 }, open_alert_ids: ['a1'], warnings: [] });
    const events = r.json.events_7d as { sample: { id: string }[] }; // shape checked by toMatchObject above
    expect(events.sample.map((s) => s.id)).toEqual(['e0', 'e1']);
    const search = mem.searches.at(-1);
    expect(search?.window).toEqual({ from: NOW - 7 * 86_400_000, to: NOW });
    expect(search?.timestampOverride).toBe('event.ingested');
    expect((await call('POST', '/api/exception_lists/items/_preview', { rule_id: 'nope', entries: [{ field: 'a', operator: 'included', type: 'exists' }] })).status).toBe(404);
  });

  it('updates with append-only comments, expires now, and lists stale items', async () => {
    const current = await call('GET', '/api/exception_lists/items?item_id=sre');
    const comments = current.json.comments as { id: string; comment: string }[]; // Kibana item shape
    const upd = await call('PUT', '/api/exception_lists/items', { item_id: 'sre', name: 'SRE', description: 'x', type: 'simple', entries: current.json.entries, comments: [...comments, { comment: 'renewed' }] });
    expect(upd.status).toBe(200);
    expect((upd.json.comments as unknown[]).length).toBe(2);
    const bad = await call('PUT', '/api/exception_lists/items', { item_id: 'sre', name: 'SRE', description: 'x', type: 'simple', entries: current.json.entries, comments: [] });
    expect(bad.status).toBe(400);
    const all = await call('GET', '/api/exception_lists/items/_stale?all=true&list_id=ops');
    expect(all.json).toMatchObject({ stale_after_days: 30, data: [{ item_id: 'sre', state: 'active', hits: 0 }] });
    const expired = await call('PUT', '/api/exception_lists/items?item_id=sre&expire_now=true');
    expect(expired.json.expire_time).toBe(new Date(NOW).toISOString());
    expect((await call('GET', '/api/exception_lists/items/_stale?all=true')).json).toMatchObject({ data: [{ item_id: 'sre', state: 'expired' }] });
    expect((await call('GET', '/api/exception_lists/items/_stale')).json).toMatchObject({ total: 0 });
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['exception_item.update', 'exception_item.expire']));
  });

  it('exports ndjson and imports it back through a multipart upload', async () => {
    const exported = await call('POST', '/api/exception_lists/_export?list_id=ops&namespace_type=single');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/application\/ndjson/);
    const lines = exported.text.trim().split('\n');
    expect(lines).toHaveLength(3);
    const upload = async (query: string) => {
      const form = new FormData();
      form.append('file', new Blob([exported.text], { type: 'application/ndjson' }), 'ops.ndjson');
      const res = await fetch(`${base}/api/exception_lists/_import${query}`, { method: 'POST', body: form });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> }; // import answers JSON
    };
    const conflictRes = await upload('');
    expect(conflictRes.json).toMatchObject({ success: false, success_count: 0 });
    const over = await upload('?overwrite=true');
    expect(over.json).toMatchObject({ success: true, success_count: 2, success_count_exception_lists: 1, success_count_exception_list_items: 1 });
    const asNew = await upload('?as_new_list=true');
    expect(asNew.json).toMatchObject({ success: true, success_count: 2 });
    expect((await call('GET', '/api/exception_lists/_find')).json).toMatchObject({ total: 2 });
    const noFile = await call('POST', '/api/exception_lists/_import', { file: 'x' });
    expect(noFile.status).toBe(400);
  });

  it('lets admins make expiry mandatory', async () => {
    expect((await call('PUT', '/api/exception_lists/_settings', { expiry_mandatory: true }, { 'x-test-role': 'viewer' })).status).toBe(403);
    expect((await call('PUT', '/api/exception_lists/_settings', { expiry_mandatory: true })).json).toEqual({ expiry_mandatory: true, default_expiry_days: 90, justification_mandatory: false });
    const r = await call('POST', '/api/exception_lists/items', item({ item_id: 'noexp' }));
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/an expiry is required/);
    expect((await call('GET', '/api/exception_lists/_settings')).json).toMatchObject({ expiry_mandatory: true });
    // changing one setting keeps the others
    expect((await call('PUT', '/api/exception_lists/_settings', { justification_mandatory: true })).json).toEqual({ expiry_mandatory: true, default_expiry_days: 90, justification_mandatory: true });
    expect((await call('PUT', '/api/exception_lists/_settings', { justification_mandatory: false, expiry_mandatory: false })).json).toMatchObject({ expiry_mandatory: false });
  });
});
