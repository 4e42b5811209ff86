import type { Request } from 'express';

/** The client's address (Express's `req.ip`, which honours the app's `trust proxy` setting), IPv4-mapped prefixes removed. */
export function sourceIp(req: Request): string {
  const raw = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  return raw.startsWith('::ffff:') ? raw.slice('::ffff:'.length) : raw;
}
