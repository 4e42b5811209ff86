import type { Request, Response, Router } from 'express';
import type { RouteContext } from '../http/context';
import type { BulkItemResult, BulkOperation } from '../store/ports';
import { ErrorIds } from '@execwatch/api';
import { HttpError, badRequest, payloadTooLarge } from '../http/errors';
import { mountRoutes, routes, type Route } from '../http/route';
import { mapRawAuditOperations } from '../features/attribution/routes';
import { mergeBulkResults, parseBulkLines, type ParsedBulkBody } from './parse-bulk';
import { BodyBudget, TurnRefused, Turns } from './admission';
import { BULK_DEFAULTS, configuredBulkLimits, type BulkIngestOptions } from './bulk-limits';
import { BodySlabs } from './body-slabs';
import { coerceOperations } from './coerce';
import { applyIngestLane, type IngestLane } from './lane';
import { sendEsRejection } from './es-rejection';
import { refuseIngestWhenDiskLow } from '../features/storage/disk-guard';
import { BodyReadError, parseByteLimit, readBodyLines } from './read-lines';

export type { BulkIngestOptions } from './bulk-limits';

/** One bulk response item in Elasticsearch's shape: `{ "<action>": { _index, _id, status, result?, error? } }`. */
function presentItem(r: BulkItemResult): Record<string, unknown> {
  const body: Record<string, unknown> = { _index: r._index, _id: r._id, status: r.status };
  if (r.result !== undefined) {
    body.result = r.result;
    body._version = 1;
  }
  if (r.error !== undefined) body.error = r.error;
  return { [r.action]: body };
}

/**
 * Raw audit events become the integration's documents (mapRawAuditOperations). A document that cannot be
 * mapped (one that nests deep enough to run the mapping out of stack, say) fails its own item, not the request.
 */
function mapAuditDocuments(parsed: ParsedBulkBody, ingested: string): void {
  try {
    parsed.operations = mapRawAuditOperations(parsed.operations, ingested);
    return;
  } catch {
    // one by one below, to find the operations that fail
  }
  const failed = new Map<number, BulkItemResult>();
  const mapped: BulkOperation[] = [];
  parsed.operations.forEach((op, k) => {
    try {
      mapped.push(...mapRawAuditOperations([op], ingested));
    } catch (e) {
      failed.set(k, { action: op.action, _index: op.index, _id: op.id ?? null, status: 400, error: { type: 'document_parsing_exception', reason: `[${op.line}:1] failed to parse: the audit event could not be mapped (${e instanceof Error ? e.message : String(e)})` } });
    }
  });
  if (failed.size === 0) {
    parsed.operations = mapped;
    return;
  }
  // operations fill the positions parse errors left free, in order: find each failed one's
  const taken = new Set(parsed.errors.map((e) => e.position));
  let k = 0;
  for (let position = 0; position < parsed.items; position++) {
    if (taken.has(position)) continue;
    const result = failed.get(k);
    const op = parsed.operations[k] as BulkOperation; // k counts the operations, one per free position
    if (result) parsed.errors.push({ position, line: op.line, result });
    k++;
  }
  parsed.operations = mapped;
}

/** What a bulk ingest instance holds now (tests and diagnostics). */
export interface BulkIngestState {
  bodies: number;
  bytes: number;
  busy: number;
  waiting: number;
}

/**
 * Elasticsearch's bulk ingest: `POST /_bulk` and `POST /{index}/_bulk` (NDJSON `index`/`create`).
 * One store transaction per request (per part of a large one: see the embedded event store's bulk); a bad item fails alone. `?refresh` is accepted and ignored
 * (everything is searchable once the response is sent). See BulkIngestOptions for the limits.
 *
 * A request's body is received first, bounded by the body limit, the buffer limits and its deadlines; only then
 * does it wait for one of `concurrency` turns to be prepared and stored. A slow or stalled sender thus holds
 * memory for its own body, never a turn, and a client that leaves frees what it held at once (before its
 * turn, nothing of it is stored: it will send the request again).
 */
