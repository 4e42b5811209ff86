/**
 * Test support: how the fake cluster answers `_eql/search` when no responder is set. The request's
 * filter is compiled with @execwatch/eql's `compileQueryDsl` and the query run by its `search()` over
 * the stored documents of the indices the request's patterns name, so rule runs really find events.
 */
import { compileQueryDsl, EqlRequestError, EqlSyntaxError, search, type EqlSearchRequest } from '@execwatch/eql';

type Json = Record<string, unknown>;

/** A stored document as the eql search sees it: a search hit. */
export interface EqlDoc {
  _index: string;
  _id: string;
  _source: Json;
}

/** Date fields of Defend for Containers events (range filters compare them as dates, not strings). */
export const EVENT_DATE_MAPPINGS = {
  properties: {
    '@timestamp': { type: 'date' },
    event: { properties: { ingested: { type: 'date' }, created: { type: 'date' } } },
    process: { properties: { start: { type: 'date' }, end: { type: 'date' } } },
  },
};

/** Whether an index name matches a comma-separated list of names and `*` patterns. */
export function matchesIndexPatterns(index: string, patterns: string): boolean {
  return patterns
    .split(',')
    .filter((p) => p.length > 0)
    .some((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`).test(index));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** The EQL-request fields `search()` understands, read from the request body the client sent. */
function toSearchRequest(body: Json): EqlSearchRequest {
  if (typeof body.query !== 'string') throw new EqlRequestError('[query] is required');
  const req: EqlSearchRequest = { query: body.query };
  if (typeof body.timestamp_field === 'string') req.timestamp_field = body.timestamp_field;
  if (typeof body.tiebreaker_field === 'string') req.tiebreaker_field = body.tiebreaker_field;
  if (typeof body.event_category_field === 'string') req.event_category_field = body.event_category_field;
  if (typeof body.size === 'number') req.size = body.size;
  if (body.result_position === 'head' || body.result_position === 'tail') req.result_position = body.result_position;
  return req;
}

/**
 * Runs an `_eql/search` body over documents: the filter first (compileQueryDsl), then the query.
 * Returns the response body, or throws EqlRequestError / EqlSyntaxError for a request the cluster would refuse.
 */
export function answerEqlSearch(docs: EqlDoc[], body: Json, now: number): Json {
  const request = toSearchRequest(body);
  const timestampField = request.timestamp_field ?? '@timestamp';
  const accept = body.filter === undefined ? () => true : compileQueryDsl(body.filter, { mappings: EVENT_DATE_MAPPINGS, timestampField, now });
  const hits = search(
    docs.filter((d) => accept(d._source)),
    request,
    { mappings: EVENT_DATE_MAPPINGS, now },
  );
  return { is_partial: false, is_running: false, took: 1, timed_out: false, hits };
}

/** True for the errors `answerEqlSearch` throws on a bad request (the cluster answers them with 400). */
export function isEqlRequestError(err: unknown): err is Error {
  return err instanceof EqlRequestError || err instanceof EqlSyntaxError;
}
