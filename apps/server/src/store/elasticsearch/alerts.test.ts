import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertPatch, StoredAlert } from '../ports';
import { alertFilterQuery, alertSort, escapeWildcard, termToQuery } from './alert-filter';
import { ALERT_PATCH_SCRIPT } from './alert-update';
import { ClusterUnavailableError } from './retry';
import { FakeCluster, FIXED_NOW, storeOn } from './test-helpers';

function alert(id: string): StoredAlert {
  return {
    id,
    index: 'execwatch-alerts-default',
    doc: { '@timestamp': '2024-06-01T11:59:00.000Z', kibana: { alert: { uuid: id, workflow_status: 'open', severity: 'high' } }, user: { name: 'root' } },
  };
}

type BulkLine = Record<string, unknown>;
const bulkItem = (id: string, status: number, error?: { type: string; reason: string }) => ({
  create: { _index: 'execwatch-alerts-default', _id: id, status, ...(status === 201 ? { result: 'created' } : {}), ...(error ? { error } : {}) },
});

const patch: AlertPatch = { status: 'closed', reason: 'false_positive', add_tags: ['reviewed'], user: 'analyst1', at: FIXED_NOW };

describe('alert writes', () => {
  it('creates alerts with _bulk create ops and their deterministic ids; conflicts count as existing', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_bulk', (req) => {
      const lines = req.body as BulkLine[];
      const ids = lines.filter((_, i) => i % 2 === 0).map((l) => (l.create as { _id: string })._id);
      return { took: 1, errors: true, items: ids.map((id) => bulkItem(id, id === 'dup' ? 409 : 201, id === 'dup' ? { type: 'version_conflict_engine_exception', reason: 'exists' } : undefined)) };
    });
    const store = storeOn(cluster);
    expect(await store.alerts.createMany([alert('a1'), alert('dup'), alert('a2')])).toEqual({ created: 2, existing: 1 });
    const [sent] = cluster.sent('_bulk');
    expect(sent?.path).toBe('/_bulk');
    expect(sent?.querystring).toEqual({ refresh: 'wait_for' });
    expect(sent?.body).toEqual([
      { create: { _index: 'execwatch-alerts-default', _id: 'a1' } },
      alert('a1').doc,
      { create: { _index: 'execwatch-alerts-default', _id: 'dup' } },
      alert('dup').doc,
      { create: { _index: 'execwatch-alerts-default', _id: 'a2' } },
      alert('a2').doc,
    ]);
  });

  it('retries items rejected with 429 and writes them on a later attempt', async () => {
    const cluster = new FakeCluster();
    let call = 0;
    cluster.responders.set('_bulk', (req) => {
      call++;
      const ids = (req.body as BulkLine[]).filter((_, i) => i % 2 === 0).map((l) => (l.create as { _id: string })._id);
      return { errors: call === 1, items: ids.map((id) => bulkItem(id, call === 1 && id === 'busy' ? 429 : 201)) };
    });
    expect(await storeOn(cluster).alerts.createMany([alert('ok'), alert('busy')])).toEqual({ created: 2, existing: 0 });
    const second = cluster.sent('_bulk')[1]?.body as BulkLine[];
    expect(second).toEqual([{ create: { _index: 'execwatch-alerts-default', _id: 'busy' } }, alert('busy').doc]);
  });

  it('fails clearly when items keep failing, after counting what was written', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_bulk', (req) => {
      const ids = (req.body as BulkLine[]).filter((_, i) => i % 2 === 0).map((l) => (l.create as { _id: string })._id);
      return { errors: true, items: ids.map((id) => bulkItem(id, 503, { type: 'unavailable_shards_exception', reason: 'primary shard is not active' })) };
    });
    const err = await storeOn(cluster, { attempts: 3 }).alerts.createMany([alert('x')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect(String(err)).toContain('not written after 3 attempts');
    expect(String(err)).toContain('unavailable_shards_exception');
    expect(cluster.sent('_bulk')).toHaveLength(3);
  });

  it('closes matching alerts with _update_by_query, conflicts=proceed and a params-only script', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_update_by_query', () => ({ total: 3, updated: 2, noops: 1, version_conflicts: 0, failures: [] }));
    const result = await storeOn(cluster).alerts.updateMany({ filter: { status: ['open'], namespace: ['payments'] } }, patch);
    expect(result).toEqual({ updated: 3 });
    const [sent] = cluster.sent('_update_by_query');
    expect(sent?.path).toBe('/execwatch-alerts-default/_update_by_query');
    // The 8.x client sends `conflicts` in the body, which Elasticsearch accepts there as well.
    expect(sent?.querystring).toEqual({ refresh: 'true', slices: 'auto' });
    expect(sent?.body).toEqual({
      conflicts: 'proceed',
      query: { bool: { filter: [{ terms: { 'kibana.alert.workflow_status': ['open'] } }, { terms: { 'orchestrator.namespace': ['payments'] } }] } },
      script: {
        source: ALERT_PATCH_SCRIPT,
        lang: 'painless',
        params: {
          status: 'closed',
          set_reason: true,
          reason: 'false_positive',
          set_reason_text: false,
          reason_text: null,
          user: 'analyst1',
          at: '2024-06-01T12:00:00.000Z',
          lists: {
            workflow_tags: { set: null, add: ['reviewed'], remove: [] },
            workflow_assignee_ids: { set: null, add: [], remove: [] },
          },
        },
      },
    });
  });

  it('runs another pass for alerts that changed underneath (version conflicts)', async () => {
    const cluster = new FakeCluster();
    let pass = 0;
    cluster.responders.set('_update_by_query', () => (++pass === 1 ? { updated: 5, noops: 0, version_conflicts: 2, failures: [] } : { updated: 2, noops: 5, version_conflicts: 0, failures: [] }));
    expect(await storeOn(cluster).alerts.updateMany({ ids: ['a', 'b'] }, patch)).toEqual({ updated: 7 });
    expect(cluster.sent('_update_by_query')).toHaveLength(2);
    expect(cluster.sent('_update_by_query')[0]?.body).toMatchObject({ query: { ids: { values: ['a', 'b'] } } });
  });

  it('never builds user values into the script source', () => {
    expect(ALERT_PATCH_SCRIPT).not.toContain('analyst1');
    expect(ALERT_PATCH_SCRIPT).toContain('params.status');
  });
});

