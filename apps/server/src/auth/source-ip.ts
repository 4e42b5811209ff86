import { BlockList, isIP } from 'node:net';
import type { Request } from 'express';
import { z } from 'zod';

/** The client address of a request, as sign-in limits and the audit log see it. */
export type SourceIp = (req: Request) => string;

/** The environment variable naming the reverse proxies whose `X-Forwarded-For` is believed. */
export const TRUSTED_PROXIES_ENV = 'EXECWATCH_TRUSTED_PROXIES';

const MAX_HOPS = 32;

/** IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) as plain IPv4, so both forms are one address. */
function normalize(address: string): string {
  const a = address.trim();
  return a.toLowerCase().startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** An `X-Forwarded-For` entry without the port or brackets some proxies add (`[::1]:443`, `10.0.0.1:5611`). */
function hopAddress(entry: string): string {
  const e = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(e);
  if (bracketed?.[1] !== undefined) return normalize(bracketed[1]);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(e);
  return normalize(v4WithPort?.[1] ?? e);
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

const trustedProxiesSchema = z
  .string()
  .optional()
  .transform((text) => (text ?? '').split(/[\s,]+/).filter((entry) => entry !== ''))
  .pipe(z.array(z.string().refine(isAddressOrCidr, { message: 'expected IP addresses or CIDR ranges (10.0.0.0/8, ::1), separated by commas' })));

/**
 * The trusted proxies from `EXECWATCH_TRUSTED_PROXIES` (addresses and CIDR ranges, separated by commas or spaces);
 * empty when unset. Throws naming the variable and the bad entry.
 */
export function trustedProxiesFromEnv(env: NodeJS.ProcessEnv): string[] {
  const parsed = trustedProxiesSchema.safeParse(env[TRUSTED_PROXIES_ENV]);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const bad = issue?.path.length ? `: entry ${String(issue.path[0])}` : '';
  throw new Error(`invalid configuration: ${TRUSTED_PROXIES_ENV}${bad}: ${issue?.message ?? 'invalid value'}`);
}

/** The client address from a connection's peer address and its `X-Forwarded-For` header value(s). */
export type ClientAddress = (peer: string | undefined, forwardedFor: string | string[] | undefined) => string;

/**
 * The client address of a request. Without trusted proxies it is the TCP peer, whatever headers say. With them,
 * `X-Forwarded-For` is read only when the peer is one of them, from the right: each trusted proxy appends the
 * address it got the request from, so the right-most address that is not a trusted proxy is the client (anything
 * further left is whatever the client chose to send). A malformed entry stops the walk at the proxy that passed it.
 */
export function createClientAddress(trustedProxies: readonly string[] = []): ClientAddress {
  const peerOf = (peer: string | undefined) => normalize(peer ?? '') || 'unknown';
  if (trustedProxies.length === 0) return peerOf;
  const isTrusted = createProxyCheck(trustedProxies);
  return (peer, forwardedFor) => {
    let nearest = peerOf(peer);
    if (!isTrusted(nearest)) return nearest;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '')).split(',').slice(-MAX_HOPS).map(hopAddress);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] ?? '';
      if (hop === '') continue;
      if (isIP(hop) === 0) return nearest;
      if (!isTrusted(hop)) return hop;
      nearest = hop;
    }
    return nearest;
  };
}

/** Whether an address (a TCP peer, as Node reports it) is one of the trusted proxies (addresses and CIDR ranges). */
export function createProxyCheck(trustedProxies: readonly string[]): (address: string) => boolean {
  if (trustedProxies.length === 0) return () => false;
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [raw = '', prefix] = entry.split('/');
    const address = prefix === undefined ? normalize(raw) : raw;
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  return (raw) => {
    const address = normalize(raw);
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** The request form of createClientAddress. */
export function createSourceIp(trustedProxies: readonly string[] = []): SourceIp {
  const clientAddress = createClientAddress(trustedProxies);
  return (req) => clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']);
}
