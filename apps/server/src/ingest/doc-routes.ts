/**
 * Elasticsearch's single-document writes: `POST /{index}/_doc`, `PUT|POST /{index}/_doc/{id}` and
 * `PUT|POST /{index}/_create/{id}`. Each is one bulk item (`index` or `create`) through the same ingest lane,
 * coercion and store as the bulk API, answered as a cluster answers (201 and the write result, or an
 * Elasticsearch-shaped error).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { RouteContext } from '../http/context';
import { mountRoutes, Reply, routes, type Route } from '../http/route';
import { mapRawAuditOperations } from '../features/attribution/routes';
import { ElasticsearchError, elasticsearchErrors } from '../features/es-compat/es-errors';
import { invalidIndexName } from '../features/es-compat/names';
import { readJsonBody } from '../features/es-compat/schemas';
import { refuseIngestWhenDiskLow } from '../features/storage/disk-guard';
import type { BulkItemResult, BulkOperation, Store } from '../store/ports';
import { BULK_DEFAULTS, configuredBulkLimits } from './bulk-limits';
import { coerceOperations } from './coerce';
import type { IngestLane } from './lane';

interface DocRouteDeps {
  store: Store;
  now: () => number;
  lane: IngestLane | null;
  write(req: Request, res: Response, op: { action: 'index' | 'create'; index: string; id?: string }): Promise<unknown>;
}

const indexOnly = z.object({ index: z.string() });
const indexAndId = z.object({ index: z.string(), id: z.string().min(1).max(512) });
const writeQuery = z.looseObject({ op_type: z.enum(['index', 'create']).optional() });

/** The write result Elasticsearch answers for a created document. */
function presentWrite(r: BulkItemResult): Reply {
  if (r.error) {
    throw new ElasticsearchError(r.status, r.error.type, r.error.reason, r.status === 409 ? { index: r._index, index_uuid: '_na_', shard: '0' } : {});
  }
  return new Reply(201, {
    _index: r._index,
    _id: r._id,
    _version: 1,
    result: r.result ?? 'created',
    _shards: { total: 1, successful: 1, failed: 0 },
    _seq_no: 0,
    _primary_term: 1,
  });
}

/** Writes one document as one bulk item (see the module comment). */
async function writeOne(deps: Omit<DocRouteDeps, 'write'>, req: Request, res: Response, target: { action: 'index' | 'create'; index: string; id?: string }): Promise<unknown> {
  if (refuseIngestWhenDiskLow(deps.store, req, res, target.index)) return undefined;
  const invalid = invalidIndexName(target.index);
  if (invalid) throw new ElasticsearchError(400, 'invalid_index_name_exception', `Invalid index name [${target.index.slice(0, 300)}], ${invalid}`, { index: target.index.slice(0, 300), index_uuid: '_na_' });
  const refusal = deps.lane?.check(target.index) ?? null;
  if (refusal) {
    req.resume();
    throw new ElasticsearchError(403, refusal.type, refusal.reason);
  }
  const body = await readJsonBody(req, res, configuredBulkLimits().documentLimit ?? BULK_DEFAULTS.documentLimit);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ElasticsearchError(400, 'document_parsing_exception', '[1:1] failed to parse: the document must be a JSON object');
  const at = deps.now();
  const op: BulkOperation = { action: target.action, index: target.index, source: JSON.stringify(body), line: 1, ...(target.id !== undefined ? { id: target.id } : {}) };
  const ops = mapRawAuditOperations([op], new Date(at).toISOString());
  coerceOperations(ops);
  const [stored] = await deps.store.events.bulk(ops, at);
  if (!stored) throw new ElasticsearchError(500, 'exception', 'the document was not stored');
  return presentWrite(stored);
}

const route = routes<DocRouteDeps>();
const summaryOf = {
  doc: 'one document, a new id (as a bulk `create` item: the ingest lane and coercion apply; Elasticsearch-shaped errors)',
  docId: 'one document with its id (`?op_type=create` refuses an existing id with 409)',
  create: 'one document with its id, refused with 409 `version_conflict_engine_exception` when it exists',
};

/** The single-document write routes (POST and PUT where Elasticsearch takes both). */
export const documentWriteRoutes: Route<DocRouteDeps>[] = [
  route({
    method: 'POST',
    path: '/:index/_doc',
    requires: 'ingest',
    summary: summaryOf.doc,
    params: indexOnly,
    bodyKind: 'stream',
    // without an id, a write only ever creates (as a data stream takes it)
    handler: ({ params, req, res }, d) => d.write(req, res, { action: 'create', index: params.index }),
  }),
  ...(['PUT', 'POST'] as const).flatMap((method) => [
    route({
      method,
      path: '/:index/_doc/:id',
      requires: 'ingest',
      summary: summaryOf.docId,
      params: indexAndId,
      query: writeQuery,
      bodyKind: 'stream',
      handler: ({ params, query, req, res }, d) => d.write(req, res, { action: query.op_type === 'create' ? 'create' : 'index', index: params.index, id: params.id }),
    }),
    route({
      method,
      path: '/:index/_create/:id',
      requires: 'ingest',
      summary: summaryOf.create,
      params: indexAndId,
      bodyKind: 'stream',
      handler: ({ params, req, res }, d) => d.write(req, res, { action: 'create', index: params.index, id: params.id }),
    }),
  ]),
];

/** The routes over a store and a lane, with Elasticsearch-shaped errors. */
export function documentWriteRouter(ctx: RouteContext, lane: IngestLane | null): Router {
  const base = { store: ctx.store, now: ctx.now, lane };
  const router = Router();
  router.use(mountRoutes(documentWriteRoutes, { ...base, write: (req, res, target) => writeOne(base, req, res, target) }, ctx));
  router.use(elasticsearchErrors);
  return router;
}
