import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { RouteContext } from '../http/context';
import { badRequest, payloadTooLarge } from '../http/errors';
import { mergeBulkResults, parseBulkBody } from './parse-bulk';

const BODY_LIMIT = '100mb';

/** One bulk response item in Elasticsearch's shape: `{ "<action>": { _index, _id, status, result?, error? } }`. */
function presentItem(r: ReturnType<typeof mergeBulkResults>[number]): Record<string, unknown> {
  const body: Record<string, unknown> = { _index: r._index, _id: r._id, status: r.status };
  if (r.result !== undefined) {
    body.result = r.result;
    body._version = 1;
  }
  if (r.error !== undefined) body.error = r.error;
  return { [r.action]: body };
}

/**
 * Elasticsearch's bulk ingest: `POST /_bulk` and `POST /{index}/_bulk` (NDJSON `index`/`create`).
 * One store transaction per request; a bad item fails alone. `?refresh` is accepted and ignored
 * (everything is searchable once the response is sent). `opts.bodyLimit` defaults to 100mb.
 */
export function bulkRoutes(ctx: RouteContext, opts: { bodyLimit?: string } = {}): Router {
  const limit = opts.bodyLimit ?? BODY_LIMIT;
  const router = Router();
  const raw = express.raw({ type: () => true, limit });
  const handle = async (req: Request, res: Response) => {
    const started = performance.now();
    const body: unknown = req.body;
    const buf = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const indexParam = req.params.index;
    const defaultIndex = typeof indexParam === 'string' ? indexParam : undefined;
    const parsed = parseBulkBody(buf, defaultIndex);
    if (parsed.items === 0) throw badRequest('the bulk request has no operations');
    const stored = await ctx.store.events.bulk(parsed.operations, ctx.now());
    const items = mergeBulkResults(parsed, stored);
    res.json({
      took: Math.round(performance.now() - started),
      errors: items.some((r) => r.error !== undefined),
      items: items.map(presentItem),
    });
  };
  router.post(['/_bulk', '/:index/_bulk'], ctx.authorize('ingest'), raw, handle);
  const tooLarge: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
    const type = typeof err === 'object' && err !== null && 'type' in err ? err.type : undefined;
    next(type === 'entity.too.large' ? payloadTooLarge(limit) : err);
  };
  router.use(tooLarge);
  return router;
}
