import type { estypes } from '@elastic/elasticsearch';
import type { AuditEvent, Execution } from '@execwatch/api';
import type { AuditLog, ChecklistEntry, ChecklistStore, ExecutionLog, NoteRecord, NoteStore, SettingsStore } from '../ports';
import type { EsContext } from './context';
import { allDocs, getDoc, putDoc, searchDocs } from './documents';
import { withRetry } from './retry';

const iso = (ms: number) => new Date(ms).toISOString();

function rangeOf(field: string, from?: number, to?: number): estypes.QueryDslQueryContainer[] {
  if (from === undefined && to === undefined) return [];
  return [{ range: { [field]: { ...(from !== undefined ? { gte: iso(from) } : {}), ...(to !== undefined ? { lte: iso(to) } : {}) } } }];
}

/** Execution records by id; listed newest first per rule. */
export function createExecutionLog(ctx: EsContext): ExecutionLog {
  const index = ctx.names.executions;
  const byRule = (ruleId: string, from?: number, to?: number) => [{ term: { rule_id: ruleId } }, ...rangeOf('started_at', from, to)];
  const newestFirst: estypes.SortCombinations[] = [{ started_at: { order: 'desc' } }, { id: { order: 'desc' } }];
  return {
    put: (execution: Execution) =>
      putDoc(ctx, index, execution.id, { type: 'execution', keys: { id: execution.id, rule_id: execution.rule_id, status: execution.status, started_at: execution.started_at }, body: execution }),
    async list(ruleId, opts) {
      const res = await searchDocs<Execution>(ctx, index, 'execution', { filter: byRule(ruleId, opts.from, opts.to), sort: newestFirst, from: (opts.page - 1) * opts.size, size: opts.size });
      return { total: res.total, executions: res.records };
    },
    async latest(ruleId) {
      const res = await searchDocs<Execution>(ctx, index, 'execution', { filter: byRule(ruleId), sort: newestFirst, size: 1 });
      return res.records[0] ?? null;
    },
  };
}

// encodeURIComponent escapes ":", so the separator is unambiguous.
const checklistId = (alertId: string, stepId: string) => `${encodeURIComponent(alertId)}:${encodeURIComponent(stepId)}`;

/** Checklist steps per alert (one document per alert and step). */
export function createChecklistStore(ctx: EsContext): ChecklistStore {
  const index = ctx.names.checklists;
  return {
    async list(alertId) {
      return allDocs<ChecklistEntry>(ctx, index, 'step', 'step_id', [{ term: { alert_id: alertId } }]);
    },
    async doneCounts(alertIds) {
      const out: Record<string, string[]> = Object.fromEntries(alertIds.map((id) => [id, []]));
      if (alertIds.length === 0) return out;
      const entries = await allDocs<ChecklistEntry>(ctx, index, 'step', 'step_id', [{ terms: { alert_id: alertIds } }, { term: { done: true } }]);
      for (const e of entries) (out[e.alert_id] ??= []).push(e.step_id);
      return out;
    },
    put: (entry) =>
      putDoc(ctx, index, checklistId(entry.alert_id, entry.step_id), {
        type: 'step',
        keys: { alert_id: entry.alert_id, step_id: entry.step_id, done: entry.done, at: iso(entry.at) },
        body: entry,
      }),
  };
}

/** Notes on alerts, oldest first. */
export function createNoteStore(ctx: EsContext): NoteStore {
  const index = ctx.names.notes;
  return {
    async list(alertId) {
      const res = await searchDocs<NoteRecord>(ctx, index, 'note', {
        filter: [{ term: { alert_id: alertId } }],
        sort: [{ created_at: { order: 'asc' } }, { id: { order: 'asc' } }],
        size: 10_000,
      });
      return res.records;
    },
    async counts(alertIds) {
      const out: Record<string, number> = Object.fromEntries(alertIds.map((id) => [id, 0]));
      if (alertIds.length === 0) return out;
      const res = await withRetry(
        'count notes',
        () =>
          ctx.client.search({
            index,
            size: 0,
            query: { bool: { filter: [{ term: { type: 'note' } }, { terms: { alert_id: alertIds } }] } },
            aggs: { per_alert: { terms: { field: 'alert_id', size: alertIds.length } } },
          }),
        ctx.retry,
        ctx.log,
      );
      const agg = res.aggregations?.per_alert;
      const buckets = agg && 'buckets' in agg && Array.isArray(agg.buckets) ? (agg.buckets as { key: string; doc_count: number }[]) : []; // a terms aggregation's buckets
      for (const b of buckets) out[b.key] = b.doc_count;
      return out;
    },
    add: (note) => putDoc(ctx, index, note.id, { type: 'note', keys: { id: note.id, alert_id: note.alert_id, created_at: iso(note.created_at) }, body: note }),
  };
}

/** The audit trail: documents are created, never overwritten (`op_type=create`), and never deleted. */
export function createAuditLog(ctx: EsContext): AuditLog {
  const index = ctx.names.audit;
  return {
    async append(event: AuditEvent) {
      await withRetry(
        'append audit event',
        () =>
          ctx.client.create({
            index,
            id: event.id,
            document: { type: 'audit', id: event.id, '@timestamp': event['@timestamp'], user: event.user, action: event.action, outcome: event.outcome, body: event },
            refresh: true,
          }),
        ctx.retry,
        ctx.log,
      );
    },
    async search(opts) {
      const filter: estypes.QueryDslQueryContainer[] = [...rangeOf('@timestamp', opts.from, opts.to)];
      if (opts.user) filter.push({ term: { user: opts.user } });
      if (opts.action) filter.push({ term: { action: opts.action } });
      const res = await searchDocs<AuditEvent>(ctx, index, 'audit', {
        filter,
        sort: [{ '@timestamp': { order: 'desc' } }, { id: { order: 'desc' } }],
        from: (opts.page - 1) * opts.size,
        size: opts.size,
      });
      return { total: res.total, events: res.records };
    },
  };
}

/** Settings by key; values are wrapped so any JSON value can be stored. */
export function createSettingsStore(ctx: EsContext): SettingsStore {
  const index = ctx.names.settings;
  return {
    async get<T>(key: string): Promise<T | null> {
      const stored = await getDoc<{ value: T }>(ctx, index, key);
      return stored === null ? null : stored.value;
    },
    async set<T>(key: string, value: T): Promise<void> {
      await putDoc(ctx, index, key, { type: 'setting', keys: { key }, body: { value } });
    },
  };
}
