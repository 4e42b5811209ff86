import type { z } from 'zod';
import { readAnswer, sendRequest, toApiError, type RequestOptions } from '../../../lib/http';
import { parseWarningHeader } from './warnings';

/** A parsed answer with the validation warnings the server sent in `Warning` headers. */
export interface WithWarnings<T> {
  data: T;
  warnings: string[];
}

type RawOptions = Pick<RequestOptions, 'body' | 'formData'> & { method: 'POST' | 'PUT' };

/** Like `apiRequest`, for the calls whose headers matter (validation warnings) or whose body is multipart. */
export async function exceptionsRequest<S extends z.ZodType>(path: string, schema: S, options: RawOptions): Promise<WithWarnings<z.infer<S>>> {
  const response = await sendRequest(path, options);
  const data = await readAnswer(path, response, schema);
  return { data, warnings: parseWarningHeader(response.headers.get('warning')) };
}

/** Fetches a file the server sends as an attachment; returns its text and suggested name. */
export async function downloadRequest(path: string): Promise<{ text: string; filename: string | null }> {
  const response = await sendRequest(path, { method: 'POST' });
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
