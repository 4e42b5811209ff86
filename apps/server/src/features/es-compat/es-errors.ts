/**
 * Errors in Elasticsearch's shape, `{ "error": { "root_cause": [...], "type", "reason", ... }, "status": N }`, for the
 * Elasticsearch-compatible endpoints (Elastic clients read `error.type` and `error.reason`; the rest of the API keeps
 * Execwatch's `{ error, message, status }`).
 */
import type { ErrorRequestHandler, Response } from 'express';
import { HttpError } from '../../http/errors';

/** Fields Elasticsearch puts beside `type` and `reason` (`index`, `resource.id`, ...). */
export type EsErrorFields = Record<string, string>;

export interface EsErrorCause extends EsErrorFields {
  type: string;
  reason: string;
}

export interface EsErrorBody {
  error: { root_cause: EsErrorCause[]; type: string; reason: string; [field: string]: string | EsErrorCause[] };
  status: number;
}

/** An error answered in Elasticsearch's shape. */
export class ElasticsearchError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly fields: EsErrorFields = {},
    readonly headers: Record<string, string | string[]> = {},
  ) {
    super(reason);
    this.name = 'ElasticsearchError';
  }

  toBody(): EsErrorBody {
    const cause: EsErrorCause = { ...this.fields, type: this.type, reason: this.reason };
    return { error: { root_cause: [cause], ...cause }, status: this.status };
  }
}

/** Whether `body` is an error in Elasticsearch's shape (for tests and callers that accept both shapes). */
export function isElasticsearchErrorBody(body: unknown): body is EsErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body) || !('status' in body)) return false;
  const { error, status } = body;
  return (
    typeof status === 'number' &&
    typeof error === 'object' &&
    error !== null &&
    'type' in error &&
    typeof error.type === 'string' &&
    'reason' in error &&
    typeof error.reason === 'string' &&
    'root_cause' in error &&
    Array.isArray(error.root_cause)
  );
}

/** The Elasticsearch exception type a cluster answers with for a status, when nothing more specific is known. */
function typeForStatus(status: number): string {
  if (status === 401 || status === 403) return 'security_exception';
  if (status === 404) return 'resource_not_found_exception';
  if (status === 406 || status === 415) return 'media_type_header_exception';
  if (status === 429) return 'es_rejected_execution_exception';
  if (status >= 500) return 'exception';
  return 'illegal_argument_exception';
}

/** An Execwatch HttpError (validation, authentication, authorization) as Elasticsearch would say it. */
export function fromHttpError(err: HttpError): ElasticsearchError {
  const headers: Record<string, string | string[]> = { ...err.headers };
  // Elasticsearch offers both schemes it accepts; a challenge left out (browsers) stays out.
  const challenge = err.headers['WWW-Authenticate'];
  if (challenge !== undefined) headers['WWW-Authenticate'] = [challenge, 'ApiKey'];
  return new ElasticsearchError(err.status, typeForStatus(err.status), err.message, {}, headers);
}

export const indexNotFound = (index: string) =>
  new ElasticsearchError(404, 'index_not_found_exception', `no such index [${index}]`, { 'resource.type': 'index_or_alias', 'resource.id': index, index_uuid: '_na_', index });

export const resourceNotFound = (reason: string) => new ElasticsearchError(404, 'resource_not_found_exception', reason);

export const noHandler = (method: string, path: string) => resourceNotFound(`no handler found for uri [${path}] and method [${method}]`);

/** Answers `err` in Elasticsearch's shape. */
export function sendElasticsearchError(res: Response, err: ElasticsearchError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json(err.toBody());
}

/**
 * Error middleware of the Elasticsearch-compatible routes: their own errors and the HttpErrors of validation,
 * authentication and authorization in Elasticsearch's shape; anything else goes on to the app's error handler.
 */
export const elasticsearchErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof ElasticsearchError) return sendElasticsearchError(res, err);
  if (err instanceof HttpError) return sendElasticsearchError(res, fromHttpError(err));
  // Express could not decode a path parameter (`/%E0`)
  if (err instanceof URIError) return sendElasticsearchError(res, new ElasticsearchError(400, 'illegal_argument_exception', 'the request path is not valid percent-encoded UTF-8'));
  next(err);
};