describe('alert reads', () => {
  it('lists with from/size, a stable sort and an exact total', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_search', () => ({ hits: { total: { value: 120, relation: 'eq' }, hits: [{ _index: 'execwatch-alerts-default', _id: 'a1', _source: alert('a1').doc }] } }));
    const res = await storeOn(cluster).alerts.search({ filter: { severity: ['high', 'critical'] }, sort: { field: 'severity', order: 'desc' }, page: 3, size: 50 });
    expect(res.total).toBe(120);
    expect(res.alerts).toEqual([{ id: 'a1', index: 'execwatch-alerts-default', doc: alert('a1').doc }]);
    expect(cluster.sent('_search')[0]?.body).toEqual({
      query: { bool: { filter: [{ terms: { 'kibana.alert.severity': ['high', 'critical'] } }] } },
      sort: [
        { 'execwatch.severity_rank': { order: 'desc', missing: '_last', unmapped_type: 'keyword' } },
        { '@timestamp': { order: 'desc', unmapped_type: 'date' } },
        { 'kibana.alert.uuid': { order: 'asc', unmapped_type: 'keyword' } },
      ],
      from: 100,
      size: 50,
      track_total_hits: true,
    });
  });

  it('counts by status ignoring the status filter, histogram and groups through aggregations', async () => {
    const cluster = new FakeCluster();
    cluster.responders.set('_search', () => ({
      hits: { total: { value: 9, relation: 'eq' }, hits: [] },
      aggregations: {
        by_status: { buckets: [{ key: 'open', doc_count: 6 }, { key: 'closed', doc_count: 3 }] },
        filtered: {
          doc_count: 6,
          histogram: { buckets: [{ key: FIXED_NOW - 60_000, doc_count: 4 }, { key: FIXED_NOW, doc_count: 2 }] },
          groups: { buckets: [{ key: 'payments', doc_count: 5, by_severity: { buckets: [{ key: 'high', doc_count: 5 }] }, by_status: { buckets: [{ key: 'open', doc_count: 5 }] } }] },
          no_group: { doc_count: 1, by_severity: { buckets: [{ key: 'high', doc_count: 1 }] }, by_status: { buckets: [{ key: 'open', doc_count: 1 }] } },
        },
      },
    }));
    const stats = await storeOn(cluster).alerts.stats({ status: ['open'] }, { groupBy: 'namespace', groupsSize: 10, buckets: 60, range: { from: FIXED_NOW - 3_600_000, to: FIXED_NOW } });
    expect(stats).toEqual({
      total: 6,
      byStatus: { open: 6, acknowledged: 0, closed: 3 },
      histogram: { intervalMs: 60_000, buckets: [{ key: FIXED_NOW - 60_000, count: 4 }, { key: FIXED_NOW, count: 2 }] },
      groups: [
        { key: 'payments', count: 5, bySeverity: { high: 5 }, byStatus: { open: 5 } },
        { key: null, count: 1, bySeverity: { high: 1 }, byStatus: { open: 1 } },
      ],
    });
    const body = cluster.sent('_search')[0]?.body as { query: unknown; aggs: { filtered: { filter: unknown; aggs: Record<string, unknown> } } };
    expect(body.query).toEqual({ bool: { filter: [] } });
    expect(body.aggs.filtered.filter).toEqual({ terms: { 'kibana.alert.workflow_status': ['open'] } });
    expect(body.aggs.filtered.aggs.groups).toMatchObject({ terms: { field: 'orchestrator.namespace', size: 10 } });
    expect(body.aggs.filtered.aggs.histogram).toMatchObject({ date_histogram: { field: '@timestamp', fixed_interval: '60000ms', min_doc_count: 0 } });
  });

  it('reads one alert by id and answers null when absent', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    expect(await store.alerts.get('missing')).toBeNull();
  });
});

