import type { estypes } from '@elastic/elasticsearch';
import type { AuditEvent, Execution } from '@execwatch/api';
import { AUDIT_CHAIN_GENESIS, chainHash, storedForm } from '../../auth/audit-chain';
import type { AuditChainHead, AuditChainRecord, AuditLog, ChecklistEntry, ChecklistStore, ExecutionLog, NoteRecord, NoteStore, SettingsStore } from '../ports';
import type { EsContext } from './context';
import { allDocs, countDocs, getDoc, putDoc, searchDocs } from './documents';
import { isConflict, isNotFound, withRetry } from './retry';

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

/** The id of the document that holds the chain's head (last seq and hash). */
export const AUDIT_HEAD_ID = 'audit-head';
const AUDIT_RECORD_PREFIX = 'audit-chain-';
/** The id of chain record `seq`: the id itself claims the position, so two instances can never both take it. */
export const auditRecordId = (seq: number) => `${AUDIT_RECORD_PREFIX}${String(seq).padStart(20, '0')}`;

interface ChainLink {
  seq: number;
  prev_hash: string;
  hash: string;
}

/** A chained record's `body`; records written before the chain existed hold the bare event instead. */
interface ChainedBody {
  event: AuditEvent;
  chain: ChainLink;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function chainOf(body: unknown): ChainLink | null {
  const chain = isObject(body) ? body.chain : undefined;
  if (!isObject(chain)) return null;
  const { seq, prev_hash, hash } = chain;
  return typeof seq === 'number' && typeof prev_hash === 'string' && typeof hash === 'string' ? { seq, prev_hash, hash } : null;
}

/** The event of a stored body, chained or written before the chain. */
function eventOf(body: unknown): AuditEvent {
  if (isObject(body) && chainOf(body) !== null && isObject(body.event)) return body.event as AuditEvent; // written by append as a ChainedBody
  return body as AuditEvent; // written by append before the chain existed: the bare event
}

const CHAIN_READ_BATCH = 500;
const MAX_APPEND_ROUNDS = 50;
const MAX_HEAD_ROUNDS = 10;

/**
 * The audit trail, hash-chained (see auth/audit-chain.ts) across every server instance sharing the cluster.
 *
 * Record `n` is the document `audit-chain-<n>`, created with `op_type=create`: the first instance to create it owns
 * position `n`, any other gets a 409 and retries on top of it, so the chain never forks and a record is never
 * overwritten. The head document (`audit-head`, `{ seq, hash }`) is only a shortcut to the end: it is moved
 * forward after the record exists, with `if_seq_no`/`if_primary_term` so it never moves back, and an append that
 * finds records past it (an instance died between the two writes) follows them. Reads by id are real-time.
 * Records written before the chain existed keep their ids and bare bodies; verification counts them as outside it.
 */
export function createAuditLog(ctx: EsContext): AuditLog {
  const index = ctx.names.audit;
  // Appends of one instance go one at a time, so only other instances ever contend for a position.
  let tail: Promise<void> = Promise.resolve();

  async function getSource(id: string): Promise<{ source: Record<string, unknown>; seqNo: number; primaryTerm: number } | null> {
    try {
      const res = await withRetry('read audit chain', () => ctx.client.get<Record<string, unknown>>({ index, id }), ctx.retry, ctx.log);
      if (!res.found || !res._source || res._seq_no === undefined || res._primary_term === undefined) return null;
      return { source: res._source, seqNo: res._seq_no, primaryTerm: res._primary_term };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async function readHead(): Promise<{ head: AuditChainHead; seqNo: number; primaryTerm: number } | null> {
    const doc = await getSource(AUDIT_HEAD_ID);
    const body = doc?.source.body;
    if (!doc || !isObject(body) || typeof body.seq !== 'number' || typeof body.hash !== 'string') return null;
    return { head: { seq: body.seq, hash: body.hash }, seqNo: doc.seqNo, primaryTerm: doc.primaryTerm };
  }

  /** The link stored at `seq`, or null when the position is free. */
  async function linkAt(seq: number): Promise<ChainLink | null> {
    const doc = await getSource(auditRecordId(seq));
    if (!doc) return null;
    // A record without a readable link (altered by hand) still holds its position: appends go on past it and
    // verification reports it.
    return chainOf(doc.source.body) ?? { seq, prev_hash: '', hash: '' };
  }

  /** Creates record `seq`; false when that position is already taken. */
  async function createRecord(event: AuditEvent, link: ChainLink): Promise<boolean> {
    const body: ChainedBody = { event, chain: link };
    try {
      await withRetry(
        'append audit event',
        () =>
          ctx.client.create({
            index,
            id: auditRecordId(link.seq),
            document: { type: 'audit', id: event.id, '@timestamp': event['@timestamp'], user: event.user, action: event.action, outcome: event.outcome, body },
            refresh: true,
          }),
        ctx.retry,
        ctx.log,
      );
      return true;
    } catch (err) {
      if (!isConflict(err)) throw err;
      // The position is taken, perhaps by this very write when a first answer was lost and the call was retried.
      return (await linkAt(link.seq))?.hash === link.hash;
    }
  }

  /** Moves the head forward to `link` unless it is there or past it already; a head left behind is tolerated. */
  async function advanceHead(link: ChainLink): Promise<void> {
    for (let round = 0; round < MAX_HEAD_ROUNDS; round++) {
      const current = await readHead();
      if (current && current.head.seq >= link.seq) return;
      const document = { type: 'audit_head', id: AUDIT_HEAD_ID, body: { seq: link.seq, hash: link.hash } };
      try {
        await withRetry(
          'advance audit chain head',
          () =>
            current
              ? ctx.client.index({ index, id: AUDIT_HEAD_ID, document, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm })
              : ctx.client.create({ index, id: AUDIT_HEAD_ID, document }),
          ctx.retry,
          ctx.log,
        );
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    ctx.log.warn('audit chain head left behind; the next append follows the records past it', { seq: link.seq });
  }

  async function appendChained(event: AuditEvent): Promise<void> {
    const stored = storedForm(event);
    for (let round = 0; round < MAX_APPEND_ROUNDS; round++) {
      const head = (await readHead())?.head ?? { seq: 0, hash: AUDIT_CHAIN_GENESIS };
      let last: { seq: number; hash: string } = head;
      for (let next = await linkAt(last.seq + 1); next !== null; next = await linkAt(last.seq + 1)) last = next;
      const link: ChainLink = { seq: last.seq + 1, prev_hash: last.hash, hash: chainHash(last.hash, last.seq + 1, stored) };
      if (await createRecord(stored, link)) {
        await advanceHead(link);
        return;
      }
    }
    throw new Error(`audit append gave up after ${MAX_APPEND_ROUNDS} rounds: other instances kept taking the next position`);
  }

  return {
    append(event: AuditEvent) {
      const run = tail.then(() => appendChained(event));
      tail = run.catch(() => undefined);
      return run;
    },
    async search(opts) {
      const filter: estypes.QueryDslQueryContainer[] = [...rangeOf('@timestamp', opts.from, opts.to)];
      if (opts.user) filter.push({ term: { user: opts.user } });
      if (opts.action) filter.push({ term: { action: opts.action } });
      const res = await searchDocs<unknown>(ctx, index, 'audit', {
        filter,
        sort: [{ '@timestamp': { order: 'desc' } }, { id: { order: 'desc' } }],
        from: (opts.page - 1) * opts.size,
        size: opts.size,
      });
      return { total: res.total, events: res.records.map(eventOf) };
    },
    async readChain({ from, to }) {
      const out: AuditChainRecord[] = [];
      for (let start = Math.max(1, from); start < to; start += CHAIN_READ_BATCH) {
        const values = Array.from({ length: Math.min(CHAIN_READ_BATCH, to - start) }, (_, i) => auditRecordId(start + i));
        const res = await withRetry('read audit chain', () => ctx.client.search<Record<string, unknown>>({ index, query: { ids: { values } }, size: values.length }), ctx.retry, ctx.log);
        for (const hit of res.hits.hits) {
          const source = hit._source ?? {};
          const link = chainOf(source.body);
          // The position is the document's id (only asked-for ids come back), not a field a writer could edit.
          const seq = Number(hit._id?.slice(AUDIT_RECORD_PREFIX.length));
          out.push({
            seq,
            event: link && isObject(source.body) ? source.body.event : source.body,
            prev_hash: link?.prev_hash ?? null,
            hash: link?.hash ?? null,
            indexed: { id: source.id ?? null, '@timestamp': source['@timestamp'] ?? null, user: source.user ?? null, action: source.action ?? null },
          });
        }
      }
      return out.sort((a, b) => a.seq - b.seq);
    },
    async chainHead() {
      return (await readHead())?.head ?? null;
    },
    count: () => countDocs(ctx, index, 'audit'),
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
