/** Elasticsearch's answer to a request it has no room for now: 429 `es_rejected_execution_exception`, to be sent again. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body Elasticsearch sends with a rejected execution. */
export function esRejectionBody(reason: string): { error: { root_cause: { type: string; reason: string }[]; type: string; reason: string }; status: 429 } {
  const type = 'es_rejected_execution_exception';
  return { error: { root_cause: [{ type, reason }], type, reason }, status: 429 };
}

/** Bodies up to this size that are still arriving are read to their end and dropped, so the connection stays usable. */
const DRAIN_MAX_BYTES = 1024 * 1024;

/**
 * Whether a request refused before its body was read should end its connection: when a large body (or one of
 * unknown length) is still to come, reading it only to drop it would cost more than the client reconnecting.
 */
function mustClose(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const declared = Number(req.headers['content-length']);
  return !(Number.isFinite(declared) && declared <= DRAIN_MAX_BYTES);
}

/** Answers 429 in Elasticsearch's shape with `Retry-After` (shippers back off and send the request again). */
export function sendEsRejection(req: IncomingMessage, res: ServerResponse, reason: string, retryAfterSeconds: number): void {
  if (res.headersSent) return;
  const body = JSON.stringify(esRejectionBody(reason));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': String(retryAfterSeconds),
    'x-elastic-product': 'Elasticsearch',
    'x-content-type-options': 'nosniff',
  };
  if (mustClose(req)) headers.connection = 'close';
  res.writeHead(429, headers);
  res.end(body);
}
