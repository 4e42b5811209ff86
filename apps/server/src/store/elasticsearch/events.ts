import { errors, type estypes } from '@elastic/elasticsearch';
import { buildExceptionFilter } from '@execwatch/exceptions';
import type { BulkItemResult, BulkOperation, EventHit, EventStore, ExceptionItemForMatching, RuleSearchRequest, RuleSearchResult, SessionProcessFacts } from '../ports';
import { ndjsonHeaders } from './client';
import { assertFieldName, getPath, type EsContext, type Source } from './context';
import { buildEqlSearchRequest, buildSuppressedSearchRequest } from './eql-request';
import { backoffDelay, ClusterRequestError, describeEsError, isRetryableStatus, PartialResultsError, sleep, withRetry } from './retry';
import { sourceText } from '../source-text';

/** Per-item suppressed counts cost one `_eql/search` each; beyond this many items only the total is counted. */
export const MAX_ITEMS_COUNTED_SEPARATELY = 20;
/** Matches are counted up to this many per search (EQL returns hits, not a full count; 10k is its default window). */
export const COUNT_CAP = 10_000;

type EqlResponse = estypes.EqlSearchResponse<Source>;

/** Bulk bodies are split below Elasticsearch's default `http.max_content_length` (100 MB). */
export const MAX_BULK_BYTES = 20 * 1024 * 1024;

interface Prepared {
  pos: number;
  bytes: number;
  action: Source;
  source: Source;
}

/** Consecutive runs of items whose sizes add up to at most `max` (an oversized item goes alone). */
export function byteChunks<T extends { bytes: number }>(items: T[], max: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length > 0 && size + item.bytes > max) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The Kibana exception filter for the items (null when none is in force), via @execwatch/exceptions. */
export function exceptionQuery(items: ExceptionItemForMatching[], now: number): { query: estypes.QueryDslQueryContainer | null; skipped: string[] } {
  if (items.length === 0) return { query: null, skipped: [] };
  const built = buildExceptionFilter(items, { now });
  return {
    // The package builds plain Elasticsearch query DSL objects; the client's type is the same JSON.
    query: built.query as estypes.QueryDslQueryContainer | null,
    skipped: built.skipped.map((s) => `exception item ${s.id} skipped: ${s.reason}`),
  };
}

/** Why a response is partial (shard failures, timeouts), or null when complete. */
export function partialReason(res: Pick<EqlResponse, 'is_partial' | 'timed_out' | 'shard_failures'>): string | null {
  const failures = res.shard_failures ?? [];
  if (!res.is_partial && !res.timed_out && failures.length === 0) return null;
  const reasons = failures.slice(0, 3).map((f) => `${f.index ?? '?'}[${f.shard ?? '?'}]: ${f.reason?.type ?? 'failure'}${f.reason?.reason ? ` ${f.reason.reason}` : ''}`);
  const head = res.timed_out ? 'search timed out' : `${failures.length || 'some'} shard failure(s)`;
  return reasons.length > 0 ? `${head}: ${reasons.join('; ')}` : `partial results: ${head}`;
}

