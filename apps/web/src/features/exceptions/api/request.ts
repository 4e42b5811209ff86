import { errorBodySchema } from '@execwatch/api';
import type { z } from 'zod';
import { ApiError, NetworkError } from '../../../lib/http';
import { parseWarningHeader } from './warnings';

/** A parsed answer with the validation warnings the server sent in `Warning` headers. */
export interface WithWarnings<T> {
  data: T;
  warnings: string[];
}

interface RawOptions {
  method: 'POST' | 'PUT';
  body?: unknown;
  formData?: FormData;
}

/**
 * Like `apiRequest`, for the calls whose headers matter (validation warnings) or whose body is multipart.
 * Sends the `execwatch-xsrf` header every state-changing request needs.
 */
export async function exceptionsRequest<S extends z.ZodType>(path: string, schema: S, options: RawOptions): Promise<WithWarnings<z.infer<S>>> {
  const response = await send(path, options);
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
  if (!parsed.success) throw new NetworkError(`The server answered ${path} in an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return { data: parsed.data, warnings: parseWarningHeader(response.headers.get('warning')) };
}

/** Fetches a file the server sends as an attachment; returns its text and suggested name. */
export async function downloadRequest(path: string): Promise<{ text: string; filename: string | null }> {
  const response = await send(path, { method: 'POST' });
  const text = await response.text();
  if (!response.ok) {
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // a non-JSON error body: the status says enough
    }
    throw toApiError(json, response.status);
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition);
  return { text, filename: name ? name[1] : null };
}

async function send(path: string, options: RawOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', 'execwatch-xsrf': 'true' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(path, {
      method: options.method,
      headers,
      body: options.formData ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      credentials: 'same-origin',
    });
  } catch {
    throw new NetworkError('The Execwatch server could not be reached.');
  }
}

function toApiError(json: unknown, status: number): ApiError {
  const parsed = errorBodySchema.safeParse(json);
  return new ApiError(parsed.success ? parsed.data : { error: 'http_error', message: `Request failed with HTTP ${status}`, status });
}
