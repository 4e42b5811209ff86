import { Router, type Request, type Response } from 'express';
import type { RouteContext } from '../http/context';
import { ErrorIds } from '@execwatch/api';
import { HttpError, badRequest, payloadTooLarge } from '../http/errors';
import { mergeBulkResults, parseBulkLines } from './parse-bulk';
import { BodyReadError, parseByteLimit, readBodyLines } from './read-lines';

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
  const limitBytes = parseByteLimit(limit);
  const router = Router();
  // The body is split into lines while it streams in (gzip and deflate decoded on the way): the whole
  // body never exists as one buffer plus one string, which halves the memory of concurrent requests.
  const readLines = async (req: Request): Promise<string[]> => {
    try {
      return await readBodyLines(req, limitBytes);
    } catch (e) {
      if (!(e instanceof BodyReadError)) throw e;
      if (e.status === 413) throw payloadTooLarge(limit);
      throw new HttpError(e.status, e.status === 415 ? 'unsupported_media_type' : ErrorIds.validation, e.message);
    }
  };
  const handle = async (req: Request, res: Response) => {
    const started = performance.now();
    const lines = await readLines(req);
    const indexParam = req.params.index;
    const defaultIndex = typeof indexParam === 'string' ? indexParam : undefined;
    const parsed = parseBulkLines(lines, defaultIndex);
    lines.length = 0;
    if (parsed.items === 0) throw badRequest('the bulk request has no operations');
    const stored = await ctx.store.events.bulk(parsed.operations, ctx.now());
    const items = mergeBulkResults(parsed, stored);
    res.json({
      took: Math.round(performance.now() - started),
      errors: items.some((r) => r.error !== undefined),
      items: items.map(presentItem),
    });
  };
  router.post(['/_bulk', '/:index/_bulk'], ctx.authorize('ingest'), handle);
  return router;
}