/** EQL's answer for index patterns matching no index: 404 index_not_found, or 400 "Unknown index". */
export function isUnknownIndex(err: unknown): boolean {
  if (err instanceof errors.ResponseError) return err.statusCode === 404 && describeEsError(err).includes('index_not_found_exception');
  return err instanceof ClusterRequestError && err.statusCode === 400 && /Unknown index \[/.test(err.message);
}

function toHit(e: estypes.EqlHitsEvent<Source>): EventHit {
  return { _index: e._index, _id: e._id, _source: e._source ?? {} };
}

function setIngested(source: Source, ingestedAt: string): void {
  const event = source.event;
  if (event !== null && typeof event === 'object' && !Array.isArray(event)) (event as Source).ingested = ingestedAt; // checked to be a plain object just before
  else source.event = { ingested: ingestedAt };
}

/** The event port over the cluster: bulk ingest, `_eql/search` for rules, searches for sessions and related events. */
export function createEventStore(ctx: EsContext): EventStore {
  const { client, log, retry } = ctx;

  async function bulk(ops: BulkOperation[], ingestedAt: number): Promise<BulkItemResult[]> {
    const ingested = new Date(ingestedAt).toISOString();
    const results: (BulkItemResult | null)[] = ops.map(() => null);
    const prepared: Prepared[] = [];
    ops.forEach((op, pos) => {
      let source: unknown;
      try {
        source = JSON.parse(sourceText(op.source));
      } catch {
        source = undefined;
      }
      if (source === null || typeof source !== 'object' || Array.isArray(source)) {
        results[pos] = {
          action: op.action,
          _index: op.index,
          _id: op.id ?? null,
          status: 400,
          error: { type: 'document_parsing_exception', reason: `line ${op.line}: the source is not a JSON object` },
        };
        return;
      }
      setIngested(source as Source, ingested); // checked to be a plain object above
      prepared.push({ pos, bytes: op.source.length, action: { [op.action]: { _index: op.index, ...(op.id ? { _id: op.id } : {}) } }, source: source as Source }); // checked to be a plain object above
    });
    for (const chunk of byteChunks(prepared, MAX_BULK_BYTES)) {
      let pending = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const res = await withRetry('bulk ingest', () => client.bulk({ operations: pending.flatMap((p) => [p.action, p.source]) }, { headers: ndjsonHeaders(ctx.compatibility) }), retry, log);
        const again: Prepared[] = [];
        res.items.forEach((item, i) => {
          const p = pending[i];
          if (!p) return;
          const op = ops[p.pos];
          const [action, detail] = Object.entries(item)[0] ?? [];
          if (!op || !detail) return;
          if (isRetryableStatus(detail.status) && attempt + 1 < retry.attempts) {
            again.push(p);
            return;
          }
          results[p.pos] = {
            action: action === 'create' ? 'create' : 'index',
            _index: detail._index,
            _id: detail._id ?? null,
            status: detail.status,
            ...(detail.result === 'created' || detail.result === 'updated' ? { result: detail.result } : {}),
            ...(detail.error ? { error: { type: detail.error.type, reason: detail.error.reason ?? '' } } : {}),
          };
        });
        pending = again;
        if (pending.length > 0) await sleep(backoffDelay(retry, attempt));
      }
    }
    return results.map(
      (r, pos) => r ?? { action: ops[pos]?.action ?? 'index', _index: ops[pos]?.index ?? '', _id: null, status: 500, error: { type: 'no_response', reason: 'no result for this item' } },
    );
  }

  async function eqlOnce(request: estypes.EqlSearchRequest): Promise<EqlResponse> {
    try {
      return await withRetry('eql search', () => client.eql.search<Source>(request), retry, log);
    } catch (err) {
      // Index patterns that match nothing yet (no events shipped) are an empty result, not a failed run.
      if (isUnknownIndex(err)) return { hits: {} };
      throw err;
    }
  }

  /**
   * `_eql/search` with retries; partial answers (shard failures, timeouts) are retried with backoff as
   * well, and when every attempt is partial a PartialResultsError names the reason: the run then fails,
   * its window stays uncovered, and the next run searches it again, so no alert is lost.
   */
  async function eql(request: estypes.EqlSearchRequest): Promise<EqlResponse> {
    for (let attempt = 0; ; attempt++) {
      const res = await eqlOnce(request);
      const partial = partialReason(res);
      if (partial === null) return res;
      if (attempt + 1 >= retry.attempts) {
        throw new PartialResultsError(`eql search returned partial results after ${retry.attempts} attempts: ${partial}`, partial);
      }
      const delay = backoffDelay(retry, attempt);
      log.warn('eql search returned partial results, retrying', { attempt: attempt + 1, delay_ms: delay, reason: partial });
      await sleep(delay);
    }
  }

  /**
   * How many events (or sequences) a request matches, up to COUNT_CAP: EQL has no count, so the
   * hits are fetched with `filter_path` keeping only their ids.
   */
  async function eqlCount(request: estypes.EqlSearchRequest): Promise<{ count: number; partial: string | null }> {
    const res = await eql({ ...request, size: COUNT_CAP, filter_path: ['hits.events._id', 'hits.sequences.events._id', 'is_partial', 'timed_out', 'shard_failures'] });
    const hits = (res as Partial<EqlResponse>).hits; // filter_path drops `hits` entirely when nothing matched
    return { count: hits?.events?.length ?? hits?.sequences?.length ?? 0, partial: partialReason(res) };
  }

  async function suppressedCounts(req: RuleSearchRequest, now: number, wanted: number): Promise<{ total: number; byItem: Record<string, number>; sample: EventHit[]; partial: string | null }> {
    const all = exceptionQuery(req.exceptions, now).query;
    if (!all) return { total: 0, byItem: {}, sample: [], partial: null };
    const total = await eqlCount(buildSuppressedSearchRequest(req, all, COUNT_CAP));
    let sample: EventHit[] = [];
    if (wanted > 0 && total.count > 0) {
      const res = await eql(buildSuppressedSearchRequest(req, all, wanted));
      sample = (res.hits.events ?? res.hits.sequences?.flatMap((s) => s.events) ?? []).slice(0, wanted).map(toHit);
    }
    const byItem: Record<string, number> = {};
    if (total.count > 0 && req.exceptions.length <= MAX_ITEMS_COUNTED_SEPARATELY) {
      for (const item of req.exceptions) {
        const one = exceptionQuery([item], now).query;
        if (one) byItem[item.id] = (await eqlCount(buildSuppressedSearchRequest(req, one, COUNT_CAP))).count;
      }
    }
    return { total: total.count, byItem, sample, partial: total.partial };
  }

  async function searchRule(req: RuleSearchRequest): Promise<RuleSearchResult> {
    const now = ctx.now();
    const exceptions = exceptionQuery(req.exceptions, now);
    if (exceptions.skipped.length > 0) log.warn('exception items skipped', { reasons: exceptions.skipped });
    const request = buildEqlSearchRequest(req, exceptions.query);
    const res = await eql(request);
    const events = (res.hits.events ?? []).map(toHit);
    const sequences = (res.hits.sequences ?? []).map((s) => ({ join_keys: s.join_keys ?? [], events: s.events.map(toHit) }));
    const returned = res.hits.events ? events.length : sequences.length;
    // A full page may hide more matches: count them (ids only) so the run knows how far past max_signals it was.
    const total = returned >= req.size && req.size > 0 ? Math.max(returned, (await eqlCount(request)).count) : returned;
    const suppressed = await suppressedCounts(req, now, req.suppressedSample ?? 0);
    const partial = [partialReason(res), suppressed.partial].filter((p): p is string => p !== null);
    return {
      events: events.slice(0, req.size),
      sequences: sequences.slice(0, req.size),
      total,
      suppressed: suppressed.total,
      suppressedByItem: suppressed.byItem,
      suppressedEvents: suppressed.sample,
      partial: partial.length > 0 ? partial.join('; ') : null,
    };
  }

  /** The events of one session, oldest first (`limit + 1` asked for, to tell whether it was cut). */
  const searchSession = (what: string, entryLeaderEntityId: string, limit: number, opts: { processOnly?: boolean; source?: string[] } = {}) =>
    withRetry(
      what,
      () =>
        client.search<Source>({
          index: ctx.eventIndices,
          allow_no_indices: true,
          ignore_unavailable: true,
          size: limit + 1,
          ...(opts.source ? { _source: opts.source } : {}),
          query: { bool: { filter: [{ term: { 'process.entry_leader.entity_id': entryLeaderEntityId } }, ...(opts.processOnly ? [{ term: { 'event.category': 'process' } }] : [])] } },
          sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }, { 'process.start': { order: 'asc', unmapped_type: 'date' } }],
        }),
      retry,
      log,
    );

  async function sessionEvents(entryLeaderEntityId: string, limit: number): Promise<{ events: EventHit[]; truncated: boolean }> {
    const res = await searchSession('session search', entryLeaderEntityId, limit);
    const hits = res.hits.hits.map((h) => ({ _index: h._index, _id: h._id ?? '', _source: h._source ?? {} }));
    return { events: hits.slice(0, limit), truncated: hits.length > limit };
  }

  async function sessionProcesses(entryLeaderEntityId: string, limit: number): Promise<{ processes: SessionProcessFacts[]; truncated: boolean }> {
    const res = await searchSession('session processes search', entryLeaderEntityId, limit, {
      processOnly: true,
      source: ['process.entity_id', 'process.parent.entity_id', 'process.name', 'process.executable', 'process.args', 'process.working_directory', 'process.start', '@timestamp'],
    });
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
    const processes = res.hits.hits.slice(0, limit).map((h): SessionProcessFacts => {
      const s = h._source ?? {};
      const args = getPath(s, 'process.args');
      return {
        entity_id: text(getPath(s, 'process.entity_id')),
        parent_entity_id: text(getPath(s, 'process.parent.entity_id')),
        name: text(getPath(s, 'process.name')),
        executable: text(getPath(s, 'process.executable')),
        args: (Array.isArray(args) ? args : args === undefined ? [] : [args]).filter((a): a is string => typeof a === 'string'),
        working_directory: text(getPath(s, 'process.working_directory')),
        start: text(getPath(s, 'process.start')) ?? text(getPath(s, '@timestamp')),
      };
    });
    return { processes, truncated: res.hits.hits.length > limit };
  }

  async function sessionSize(entryLeaderEntityId: string): Promise<number> {
    const res = await withRetry(
      'session size',
      () =>
        client.count({
          index: ctx.eventIndices,
          allow_no_indices: true,
          ignore_unavailable: true,
          query: { bool: { filter: [{ term: { 'process.entry_leader.entity_id': entryLeaderEntityId } }] } },
        }),
      retry,
      log,
    );
    return res.count;
  }

  async function relatedEvents(field: string, value: string, range: { from: number; to: number }, limit: number): Promise<{ total: number; events: EventHit[] }> {
    assertFieldName(field);
    const res = await withRetry(
      'related events search',
      () =>
        client.search<Source>({
          index: ctx.eventIndices,
          allow_no_indices: true,
          ignore_unavailable: true,
          size: limit,
          track_total_hits: true,
          query: {
            bool: {
              filter: [
                { term: { [field]: value } },
                { range: { '@timestamp': { gte: new Date(range.from).toISOString(), lte: new Date(range.to).toISOString(), format: 'strict_date_optional_time' } } },
              ],
            },
          },
          sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }],
        }),
      retry,
      log,
    );
    const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
    return { total, events: res.hits.hits.map((h) => ({ _index: h._index, _id: h._id ?? '', _source: h._source ?? {} })) };
  }

  async function count(): Promise<number> {
    try {
      const res = await withRetry('event count', () => client.count({ index: ctx.eventIndices, allow_no_indices: true, ignore_unavailable: true }), retry, log);
      return res.count;
    } catch (err) {
      log.warn('event count failed', { reason: describeEsError(err) });
      throw err;
    }
  }

  return { bulk, searchRule, sessionEvents, sessionProcesses, sessionSize, relatedEvents, count };
}
