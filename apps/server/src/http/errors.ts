import { ErrorIds, type ErrorBody, type ErrorId } from '@execwatch/api';

/** An error meant for the client: a stable id, a safe message and an HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly id: ErrorId | string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): ErrorBody {
    return { error: this.id, message: this.message, status: this.status, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, ErrorIds.validation, message, details);
export const notFound = (what: string) => new HttpError(404, ErrorIds.notFound, `${what} not found`);
export const unauthenticated = (message = 'authentication required') =>
  new HttpError(401, ErrorIds.unauthenticated, message, undefined, { 'WWW-Authenticate': 'Basic realm="execwatch", charset="UTF-8"' });
export const forbidden = (message: string) => new HttpError(403, ErrorIds.forbidden, message);
export const conflict = (message: string) => new HttpError(409, ErrorIds.conflict, message);
export const payloadTooLarge = (limit: string) => new HttpError(413, ErrorIds.payloadTooLarge, `request body exceeds ${limit}`);
export const rateLimited = (retryAfterS: number) =>
  new HttpError(429, ErrorIds.rateLimited, `too many attempts; retry in ${retryAfterS}s`, undefined, { 'Retry-After': String(retryAfterS) });
export const unavailable = (message: string) => new HttpError(503, ErrorIds.unavailable, message);
