/**
 * The store contract: one suite every store adapter runs (embedded SQLite, Elasticsearch), through
 * the Store interface only. Each test gets a fresh, empty store from `makeStore`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KUBE_AUDIT_INDEX_PATTERN, type AlertPatch, type RuleSearchRequest, type Store } from '../ports';

const KUBE_AUDIT_INDEX = KUBE_AUDIT_INDEX_PATTERN.replace('*', 'default');
import {
  PROCESS_INDEX,
  SEED_RULE_QUERY,
  T0,
  alertDoc,
  auditEvent,
  createOps,
  exceptionItem,
  execEvent,
  execution,
} from './fixtures';
import { sourceText } from '../source-text';

const MIN = 60_000;

export function describeStoreContract(name: string, makeStore: () => Promise<Store>, cleanup?: (store: Store) => Promise<void>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await store.init();
    });
    afterEach(async () => {
      if (cleanup) await cleanup(store);
      else await store.close();
    });

    const seedRun = (over: Partial<RuleSearchRequest> = {}): RuleSearchRequest => ({
      query: SEED_RULE_QUERY,
      index: ['logs-cloud_defend*'],
      window: { from: T0, to: T0 + 6 * MIN },
      timestampOverride: 'event.ingested',
      exceptions: [],
      size: 100,
      ...over,
    });

    describe('events: bulk', () => {
      it('answers each item in the bulk shape: created, conflicts, bad lines, bad index names', async () => {
        const ops = [
          ...createOps([execEvent({ id: 'a' })], PROCESS_INDEX, ['id-a']),
          ...createOps([execEvent({ id: 'b' })], PROCESS_INDEX, ['id-a']),
          { action: 'create' as const, index: PROCESS_INDEX, source: '{not json', line: 6 },
          { action: 'create' as const, index: PROCESS_INDEX, source: '[1,2]', line: 8 },
          { action: 'index' as const, index: 'Upper', source: '{}', line: 10 },
          ...createOps([execEvent({ id: 'c' })]),
        ];
        const res = await store.events.bulk(ops, T0);
        expect(res.map((r) => r.status)).toEqual([201, 409, 400, 400, 400, 201]);
        expect(res[0]).toMatchObject({ action: 'create', _index: PROCESS_INDEX, _id: 'id-a', result: 'created' });
        expect(res[1]?.error?.type).toBe('version_conflict_engine_exception');
        expect(['mapper_parsing_exception', 'document_parsing_exception']).toContain(res[2]?.error?.type);
        expect(['mapper_parsing_exception', 'document_parsing_exception']).toContain(res[3]?.error?.type);
        expect(res[4]?.error?.type).toBe('invalid_index_name_exception');
        expect(typeof res[5]?._id).toBe('string');
        expect(res[5]?._id).not.toBe('');
        expect(await store.events.count()).toBe(2);
      });

      it('index with an existing explicit id replaces the document (200 updated)', async () => {
        const first = await store.events.bulk([{ action: 'index', index: 'plain-events', id: 'k', source: '{"v":1}', line: 2 }], T0);
        const second = await store.events.bulk([{ action: 'index', index: 'plain-events', id: 'k', source: '{"v":2}', line: 2 }], T0 + 1);
        expect(first[0]).toMatchObject({ status: 201, result: 'created' });
        expect(second[0]).toMatchObject({ status: 200, result: 'updated' });
        expect(await store.events.count()).toBe(1);
      });

      it('data streams (logs-*-*) take create only and need @timestamp', async () => {
        const res = await store.events.bulk(
          [
            { action: 'index', index: PROCESS_INDEX, source: JSON.stringify(execEvent()), line: 2 },
            { action: 'create', index: PROCESS_INDEX, source: '{"message":"no time"}', line: 4 },
            { action: 'create', index: PROCESS_INDEX, source: JSON.stringify(execEvent()), line: 6 },
          ],
          T0,
        );
        expect(res.map((r) => r.status)).toEqual([400, 400, 201]);
        expect(await store.events.count()).toBe(1);
      });
    });

    describe('events: searchRule (seed rule)', () => {
      it('finds matching events, oldest first, with full documents and event.ingested set', async () => {
        await store.events.bulk(
          createOps([
            execEvent({ id: 'm1', timestamp: T0 + 2000 }),
            execEvent({ id: 'n-notinteractive', interactive: false }),
            execEvent({ id: 'n-notsame', sameAsProcess: false }),
            execEvent({ id: 'n-host', entryMetaType: 'sshd' }),
            execEvent({ id: 'n-end', eventType: 'end' }),
            execEvent({ id: 'n-nocontainer', containerId: null }),
            execEvent({ id: 'm2', eventType: 'start', timestamp: T0 + 1000 }),
          ]),
          T0 + MIN,
        );
        await store.events.bulk(createOps([execEvent({ id: 'm0' })]), T0 + 30_000);
        await store.events.bulk(createOps([execEvent({ id: 'other-index' })], 'logs-other.process-default'), T0 + MIN);
        const res = await store.events.searchRule(seedRun());
        expect(res.total).toBe(3);
        expect(res.events.map((e) => (e._source.event as { id: string }).id)).toEqual(['m0', 'm1', 'm2']);
        const first = res.events[0];
        expect(first?._index).toBe(PROCESS_INDEX);
        expect(first?._source.orchestrator).toEqual({ namespace: 'default', resource: { name: 'web-1', type: 'pod' }, cluster: { name: 'prod' } });
        expect((first?._source.event as { ingested: string }).ingested).toBe(new Date(T0 + 30_000).toISOString());
        expect(res.suppressed).toBe(0);
        expect(res.sequences).toEqual([]);
      });

      it('caps hits at size and still counts the total', async () => {
        await store.events.bulk(createOps(Array.from({ length: 7 }, (_, i) => execEvent({ id: `m${i}`, timestamp: T0 + i }))), T0 + MIN);
        const res = await store.events.searchRule(seedRun({ size: 3 }));
        expect(res.total).toBe(7);
        expect(res.events.map((e) => (e._source.event as { id: string }).id)).toEqual(['m0', 'm1', 'm2']);
      });

      it('window: from inclusive, to exclusive, on event.ingested', async () => {
        await store.events.bulk(createOps([execEvent({ id: 'before' })]), T0 - 1);
        await store.events.bulk(createOps([execEvent({ id: 'at-from' })]), T0);
        await store.events.bulk(createOps([execEvent({ id: 'last-ms' })]), T0 + 6 * MIN - 1);
        await store.events.bulk(createOps([execEvent({ id: 'at-to' })]), T0 + 6 * MIN);
        const res = await store.events.searchRule(seedRun());
        expect(res.events.map((e) => (e._source.event as { id: string }).id)).toEqual(['at-from', 'last-ms']);
      });

      it('timestamp override falls back to @timestamp when the override field is absent', async () => {
        const inside = T0 + MIN;
        const outside = T0 - 60 * MIN;
        await store.events.bulk(
          createOps([
            execEvent({ id: 'created-inside', timestamp: outside, extra: {} }),
            execEvent({ id: 'no-created', timestamp: inside }),
            execEvent({ id: 'created-outside', timestamp: inside }),
          ]).map((op, i) => {
            const doc = JSON.parse(sourceText(op.source)) as { event: Record<string, unknown> };
            if (i === 0) doc.event.created = new Date(inside).toISOString();
            if (i === 2) doc.event.created = new Date(outside).toISOString();
            return { ...op, source: JSON.stringify(doc) };
          }),
          T0 + 60 * MIN,
        );
        const res = await store.events.searchRule(seedRun({ timestampOverride: 'event.created' }));
        expect(res.events.map((e) => (e._source.event as { id: string }).id).sort()).toEqual(['created-inside', 'no-created']);
        const byTimestamp = await store.events.searchRule(seedRun({ timestampOverride: null }));
        expect(byTimestamp.events.map((e) => (e._source.event as { id: string }).id).sort()).toEqual(['created-outside', 'no-created']);
      });

      it('multi-valued fields match on any value', async () => {
        await store.events.bulk(
          createOps([
            execEvent({ id: 'arr', eventType: ['change', 'start'] }),
            execEvent({ id: 'str', eventType: 'start' }),
            execEvent({ id: 'none', eventType: ['change', 'end'] }),
          ]),
          T0 + MIN,
        );
        const res = await store.events.searchRule(seedRun());
        expect(res.events.map((e) => (e._source.event as { id: string }).id).sort()).toEqual(['arr', 'str']);
      });

      it('exceptions suppress matches, counted per item; expired items do nothing', async () => {
        await store.events.bulk(
          createOps([
            execEvent({ id: 'ci-1', namespace: 'ci' }),
            execEvent({ id: 'ci-2', namespace: 'ci' }),
            execEvent({ id: 'admin', user: 'sre-admin' }),
            execEvent({ id: 'kept', namespace: 'payments', user: 'mallory' }),
            execEvent({ id: 'runner', namespace: 'build', image: 'registry.local/runner-x' }),
          ]),
          T0 + MIN,
        );
        const exceptions = [
          exceptionItem('ns', [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'ci' }]),
          exceptionItem('admins', [{ field: 'user.name', operator: 'included', type: 'match_any', value: ['sre-admin', 'platform-ops'] }]),
          exceptionItem('expired', [{ field: 'user.name', operator: 'included', type: 'match', value: 'mallory' }], '2020-01-01T00:00:00.000Z'),
          exceptionItem('runners', [{ field: 'container.image.name', operator: 'included', type: 'wildcard', value: '*/runner-*' }]),
        ];
        const res = await store.events.searchRule(seedRun({ exceptions, suppressedSample: 2 }));
        expect(res.events.map((e) => (e._source.event as { id: string }).id)).toEqual(['kept']);
        expect(res.total).toBe(1);
        expect(res.suppressed).toBe(4);
        expect(res.suppressedByItem).toEqual({ ns: 2, admins: 1, runners: 1 });
        expect(res.suppressedEvents).toHaveLength(2);
        expect(res.suppressedEvents[0]?._source.process).toBeDefined();
      });

      it('runs sequence rules over the window and applies exceptions to their events', async () => {
        const proc = (id: string, leader: string, name: string, user = 'root') => {
          const d = execEvent({ id, entryLeader: leader, user });
          (d.process as Record<string, unknown>).name = name;
          return d;
        };
        await store.events.bulk(createOps([proc('b1', 'L1', 'bash'), proc('b2', 'L2', 'bash'), proc('b3', 'L3', 'bash', 'sre-admin')]), T0 + MIN);
        await store.events.bulk(createOps([proc('c1', 'L1', 'curl'), proc('c3', 'L3', 'curl', 'sre-admin')]), T0 + 2 * MIN);
        const res = await store.events.searchRule(
          seedRun({
            query: 'sequence by process.entry_leader.entity_id with maxspan=5m [process where process.name == "bash"] [process where process.name == "curl"]',
            exceptions: [exceptionItem('admins', [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' }])],
          }),
        );
        expect(res.sequences).toHaveLength(1);
        expect(res.sequences[0]?.join_keys).toEqual(['L1']);
        expect(res.sequences[0]?.events.map((e) => (e._source.event as { id: string }).id)).toEqual(['b1', 'c1']);
        expect(res.total).toBe(1);
        expect(res.suppressedByItem).toEqual({ admins: 2 });
      });

      it('returns nothing for index patterns without data', async () => {
        await store.events.bulk(createOps([execEvent({ id: 'm' })]), T0 + MIN);
        const res = await store.events.searchRule(seedRun({ index: ['logs-endpoint*'] }));
        expect(res.total).toBe(0);
        expect(res.events).toEqual([]);
      });
    });

    describe('events: sessions and related', () => {
      it('sessionEvents returns the session oldest first and says when truncated', async () => {
        await store.events.bulk(
          createOps([
            execEvent({ id: 's2', entryLeader: 'L1', timestamp: T0 + 2 }),
            execEvent({ id: 's1', entryLeader: 'L1', timestamp: T0 + 1 }),
            execEvent({ id: 's3', entryLeader: 'L1', timestamp: T0 + 3 }),
            execEvent({ id: 'x', entryLeader: 'L2', timestamp: T0 }),
          ]),
          T0,
        );
        const all = await store.events.sessionEvents('L1', 10);
        expect(all.events.map((e) => (e._source.event as { id: string }).id)).toEqual(['s1', 's2', 's3']);
        expect(all.truncated).toBe(false);
        const two = await store.events.sessionEvents('L1', 2);
        expect(two.events).toHaveLength(2);
        expect(two.truncated).toBe(true);
      });

      it('sessionEvents finds a session by its leader start as well as without it', async () => {
        const start = new Date(T0 - 5000).toISOString();
        await store.events.bulk(
          createOps([
            execEvent({ id: 'a', entryLeader: 'L9', leaderStart: start, timestamp: T0 + 1 }),
            execEvent({ id: 'b', entryLeader: 'L9', leaderStart: start, timestamp: T0 + 2 }),
            // an event of the session that lacks the leader's start still belongs to it
            execEvent({ id: 'c', entryLeader: 'L9', timestamp: T0 + 3 }),
            execEvent({ id: 'other', entryLeader: 'L10', leaderStart: start, timestamp: T0 }),
          ]),
          T0,
        );
        const ids = (r: { events: { _source: Record<string, unknown> }[] }) => r.events.map((e) => (e._source.event as { id: string }).id);
        expect(ids(await store.events.sessionEvents('L9', 10, start))).toEqual(['a', 'b', 'c']);
        expect(ids(await store.events.sessionEvents('L9', 10))).toEqual(['a', 'b', 'c']);
      });

      it('relatedEvents matches any value of a field in the range, newest first', async () => {
        await store.events.bulk(
          createOps([
            execEvent({ id: 'r1', containerId: 'ctr-9', timestamp: T0 + 1 }),
            execEvent({ id: 'r2', containerId: 'ctr-9', timestamp: T0 + 2 }),
            execEvent({ id: 'r3', containerId: 'ctr-8', timestamp: T0 + 3 }),
            execEvent({ id: 'r4', containerId: 'ctr-9', timestamp: T0 + 10 * MIN }),
          ]),
          T0,
        );
        const res = await store.events.relatedEvents('container.id', 'ctr-9', { from: T0, to: T0 + MIN }, 10);
        expect(res.total).toBe(2);
        expect(res.events.map((e) => (e._source.event as { id: string }).id)).toEqual(['r2', 'r1']);
        const multi = await store.events.relatedEvents('event.category', 'process', { from: T0, to: T0 + 20 * MIN }, 1);
        expect(multi.total).toBe(4);
        expect(multi.events).toHaveLength(1);
      });
    });

    describe('events: Kubernetes audit', () => {
      const audit = (id: string, pod: string, at: number, namespace = 'prod') => ({
        '@timestamp': new Date(at).toISOString(),
        event: { dataset: 'kubernetes.audit_logs', action: 'get' },
        kubernetes: { audit: { auditID: id, stage: 'ResponseComplete', verb: 'get', objectRef: { resource: 'pods', subresource: 'exec', namespace, name: pod }, user: { username: 'alice' } } },
      });

      it('forPod reads one pod\'s audit events in a time range, oldest first; since follows arrivals by cursor', async () => {
        expect(await store.kubeAudit.any()).toBe(false);
        await store.events.bulk(
          [
            ...createOps([audit('k2', 'web-1', T0 + 2000), audit('k1', 'web-1', T0 + 1000), audit('k3', 'web-2', T0 + 1500), audit('k4', 'web-1', T0 + 1500, 'dev')], KUBE_AUDIT_INDEX),
            ...createOps([audit('not-audit', 'web-1', T0 + 1200)]),
          ],
          T0,
        );
        const ids = (hits: { _source: Record<string, unknown> }[]) => hits.map((h) => (h._source.kubernetes as { audit: { auditID: string } }).audit.auditID);
        expect(ids(await store.kubeAudit.forPod({ namespace: 'prod', pod: 'web-1', from: T0, to: T0 + 5000, limit: 10 }))).toEqual(['k1', 'k2']);
        expect(ids(await store.kubeAudit.forPod({ namespace: 'prod', pod: 'web-1', from: T0 + 1500, to: T0 + 5000, limit: 10 }))).toEqual(['k2']);
        expect(await store.kubeAudit.any()).toBe(true);

        const first = await store.kubeAudit.since(null, 3);
        expect(first.events).toHaveLength(3);
        const rest = await store.kubeAudit.since(first.cursor, 3);
        expect(ids([...first.events, ...rest.events]).sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
        await store.events.bulk(createOps([audit('k5', 'web-3', T0 + 9000)], KUBE_AUDIT_INDEX), T0 + 60_000);
        expect(ids((await store.kubeAudit.since(rest.cursor, 10)).events)).toEqual(['k5']);
      });

      it('takes field names with a slash (annotation keys) in rules, exceptions and alert filters', async () => {
        const doc = (decision: string) => ({ ...audit(`d-${decision}`, 'web-9', T0 + 1000), kubernetes: { audit: { verb: 'get', objectRef: { subresource: 'exec' }, annotations: { 'authorization_k8s_io/decision': decision } } } });
        await store.events.bulk(createOps([doc('allow'), doc('forbid')], KUBE_AUDIT_INDEX), T0);
        const query = 'any where kubernetes.audit.objectRef.subresource == "exec" and `kubernetes.audit.annotations.authorization_k8s_io/decision` == "allow"';
        const field = 'kubernetes.audit.annotations.authorization_k8s_io/decision';
        const run = (exceptions: RuleSearchRequest['exceptions']) => store.events.searchRule(seedRun({ query, index: [KUBE_AUDIT_INDEX_PATTERN], exceptions }));
        expect((await run([])).total).toBe(1);
        const excepted = await run([exceptionItem('slash', [{ field, operator: 'included', type: 'match', value: 'allow' }])]);
        expect(excepted.total).toBe(0);
        expect(excepted.suppressed).toBe(1);
        await store.alerts.createMany([alertDoc('s1')]);
        await store.alerts.setFields('s1', { 'kubernetes.audit': { annotations: { 'authorization_k8s_io/decision': 'allow' } } });
        const found = await store.alerts.search({ filter: { query: `${field}:allow` }, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 10 });
        expect(found.alerts.map((a) => a.id)).toEqual(['s1']);
      });

      it('sessionSize counts the events of one session', async () => {
        await store.events.bulk(createOps([execEvent({ id: 'z1', entryLeader: 'LZ' }), execEvent({ id: 'z2', entryLeader: 'LZ' }), execEvent({ id: 'z3', entryLeader: 'LY' })]), T0);
        expect(await store.events.sessionSize('LZ')).toBe(2);
        expect(await store.events.sessionSize('none')).toBe(0);
      });
    });

    describe('alerts', () => {
      const patch = (p: Partial<AlertPatch>): AlertPatch => ({ user: 'alice', at: T0 + 1000, ...p });

      it('setFields replaces whole subtrees and removes them with null; who ran the exec and session risk filter and sort', async () => {
        await store.alerts.createMany([alertDoc('p1', { time: T0 + 1 }), alertDoc('p2', { time: T0 + 2 }), alertDoc('p3', { time: T0 + 3 })]);
        const exact = (user: string) => ({
          'execwatch.attribution': { match: 'exact', candidates: [{ audit_id: `a-${user}` }] },
          'kubernetes.audit': { auditID: `a-${user}`, user: { username: user, groups: ['sre'] } },
        });
        await store.alerts.setFields('p1', { ...exact('alice@example.com'), 'execwatch.session': { risk_score: 91 } });
        await store.alerts.setFields('p2', { ...exact('bob@example.com'), 'execwatch.session': { risk_score: 12 } });
        const replaced = await store.alerts.setFields('p2', { 'execwatch.attribution': { match: 'ambiguous', candidates: [] }, 'kubernetes.audit': null });
        expect(replaced?.doc.kubernetes).toEqual({});
        expect((replaced?.doc.execwatch as Record<string, unknown>).session).toEqual({ risk_score: 12 });
        expect(await store.alerts.setFields('missing', { 'execwatch.session': null })).toBeNull();

        const ids = async (filter: Parameters<Store['alerts']['search']>[0]['filter'], sort: { field: 'session_risk' | '@timestamp'; order: 'asc' | 'desc' } = { field: '@timestamp', order: 'desc' }) =>
          (await store.alerts.search({ filter, sort, page: 1, size: 50 })).alerts.map((a) => a.id);
        expect(await ids({ requested_by: ['alice@example.com'] })).toEqual(['p1']);
        expect(await ids({ query: 'requested_by:alice*' })).toEqual(['p1']);
        expect(await ids({ query: 'requested_by:bob*' })).toEqual([]);
        expect(await ids({ attribution: ['ambiguous', 'unknown'] })).toEqual(['p3', 'p2']);
        expect(await ids({ query: 'attribution:unknown' })).toEqual(['p3']);
        expect(await ids({ min_session_risk: 50 })).toEqual(['p1']);
        expect(await ids({}, { field: 'session_risk', order: 'desc' })).toEqual(['p1', 'p2', 'p3']);
      });

      it('createMany is idempotent on the deterministic id', async () => {
        const a = [alertDoc('a1'), alertDoc('a2')];
        expect(await store.alerts.createMany(a)).toEqual({ created: 2, existing: 0 });
        expect(await store.alerts.createMany([alertDoc('a2'), alertDoc('a3')])).toEqual({ created: 1, existing: 1 });
        const got = await store.alerts.get('a1');
        expect(got?.id).toBe('a1');
        expect((got?.doc.kibana as { alert: { workflow_status: string } }).alert.workflow_status).toBe('open');
        expect(await store.alerts.get('missing')).toBeNull();
      });

      it('filters (lists ORed within a field, fields ANDed), sorts and pages', async () => {
        await store.alerts.createMany([
          alertDoc('a1', { severity: 'low', namespace: 'ci', time: T0 + 1 }),
          alertDoc('a2', { severity: 'critical', namespace: 'prod', time: T0 + 2 }),
          alertDoc('a3', { severity: 'high', namespace: 'prod', status: 'closed', time: T0 + 3 }),
          alertDoc('a4', { severity: 'medium', namespace: 'dev', user: 'mallory', time: T0 + 4 }),
        ]);
        const ids = async (filter: Parameters<Store['alerts']['search']>[0]['filter'], sort: { field: '@timestamp' | 'severity'; order: 'asc' | 'desc' } = { field: '@timestamp', order: 'desc' }) =>
          (await store.alerts.search({ filter, sort, page: 1, size: 50 })).alerts.map((a) => a.id);
        expect(await ids({})).toEqual(['a4', 'a3', 'a2', 'a1']);
        expect(await ids({ namespace: ['ci', 'dev'] })).toEqual(['a4', 'a1']);
        expect(await ids({ namespace: ['prod'], status: ['open'] })).toEqual(['a2']);
        expect(await ids({}, { field: 'severity', order: 'desc' })).toEqual(['a2', 'a3', 'a4', 'a1']);
        expect(await ids({ user: ['mallory'] })).toEqual(['a4']);
        expect(await ids({ from: new Date(T0 + 2).toISOString(), to: new Date(T0 + 3).toISOString() })).toEqual(['a3', 'a2']);
        const page2 = await store.alerts.search({ filter: {}, sort: { field: '@timestamp', order: 'asc' }, page: 2, size: 3 });
        expect(page2.total).toBe(4);
        expect(page2.alerts.map((a) => a.id)).toEqual(['a4']);
      });

      it('query: free text, field:value with wildcards, negation', async () => {
        await store.alerts.createMany([
          alertDoc('q1', { user: 'mallory', image: 'registry.local/runner-x', reason: 'shell opened by mallory' }),
          alertDoc('q2', { user: 'bob', namespace: 'payments' }),
          alertDoc('q3', { user: 'carol', containerId: 'deadbeef42' }),
        ]);
        const ids = async (query: string) => (await store.alerts.search({ filter: { query }, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 50 })).alerts.map((a) => a.id).sort();
        expect(await ids('mallory')).toEqual(['q1']);
        expect(await ids('MALLORY')).toEqual(['q1']);
        expect(await ids('deadbeef')).toEqual(['q3']);
        expect(await ids('orchestrator.namespace:payments')).toEqual(['q2']);
        expect(await ids('container.image.name:*runner*')).toEqual(['q1']);
        expect(await ids('-user.name:bob')).toEqual(['q1', 'q3']);
        expect(await ids('NOT user.name:bob NOT carol')).toEqual(['q1']);
        expect(await ids('user.name:"bob"')).toEqual(['q2']);
        await expect(store.alerts.search({ filter: { query: 'user.name:(a OR b)' }, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 5 })).rejects.toThrow();
      });

      it('stats: counts by status ignore the status filter; histogram; groups', async () => {
        await store.alerts.createMany([
          alertDoc('s1', { status: 'open', namespace: 'ci', severity: 'high', time: T0 }),
          // inside its bucket, not on the boundary: buckets are keyed by their start
          alertDoc('s2', { status: 'open', namespace: 'ci', severity: 'low', time: T0 + 37 * MIN + 1234 }),
          alertDoc('s3', { status: 'closed', namespace: 'prod', severity: 'high', time: T0 + 90 * MIN }),
        ]);
        const stats = await store.alerts.stats({ status: ['open'] }, { groupBy: 'namespace', groupsSize: 10, buckets: 12, range: { from: T0, to: T0 + 2 * 60 * MIN } });
        expect(stats.total).toBe(2);
        expect(stats.byStatus).toEqual({ open: 2, acknowledged: 0, closed: 1 });
        expect(stats.histogram.intervalMs).toBe(10 * MIN);
        expect(stats.histogram.buckets.reduce((n, b) => n + b.count, 0)).toBe(2);
        expect(stats.histogram.buckets.find((b) => b.key === T0 + 30 * MIN)?.count).toBe(1);
        expect(stats.groups).toEqual([{ key: 'ci', count: 2, bySeverity: { high: 1, low: 1 }, byStatus: { open: 2 } }]);
      });

      it('update sets workflow fields; tags and assignees are edited', async () => {
        await store.alerts.createMany([alertDoc('u1', { tags: ['t1'] })]);
        const updated = await store.alerts.update('u1', patch({ status: 'closed', reason: 'false_positive', add_tags: ['t2'], assignees: ['bob'] }));
        const alert = (updated?.doc.kibana as { alert: Record<string, unknown> }).alert;
        expect(alert.workflow_status).toBe('closed');
        expect(alert.workflow_reason).toBe('false_positive');
        expect(alert.workflow_user).toBe('alice');
        expect(alert.workflow_status_updated_at).toBe(new Date(T0 + 1000).toISOString());
        expect(alert.workflow_tags).toEqual(['t1', 't2']);
        expect(alert.workflow_assignee_ids).toEqual(['bob']);
        const list = await store.alerts.search({ filter: { status: ['closed'], tag: ['t2'], assignee: ['bob'] }, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 10 });
        expect(list.alerts.map((a) => a.id)).toEqual(['u1']);
        expect(await store.alerts.update('nope', patch({ status: 'closed' }))).toBeNull();
      });

      it('updateMany by filter is never capped at one page', async () => {
        const many = Array.from({ length: 2500 }, (_, i) => alertDoc(`b${i}`, { namespace: i % 5 === 0 ? 'other' : 'bulk', time: T0 + i }));
        await store.alerts.createMany(many);
        const res = await store.alerts.updateMany({ filter: { namespace: ['bulk'], status: ['open'] } }, patch({ status: 'acknowledged', add_tags: ['triaged'] }));
        expect(res.updated).toBe(2000);
        const stats = await store.alerts.stats({}, { buckets: 10, groupsSize: 10, range: { from: T0, to: T0 + 10_000 } });
        expect(stats.byStatus).toEqual({ open: 500, acknowledged: 2000, closed: 0 });
        const byIds = await store.alerts.updateMany({ ids: ['b0', 'b5', 'missing'] }, patch({ status: 'closed' }));
        expect(byIds.updated).toBe(2);
        expect(await store.alerts.ids({ status: ['closed'] }, 10)).toEqual(['b5', 'b0']);
        expect(await store.alerts.ids({ tag: ['triaged'] }, 5000)).toHaveLength(2000);
      });
    });

    describe('rules and executions', () => {
      it('stores rule state and always grants the run claim to a single instance', async () => {
        expect(await store.rules.getState('r1')).toBeNull();
        const state = { rule_id: 'r1', enabled: true, overrides: { max_signals: 50 }, last_covered_to: T0, updated_at: T0, updated_by: 'admin' };
        await store.rules.putState(state);
        await store.rules.putState({ ...state, enabled: false });
        expect(await store.rules.getState('r1')).toEqual({ ...state, enabled: false });
        expect(await store.rules.listStates()).toHaveLength(1);
        expect(await store.rules.claimRun('r1', 'me', T0 + MIN)).toBe(true);
        await store.rules.releaseRun('r1', 'me');
      });

      it('execution log: put replaces, list pages newest first, latest', async () => {
        await store.executions.put(execution('e1', 'r1', T0, 'running'));
        await store.executions.put(execution('e1', 'r1', T0));
        await store.executions.put(execution('e2', 'r1', T0 + MIN));
        await store.executions.put(execution('e3', 'r2', T0 + 2 * MIN));
        const list = await store.executions.list('r1', { size: 1, page: 1 });
        expect(list.total).toBe(2);
        expect(list.executions.map((e) => e.id)).toEqual(['e2']);
        expect((await store.executions.list('r1', { size: 10, page: 1, to: T0 })).executions.map((e) => [e.id, e.status])).toEqual([['e1', 'succeeded']]);
        expect((await store.executions.latest('r1'))?.id).toBe('e2');
        expect(await store.executions.latest('none')).toBeNull();
      });
    });

    describe('exceptions', () => {
      it('lists and items by id and by list/item id; hits add up', async () => {
        await store.exceptions.putList({ id: 'L1', list_id: 'list-one', name: 'One', type: 'detection' });
        const item = (id: string, n: number) => ({ id, item_id: `item-${id}`, list_id: 'list-one', name: `Item ${n}`, entries: [], created_at: new Date(T0 + n).toISOString() });
        await store.exceptions.putItem(item('i1', 1));
        await store.exceptions.putItem(item('i2', 2));
        expect((await store.exceptions.getList({ list_id: 'list-one' }))?.name).toBe('One');
        expect((await store.exceptions.getItem({ item_id: 'item-i2' }))?.id).toBe('i2');
        const found = await store.exceptions.findItems(['list-one'], { page: 1, perPage: 1 });
        expect(found.total).toBe(2);
        expect(found.data.map((d) => d.id)).toEqual(['i1']);
        expect((await store.exceptions.findLists({ page: 1, perPage: 10 })).total).toBe(1);
        await store.exceptions.recordHits({ i1: 3 }, T0);
        await store.exceptions.recordHits({ i1: 2, i2: 1 }, T0 + 5);
        expect(await store.exceptions.hitStats(['i1', 'i2', 'i3'])).toEqual({
          i1: { hits: 5, last_hit_at: T0 + 5 },
          i2: { hits: 1, last_hit_at: T0 + 5 },
          i3: { hits: 0, last_hit_at: null },
        });
        await store.exceptions.deleteItem('i1');
        expect(await store.exceptions.getItem({ id: 'i1' })).toBeNull();
        await store.exceptions.deleteList('L1');
        expect(await store.exceptions.getList({ id: 'L1' })).toBeNull();
        expect((await store.exceptions.findItems(['list-one'], { page: 1, perPage: 10 })).total).toBe(0);
      });
    });

    describe('triage: checklists and notes', () => {
      it('checklist entries upsert per step; done counts per alert', async () => {
        await store.checklists.put({ alert_id: 'a1', step_id: 's1', done: true, by: 'alice', at: T0, note: null });
        await store.checklists.put({ alert_id: 'a1', step_id: 's2', done: true, by: 'alice', at: T0 + 1, note: 'ok' });
        await store.checklists.put({ alert_id: 'a1', step_id: 's2', done: false, by: 'bob', at: T0 + 2, note: null });
        expect((await store.checklists.list('a1')).map((e) => [e.step_id, e.done, e.by])).toEqual([['s1', true, 'alice'], ['s2', false, 'bob']]);
        expect(await store.checklists.doneCounts(['a1', 'a2'])).toEqual({ a1: ['s1'], a2: [] });
      });

      it('notes list oldest first and count per alert', async () => {
        await store.notes.add({ id: 'n2', alert_id: 'a1', text: 'second', author: 'bob', created_at: T0 + 1 });
        await store.notes.add({ id: 'n1', alert_id: 'a1', text: 'first', author: 'alice', created_at: T0 });
        expect((await store.notes.list('a1')).map((n) => n.text)).toEqual(['first', 'second']);
        expect(await store.notes.counts(['a1', 'a2'])).toEqual({ a1: 2, a2: 0 });
      });
    });

    describe('notifications', () => {
      it('lists a user\'s entries newest first with the unread count, keeps stored ids, marks read; claims a delivery once', async () => {
        const entry = (id: string, recipient: string, at: number) => ({ id, recipient, kind: 'assigned' as const, actor: 'admin', alert_id: 'a1', alerts_count: 1, text: 'rule', created_at: at, read_at: null });
        await store.notifications.add([entry('m1', 'ana', T0), entry('m2', 'ana', T0 + 1), entry('m3', 'bob', T0)]);
        await store.notifications.markRead('ana', ['m1'], T0 + 5);
        await store.notifications.add([{ ...entry('m1', 'ana', T0), text: 'again' }]);
        const ana = await store.notifications.list('ana', { unreadOnly: false, size: 10 });
        expect(ana.unread).toBe(1);
        expect(ana.notifications.map((n) => [n.id, n.text, n.read_at])).toEqual([['m2', 'rule', null], ['m1', 'rule', T0 + 5]]);
        expect((await store.notifications.list('ana', { unreadOnly: true, size: 10 })).notifications.map((n) => n.id)).toEqual(['m2']);
        expect(await store.notifications.markRead('ana', 'all', T0 + 6)).toBe(1);
        expect((await store.notifications.list('bob', { unreadOnly: true, size: 10 })).unread).toBe(1);
        expect(await store.notifications.claimDelivery('high_risk:a1', T0)).toBe(true);
        expect(await store.notifications.claimDelivery('high_risk:a1', T0 + 1)).toBe(false);
      });
    });

    describe('users, keys, sessions', () => {
      it('users and api keys round-trip', async () => {
        const user = { username: 'alice', full_name: 'Alice', roles: ['analyst' as const], enabled: true, password_hash: 'scrypt$1$2$3$s$h', created_at: T0, updated_at: T0 };
        await store.users.put(user);
        await store.users.put({ ...user, enabled: false });
        expect(await store.users.get('alice')).toEqual({ ...user, enabled: false });
        expect(await store.users.count()).toBe(1);
        expect((await store.users.list()).map((u) => u.username)).toEqual(['alice']);
        const key = { id: 'k1', name: 'ingest', username: 'alice', key_hash: 'h', created_at: T0, expires_at: null, invalidated: false };
        await store.users.putApiKey(key);
        await store.users.putApiKey({ ...key, invalidated: true });
        expect(await store.users.getApiKey('k1')).toEqual({ ...key, invalidated: true });
        expect(await store.users.listApiKeys('alice')).toHaveLength(1);
        expect(await store.users.listApiKeys('bob')).toHaveLength(0);
      });

      it('sessions and failure counters', async () => {
        const s = { id_hash: 'h1', username: 'alice', created_at: T0, last_seen_at: T0, expires_at: T0 + 3_600_000 };
        await store.users.putSession(s);
        expect(await store.users.getSession('h1')).toEqual(s);
        await store.users.deleteSession('h1');
        expect(await store.users.getSession('h1')).toBeNull();
        expect(await store.users.recordFailure('ip:1', T0, MIN)).toBe(1);
        expect(await store.users.recordFailure('ip:1', T0 + 1000, MIN)).toBe(2);
        expect(await store.users.recordFailure('ip:1', T0 + 2 * MIN, MIN)).toBe(1);
        expect(await store.users.failures('ip:1', T0 + MIN)).toBe(1);
        await store.users.clearFailures('ip:1');
        expect(await store.users.failures('ip:1', 0)).toBe(0);
      });
    });

    describe('audit and settings', () => {
      it('audit appends and searches newest first with filters', async () => {
        await store.audit.append(auditEvent('x1', T0, 'alice', 'alert.update'));
        await store.audit.append(auditEvent('x2', T0 + 1, 'bob', 'alert.update'));
        await store.audit.append(auditEvent('x3', T0 + 2, 'alice', 'user.create'));
        const all = await store.audit.search({ page: 1, size: 10 });
        expect(all.events.map((e) => e.id)).toEqual(['x3', 'x2', 'x1']);
        expect((await store.audit.search({ user: 'alice', page: 1, size: 10 })).total).toBe(2);
        expect((await store.audit.search({ action: 'alert.update', from: T0 + 1, page: 1, size: 10 })).events.map((e) => e.id)).toEqual(['x2']);
        // Append-only: the port offers no way to change or remove an entry.
        for (const verb of ['update', 'delete', 'remove', 'clear']) expect(Reflect.get(store.audit, verb)).toBeUndefined();
      });

      it('settings round-trip JSON values', async () => {
        expect(await store.settings.get('missing')).toBeNull();
        await store.settings.set('k', { a: [1, 2] });
        await store.settings.set('k', { a: [3] });
        expect(await store.settings.get<{ a: number[] }>('k')).toEqual({ a: [3] });
      });
    });
  });
}
