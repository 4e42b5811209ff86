/**
 * Compresses answers for clients that ask (Accept-Encoding), once they pass about 1 kB: the alert list and the
 * stats, rule and exception answers shrink five- to tenfold. Left alone: HEAD (the middleware never compresses
 * it), what is already encoded (the web app's precompressed assets), byte ranges (a range of an encoding made
 * on the fly would mean nothing), and streamed answers (ndjson exports, event streams), which a compressor
 * would hold back until it had a block's worth.
 */
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

/** Answers smaller than this go as they are: compressing them saves less than it costs. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

const STREAMED = /^(?:application\/(?:[\w.+-]+\+)?(?:x-)?ndjson|text\/event-stream)\b/i;

function shouldCompress(req: Request, res: Response): boolean {
  if (req.headers.range !== undefined) return false;
  const type = res.getHeader('Content-Type');
  if (typeof type === 'string' && STREAMED.test(type)) return false;
  return compression.filter(req, res);
}

/** The compression middleware with Execwatch's threshold and exclusions (see the file comment). */
export function compressResponses(): RequestHandler {
  return compression({ threshold: COMPRESS_THRESHOLD_BYTES, filter: shouldCompress });
}
