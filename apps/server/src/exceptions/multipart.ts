/** A small bounded reader for one file field of a `multipart/form-data` body (Kibana's import upload). */
import type { Request } from 'express';
import { badRequest, payloadTooLarge } from '../http/errors';

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

/** Reads the raw request body, refusing more than `limit` bytes. */
export async function readRawBody(req: Request, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) throw payloadTooLarge(`${Math.round(limit / 1024 / 1024)}mb`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** The boundary of a multipart content type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return null;
  const m = /boundary=(?:"([^"]{1,200})"|([^;\s]{1,200}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

/** The content of the part named `field`, or null when the body has none. */
export function multipartField(body: Buffer, boundary: string, field: string): Buffer | null {
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return null;
    const next = body.indexOf(delimiter, start);
    if (next === -1) return null;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
      if (name === field) {
        let content = part.subarray(headerEnd + 4);
        if (content.subarray(content.length - 2).toString() === '\r\n') content = content.subarray(0, content.length - 2);
        return content;
      }
    }
    pos = next;
  }
  return null;
}

/** The uploaded file of an import request: multipart field `file`, or a raw ndjson body. */
export async function readImportFile(req: Request): Promise<string> {
  const contentType = req.headers['content-type'];
  const boundary = multipartBoundary(contentType);
  if (boundary === null && !/^(application\/(x-)?ndjson|text\/plain)/i.test(contentType ?? '')) {
    throw badRequest('expected a multipart/form-data body with a "file" field holding the ndjson export');
  }
  const body = await readRawBody(req, MAX_IMPORT_BYTES);
  if (boundary === null) return body.toString('utf8');
  const file = multipartField(body, boundary, 'file');
  if (file === null) throw badRequest('multipart body has no "file" field');
  return file.toString('utf8');
}
