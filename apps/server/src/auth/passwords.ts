import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Minimum password length, bootstrap and demo passwords included. */
export const MIN_PASSWORD_LENGTH = 12;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1 (128 MiB and about a second per hash). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const KEY_LENGTH = 32;
// Caps what a stored hash may ask for (128 * N * r bytes), so a tampered record cannot make verification
// exhaust memory: twice the default's 128 MiB.
const MAX_SCRYPT_BYTES = 256 * 1024 * 1024;

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** scrypt needs 128 * N * r bytes; Node refuses above `maxmem` (32 MiB by default, below the default cost). */
function maxmemFor(N: number, r: number): number {
  return 128 * N * r * 2 + 1024 * 1024;
}

/** Hashes a password with scrypt and a random salt, as `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, { ...params, maxmem: maxmemFor(params.N, params.r) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const valid = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  if (!valid(N, 2 ** 24) || (N & (N - 1)) !== 0 || N < 2 || !valid(r, 32) || !valid(p, 16) || 128 * N * r > MAX_SCRYPT_BYTES) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16) return null;
  return { N, r, p, salt, key };
}

/** True when `password` matches the stored `scrypt$...` hash, verified with the hash's own parameters. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.key.length, {
    N: parsed.N,
    r: parsed.r,
    p: parsed.p,
    maxmem: maxmemFor(parsed.N, parsed.r),
  });
  return timingSafeEqual(key, parsed.key);
}

/** True when a well-formed stored hash costs less than `params` (it is then rehashed at the next sign-in). */
export function isWeakerThan(stored: string, params: ScryptParams): boolean {
  const parsed = parseHash(stored);
  return parsed !== null && (parsed.N < params.N || parsed.r < params.r || parsed.p < params.p);
}

/** Thrown when too many password checks are already waiting: the caller answers 503 instead of queueing more. */
export class PasswordHasherBusyError extends Error {
  override name = 'PasswordHasherBusyError';
}

export interface PasswordHasher {
  readonly params: ScryptParams;
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** True when the stored hash is weaker than what `hash` writes now. */
  needsRehash(stored: string): boolean;
}

export interface PasswordHasherOptions {
  params?: ScryptParams;
  /** scrypt runs at once on at most this many of libuv's threads (4 by default), leaving the others to file I/O. */
  maxConcurrent?: number;
  /** Checks allowed to wait for a thread; past that they fail with PasswordHasherBusyError. */
  maxQueued?: number;
}

/**
 * scrypt behind a small gate: each hash holds 128 MiB for about a second at the default cost, so a flood of
 * sign-ins must neither take every libuv thread nor pile up without bound.
 */
export function createPasswordHasher(opts: PasswordHasherOptions = {}): PasswordHasher {
  const params = opts.params ?? DEFAULT_SCRYPT_PARAMS;
  const maxConcurrent = opts.maxConcurrent ?? 2;
  const maxQueued = opts.maxQueued ?? 64;
  let running = 0;
  const waiting: (() => void)[] = [];

  async function gated<T>(work: () => Promise<T>): Promise<T> {
    if (running >= maxConcurrent) {
      if (waiting.length >= maxQueued) throw new PasswordHasherBusyError('too many password checks are waiting');
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so `running` only drops when nobody waits.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  return {
    params,
    hash: (password) => gated(() => hashPassword(password, params)),
    verify: (password, stored) => gated(() => verifyPassword(password, stored)),
    needsRehash: (stored) => isWeakerThan(stored, params),
  };
}
