import { errorBodySchema, type ErrorBody } from '@execwatch/api';
import type { z } from 'zod';

/** An error answered by the API, carrying its stable error id. */
export class ApiError extends Error {
  readonly id: string;
  readonly status: number;
  readonly details: unknown;

  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.id = body.error;
    this.status = body.status;
    this.details = body.details;
  }
}

/** Thrown when the server is unreachable or answers something that is not JSON. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

type QueryValue = string | number | boolean | string[] | undefined | null;

/** Builds `path?query` dropping empty values; arrays become comma-separated lists as the API expects. */
export function withQuery(path: string, query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as multipart instead of `body`. */
  formData?: FormData;
  signal?: AbortSignal;
}

/**
 * Sends a request to the API. State-changing requests carry the `execwatch-xsrf` header the server
 * requires; the session cookie travels on its own. An unreachable server is a NetworkError.
 */
export async function sendRequest(path: string, options: RequestOptions = {}): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['execwatch-xsrf'] = 'true';
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(path, {
      method,
      headers,
      body: options.formData ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError('The Execwatch server could not be reached.');
  }
}

/** The ApiError for a failed answer: its error body, or one made from the status. */
export function toApiError(json: unknown, status: number): ApiError {
  const parsed = errorBodySchema.safeParse(json);
  return new ApiError(parsed.success ? parsed.data : { error: 'http_error', message: `Request failed with HTTP ${status}`, status });
}

/** Reads a JSON answer (null when empty), throws its ApiError when it failed, and validates it with `schema`. */
export async function readAnswer<S extends z.ZodType>(path: string, response: Response, schema: S): Promise<z.infer<S>> {
  const text = await response.text();
  let json: unknown = null;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      throw new NetworkError(`Unexpected answer from the server (HTTP ${response.status}).`);
    }
  }
  if (!response.ok) throw toApiError(json, response.status);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new NetworkError(`The server answered ${path} in an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Calls the API and validates the answer with `schema` (see sendRequest). */
export async function apiRequest<S extends z.ZodType>(path: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
  return readAnswer(path, await sendRequest(path, options), schema);
}

/** A readable message for any error a query or mutation may throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