describe('alert filter translation', () => {
  it('turns the list query into term, wildcard, exists and free-text clauses', () => {
    const q = alertFilterQuery({ query: 'namespace:prod* user:root -status:closed "kubectl exec" image:*' });
    expect(q).toEqual({
      bool: {
        filter: [
          { wildcard: { 'orchestrator.namespace': { value: 'prod*' } } },
          { bool: { minimum_should_match: 1, should: [{ term: { 'user.name': { value: 'root' } } }, { term: { 'process.user.name': { value: 'root' } } }] } },
          { bool: { must_not: [{ term: { 'kibana.alert.workflow_status': { value: 'closed' } } }] } },
          termToQuery({ kind: 'text', value: 'kubectl exec', negate: false }),
          { bool: { minimum_should_match: 1, should: [{ exists: { field: 'container.image.name' } }, { exists: { field: 'execwatch.image' } }] } },
        ],
      },
    });
  });

  it('matches free text as a case-insensitive substring or a phrase of the reason', () => {
    const q = termToQuery({ kind: 'text', value: 'Bash', negate: false }) as { bool: { should: Record<string, Record<string, unknown>>[] } };
    expect(q.bool.should[0]).toEqual({ match_phrase: { execwatch_text: 'Bash' } });
    expect(q.bool.should[1]).toEqual({ wildcard: { 'kibana.alert.rule.name': { value: '*Bash*', case_insensitive: true } } });
  });

  it('keeps user text out of query syntax: values reach term/wildcard/match_phrase verbatim or escaped', () => {
    fc.assert(
      // A lone `*` means "field exists" in the query language and is tested above.
      fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((v) => v !== '*'), (value) => {
        const json = JSON.stringify(termToQuery({ kind: 'field', field: 'process.command_line', value, negate: false }));
        expect(json).not.toMatch(/query_string/);
        const parsed = JSON.parse(json) as { term?: { 'process.command_line': { value: string } }; wildcard?: { 'process.command_line': { value: string } } };
        if (value.includes('*')) expect(parsed.wildcard?.['process.command_line'].value).toBe(escapeWildcard(value));
        else expect(parsed.term?.['process.command_line'].value).toBe(value);
      }),
    );
  });

  it('escapes ? and backslashes in wildcard values, keeping *', () => {
    expect(escapeWildcard('a?b\\c*')).toBe('a\\?b\\\\c*');
  });

  it('rejects field names that are not plain dotted paths', () => {
    expect(() => alertFilterQuery({ fields: { 'bad field': 'x' } })).toThrow(/invalid field name/);
  });

  it('sorts user and image on the runtime fields that follow the presenter', () => {
    expect(alertSort({ field: 'user', order: 'asc' })[0]).toEqual({ 'execwatch.user': { order: 'asc', missing: '_last', unmapped_type: 'keyword' } });
    expect(alertSort({ field: '@timestamp', order: 'desc' })).toHaveLength(2);
  });
});