export function createBulkIngest(ctx: RouteContext, options: BulkIngestOptions = {}, lane?: IngestLane): { router: Router; state(): BulkIngestState } {
  const o: Required<BulkIngestOptions> = { ...BULK_DEFAULTS, ...configuredBulkLimits(), ...options };
  const holdMs = options.turnHoldMs ?? configuredBulkLimits().turnHoldMs ?? o.turnTimeoutMs;
  const limit = o.bodyLimit;
  const limitBytes = parseByteLimit(limit);
  const documentBytes = parseByteLimit(o.documentLimit);
  const budget = new BodyBudget(o.maxBodies, parseByteLimit(o.bufferLimit));
  const turns = new Turns(o.concurrency);
  // Bodies being stored reuse slabs (one prepared off-thread, one inserted, one waiting, one being received).
  const slabs = new BodySlabs(o.concurrency + 1);
  const reject = (req: Request, res: Response, reason: string) => sendEsRejection(req, res, `rejected execution of bulk request: ${reason}`, o.retryAfterSeconds);

  const readError = (e: BodyReadError): HttpError => {
    if (e.status === 413) return payloadTooLarge(limit);
    // a request that took too long ends its connection: the rest of its body is not waited for
    if (e.status === 408) return new HttpError(408, 'request_timeout', e.message, undefined, { Connection: 'close' });
    return new HttpError(e.status, e.status === 415 ? 'unsupported_media_type' : ErrorIds.validation, e.message);
  };

  const handle = async (req: Request, res: Response): Promise<void> => {
    if (refuseIngestWhenDiskLow(ctx.store, req, res, typeof req.params.index === 'string' ? req.params.index : undefined)) return;
    const started = performance.now();
    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) gone.abort();
    };
    res.on('close', onClose);
    const hold = budget.admit();
    if (!hold) {
      reject(req, res, `[${o.maxBodies}] request bodies are held already; send it again later`);
      res.off('close', onClose);
      return;
    }
    // the body's slab is reused once the request is stored (nothing reads the lines after that)
    const lease = slabs.lease();
    try {
      let lines: Buffer[];
      try {
        lines = await readBodyLines(req, limitBytes, lease.alloc, { deadlineMs: o.bodyTimeoutMs, idleTimeoutMs: o.idleTimeoutMs, signal: gone.signal, onGrow: hold.grow });
      } catch (e) {
        if (!(e instanceof BodyReadError)) throw e;
        if (gone.signal.aborted) return; // nobody to answer
        if (e.status === 429) {
          reject(req, res, `the request bodies held would exceed [${o.bufferLimit}]; send it again later`);
          return;
        }
        throw readError(e);
      }
      const indexParam = req.params.index;
      const parsed = parseBulkLines(lines, typeof indexParam === 'string' ? indexParam : undefined, { maxSourceBytes: documentBytes });
      lines.length = 0;
      if (parsed.items === 0) throw badRequest('the bulk request has no operations');
      // outside the ingest lane, an item fails alone (lane.ts); string booleans and numbers as the mapping takes them
      if (lane) applyIngestLane(parsed, lane);
      coerceOperations(parsed.operations);
      let release: () => void;
      try {
        release = await turns.acquire({ waitMs: o.turnTimeoutMs, signal: gone.signal });
      } catch (e) {
        if (!(e instanceof TurnRefused)) throw e;
        if (e.reason === 'timeout') reject(req, res, 'no turn to store it came free in time; send it again later');
        return;
      }
      const overdue = setTimeout(() => {
        ctx.log.warn('a bulk request held its turn past the deadline; the next one goes ahead', { turn_holdMs: holdMs, items: parsed.items });
        release();
      }, holdMs);
      let stored: BulkItemResult[];
      try {
        // a client that left before its turn sends the request again: storing it now would store it twice
        if (gone.signal.aborted) return;
        const at = ctx.now();
        mapAuditDocuments(parsed, new Date(at).toISOString());
        stored = parsed.operations.length > 0 ? await ctx.store.events.bulk(parsed.operations, at) : [];
      } finally {
        clearTimeout(overdue);
        release();
      }
      const items = mergeBulkResults(parsed, stored);
      // JSON.stringify of objects was measured faster than writing the JSON item by item (0.85 vs 1.2 µs an item)
      res.json({
        took: Math.round(performance.now() - started),
        errors: items.some((r) => r.error !== undefined),
        items: items.map(presentItem),
      });
    } finally {
      lease.release();
      hold.release();
      res.off('close', onClose);
    }
  };
  return {
    router: mountRoutes(bulkIngestRoutes, { handle }, ctx),
    state: () => ({ ...budget.state, ...turns.state }),
  };
}

/** The bulk API's routes (see createBulkIngest). */
export function bulkRoutes(ctx: RouteContext, options: BulkIngestOptions = {}, lane?: IngestLane): Router {
  return createBulkIngest(ctx, options, lane).router;
}

interface BulkRouteDeps {
  handle(req: Request, res: Response): Promise<void>;
}

const route = routes<BulkRouteDeps>();
const bulk = (path: string) =>
  route({
    method: 'POST',
    path,
    requires: 'ingest',
    summary: 'ingest, Elasticsearch bulk format and response (a bad item fails alone)',
    // Never read by the JSON parser: the body is streamed line by line into the store.
    bodyKind: 'stream',
    handler: ({ req, res }, { handle }) => handle(req, res),
  });

/** Elasticsearch's bulk API. */
export const bulkIngestRoutes: Route<BulkRouteDeps>[] = [bulk('/_bulk'), bulk('/:index/_bulk')];
