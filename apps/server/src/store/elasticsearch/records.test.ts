import { describe, expect, it } from 'vitest';
import type { AuditEvent, Execution } from '@execwatch/api';
import { AUDIT_CHAIN_GENESIS, verifyAuditChain } from '../../auth/audit-chain';
import { AUDIT_HEAD_ID, auditRecordId } from './records';
import { FakeCluster, FIXED_NOW, storeOn } from './test-helpers';

function auditAt(n: number): AuditEvent {
  return { id: `ev${n}`, '@timestamp': new Date(FIXED_NOW + n * 1000).toISOString(), user: 'admin', source_ip: null, action: 'alert.update', outcome: 'success', target: { type: 'alert', id: `a${n}` }, before: null, after: { n } };
}

function execution(id: string, startedAt: string): Execution {
  return {
    id,
    rule_id: 'r1',
    status: 'succeeded',
    trigger: 'schedule',
    started_at: startedAt,
    finished_at: startedAt,
    duration_ms: 5,
    window: { from: startedAt, to: startedAt },
    events_matched: 0,
    alerts_created: 0,
    alerts_existing: 0,
    suppressed: 0,
    max_signals_reached: false,
    gaps: [],
    warnings: [],
    error: null,
  };
}

describe('state records', () => {
  it('keeps exception lists and items verbatim and finds them by id, list_id and item_id', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    const list = { id: 'L1', list_id: 'd4c-exec-exceptions', name: 'D4C exec exceptions', type: 'detection', namespace_type: 'single', created_at: '2024-01-01T00:00:00.000Z' };
    const item = { id: 'I1', item_id: 'admin-accounts', list_id: 'd4c-exec-exceptions', name: 'Admin accounts', entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' }] };
    await store.exceptions.putList(list);
    await store.exceptions.putItem(item);
    expect(await store.exceptions.getList({ list_id: 'd4c-exec-exceptions' })).toEqual(list);
    expect(await store.exceptions.getItem({ item_id: 'admin-accounts' })).toEqual(item);
    expect(await store.exceptions.getItem({ id: 'I1' })).toEqual(item);
    expect(await store.exceptions.findItems(['d4c-exec-exceptions'], { page: 1, perPage: 10 })).toEqual({ total: 1, data: [item] });
    await store.exceptions.deleteList('L1');
    expect(await store.exceptions.getList({ id: 'L1' })).toBeNull();
    expect(await store.exceptions.getItem({ id: 'I1' })).toBeNull();
  });

  it('adds hit counts with one bulk of scripted upserts and reads them back with mget', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_bulk', () => ({ errors: false, items: [{ update: { _index: 'execwatch-exceptions', _id: 'hits:I1', status: 200 } }] }));
    cluster.responders.set('_mget', () => ({ docs: [{ _index: 'execwatch-exceptions', _id: 'hits:I1', found: true, _source: { body: { hits: 4, last_hit_at: FIXED_NOW } } }, { _index: 'execwatch-exceptions', _id: 'hits:I2', found: false }] }));
    const store = storeOn(cluster);
    await store.exceptions.recordHits({ I1: 4, I2: 0 }, FIXED_NOW);
    const lines = cluster.sent('_bulk')[0]?.body as Record<string, unknown>[];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ update: { _index: 'execwatch-exceptions', _id: 'hits:I1', retry_on_conflict: 10 } });
    expect(lines[1]).toMatchObject({ script: { params: { n: 4, at: FIXED_NOW } }, upsert: { type: 'hits', id: 'I1', hits: 4, body: { hits: 4, last_hit_at: FIXED_NOW } } });
    expect(await store.exceptions.hitStats(['I1', 'I2'])).toEqual({ I1: { hits: 4, last_hit_at: FIXED_NOW }, I2: { hits: 0, last_hit_at: null } });
  });

  it('lists executions newest first and gives the latest', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    await store.executions.put(execution('e1', '2024-06-01T11:50:00.000Z'));
    await store.executions.put(execution('e2', '2024-06-01T11:55:00.000Z'));
    await store.executions.put({ ...execution('e2', '2024-06-01T11:55:00.000Z'), status: 'failed', error: 'cluster unreachable' });
    expect((await store.executions.latest('r1'))?.status).toBe('failed');
    const page = await store.executions.list('r1', { size: 10, page: 1 });
    expect(page.total).toBe(2);
    expect(page.executions.map((e) => e.id)).toEqual(['e2', 'e1']);
  });

  it('appends audit events with op_type=create at their chain position, so no record is ever overwritten', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    const event = auditAt(1);
    await store.audit.append(event);
    await store.audit.append(auditAt(2));
    const creates = cluster.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/execwatch-audit/_create/audit-chain-'));
    expect(creates.map((r) => r.path)).toEqual(['/execwatch-audit/_create/audit-chain-00000000000000000001', '/execwatch-audit/_create/audit-chain-00000000000000000002']);
    expect(cluster.doc('execwatch-audit', auditRecordId(1))?.source).toMatchObject({ type: 'audit', id: 'ev1', action: 'alert.update', body: { event, chain: { seq: 1, prev_hash: AUDIT_CHAIN_GENESIS } } });
    // The head is created once, then only moved with if_seq_no/if_primary_term.
    const headWrites = cluster.requests.filter((r) => r.path.endsWith(`/${AUDIT_HEAD_ID}`) && r.method !== 'GET');
    expect(headWrites.map((r) => [r.path.split('/')[2], r.querystring.if_seq_no !== undefined, r.querystring.if_primary_term !== undefined])).toEqual([
      ['_create', false, false],
      ['_doc', true, true],
    ]);
    expect((await store.audit.search({ user: 'admin', page: 1, size: 10 })).events).toEqual([auditAt(2), event]);
    expect(await verifyAuditChain(store.audit)).toMatchObject({ verified: 2, total: 2, broken: null, head: { seq: 2 } });
  });

  it('keeps one unbroken chain when several instances append at once', async () => {
    const cluster = new FakeCluster();
    const instances = ['a', 'b', 'c'].map((instanceId) => storeOn(cluster, { instanceId }));
    await Promise.all(instances.flatMap((s, i) => Array.from({ length: 8 }, (_, j) => s.audit.append(auditAt(1 + i * 8 + j)))));
    const verdict = await verifyAuditChain(instances[0]?.audit ?? storeOn(cluster).audit);
    expect(verdict).toMatchObject({ verified: 24, total: 24, broken: null });
    // Some appends lost a race for a position and took the next one; none overwrote another.
    const conflicts = cluster.requests.filter((r) => r.path.includes('/_create/audit-chain-')).length - 24;
    expect(conflicts).toBeGreaterThan(0);
    const ids = (await instances[1]?.audit.readChain({ from: 1, to: 100 }))?.map((r) => (r.event as { id: string }).id); // appended as audit events
    expect(new Set(ids).size).toBe(24);
  });

  it('follows records past a head left behind by an instance that died between its two writes', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    await store.audit.append(auditAt(1));
    await store.audit.append(auditAt(2));
    // Back to the head of record 1, as if the second head write never happened.
    const first = cluster.doc('execwatch-audit', auditRecordId(1))?.source as { body: { chain: { hash: string } } }; // written by append just above
    cluster.indices.get('execwatch-audit')?.set(AUDIT_HEAD_ID, { source: { type: 'audit_head', id: AUDIT_HEAD_ID, body: { seq: 1, hash: first.body.chain.hash } }, seqNo: 999, primaryTerm: 1, version: 9 });
    await storeOn(cluster, { instanceId: 'b' }).audit.append(auditAt(3));
    expect(await verifyAuditChain(store.audit)).toMatchObject({ verified: 3, broken: null, head: { seq: 3 } });
  });

  it('finds a record changed or deleted in the cluster at its position', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    for (let i = 1; i <= 4; i++) await store.audit.append(auditAt(i));
    const stored = cluster.doc('execwatch-audit', auditRecordId(2));
    if (!stored) throw new Error('record 2 not stored');
    const original = structuredClone(stored.source);
    const body = stored.source.body as { event: { action: string } }; // written by append
    body.event.action = 'nothing.to.see';
    expect((await verifyAuditChain(store.audit)).broken).toEqual({ seq: 2, id: 'ev2', reason: 'its content was changed (the hash does not match)' });

    stored.source = { ...original, user: 'someone-else' };
    expect((await verifyAuditChain(store.audit)).broken).toEqual({ seq: 2, id: 'ev2', reason: 'its indexed user differs from the stored event' });

    cluster.indices.get('execwatch-audit')?.delete(auditRecordId(3));
    stored.source = original;
    expect((await verifyAuditChain(store.audit)).broken).toEqual({ seq: 3, id: null, reason: 'record 3 is missing (the next stored record is 4)' });
    cluster.indices.get('execwatch-audit')?.delete(auditRecordId(4));
    expect((await verifyAuditChain(store.audit)).broken).toEqual({ seq: 3, id: null, reason: 'record 3 is missing (the recorded head is record 4)' });
  });

  it('reads records written before the chain and counts them as outside it', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    const legacy = auditAt(1);
    // How the adapter stored events before the chain: the bare event as body, under its own id.
    await cluster.client().create({ index: 'execwatch-audit', id: legacy.id, document: { type: 'audit', id: legacy.id, '@timestamp': legacy['@timestamp'], user: legacy.user, action: legacy.action, outcome: legacy.outcome, body: legacy }, refresh: true });
    await store.audit.append(auditAt(2));
    expect((await store.audit.search({ page: 1, size: 10 })).events).toEqual([auditAt(2), legacy]);
    expect(await verifyAuditChain(store.audit)).toMatchObject({ verified: 1, total: 2, broken: null });
  });

  it('stores settings of any JSON type', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    expect(await store.settings.get('exceptions.expiry_mandatory')).toBeNull();
    await store.settings.set('exceptions.expiry_mandatory', true);
    expect(await storeOn(cluster, { instanceId: 'b' }).settings.get<boolean>('exceptions.expiry_mandatory')).toBe(true);
  });
});
