import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorIds } from '@execwatch/api';
import { HttpError } from '../http/errors';
import { createAccounts } from './accounts';
import { createPasswordHasher, DEFAULT_SCRYPT_PARAMS, hashPassword, isWeakerThan, PasswordHasherBusyError, verifyPassword, type PasswordHasher } from './passwords';
import { login, startAuthTestServer } from './testing/auth-test-server';
import { openTempStore } from './testing/temp-store';

const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashing', () => {
  it("hashes at OWASP's scrypt cost by default (N=2^17, r=8, p=1) and verifies at it", async () => {
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ N: 131072, r: 8, p: 1 });
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
  });

  it('stores scrypt$N$r$p$salt$hash with a per-user salt', async () => {
    const a = await hashPassword('correct horse battery', FAST);
    const b = await hashPassword('correct horse battery', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
  });

  it('accepts the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('verifies hashes written at an older cost with their own parameters', async () => {
    const old = await hashPassword('correct horse battery', { N: 16384, r: 8, p: 1 });
    expect(await createPasswordHasher().verify('correct horse battery', old)).toBe(true);
    expect(isWeakerThan(old, DEFAULT_SCRYPT_PARAMS)).toBe(true);
    expect(isWeakerThan(old, { N: 16384, r: 8, p: 1 })).toBe(false);
    expect(isWeakerThan(old, FAST)).toBe(false);
    expect(isWeakerThan('not a hash', DEFAULT_SCRYPT_PARAMS)).toBe(false);
  });

  it.each([
    [''],
    ['plain'],
    ['scrypt$16384$8$1$c2FsdA'],
    ['bcrypt$16384$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    ['scrypt$1000$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    ['scrypt$1073741824$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    ['scrypt$16384$999$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    // 1 GiB of scrypt memory: more than a stored hash may ask for.
    ['scrypt$1048576$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
  ])('treats the malformed stored hash %j as no match', async (stored) => {
    expect(await verifyPassword('anything at all', stored)).toBe(false);
  });

  it('never throws on arbitrary stored hashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (stored) => {
        expect(await verifyPassword('x', stored)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('password hasher', () => {
  it('runs at most maxConcurrent checks at once and refuses past maxQueued waiting ones', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    const hasher = createPasswordHasher({ params: FAST, maxConcurrent: 1, maxQueued: 1 });
    const running = hasher.verify('correct horse battery', stored);
    const waiting = hasher.verify('wrong horse battery', stored);
    await expect(hasher.verify('third horse battery', stored)).rejects.toBeInstanceOf(PasswordHasherBusyError);
    expect(await running).toBe(true);
    expect(await waiting).toBe(false);
    // The gate is open again once they are done.
    expect(await hasher.verify('correct horse battery', stored)).toBe(true);
  });

  it('turns a full queue into 503 with Retry-After for a sign-in', async () => {
    const temp = await openTempStore();
    try {
      const busy: PasswordHasher = {
        params: FAST,
        hash: () => Promise.reject(new PasswordHasherBusyError('busy')),
        verify: () => Promise.reject(new PasswordHasherBusyError('busy')),
        needsRehash: () => false,
      };
      const error = await createAccounts(temp.store, Date.now, busy).verifyCredentials('ana', 'analyst-password-1').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ status: 503, id: ErrorIds.unavailable, headers: { 'Retry-After': '1' } });
    } finally {
      await temp.dispose();
    }
  });
});

describe('rehashing at sign-in', () => {
  it('stores a hash at the current cost when the right password matches a weaker one, keeping sessions and keys', async () => {
    const srv = await startAuthTestServer();
    try {
      const at = Date.now();
      const weak = await hashPassword('analyst-password-1', { N: 512, r: 8, p: 1 });
      await srv.store.users.put({ username: 'ana', full_name: null, roles: ['analyst'], enabled: true, password_hash: weak, created_at: at, updated_at: at });
      const key = await srv.auth.createApiKey('ana', 'shipper');
      const first = await login(srv.url, 'ana', 'analyst-password-1');
      expect(first.res.status).toBe(200);
      const stored = (await srv.store.users.get('ana'))?.password_hash ?? '';
      expect(stored).toMatch(/^scrypt\$1024\$8\$1\$/);
      expect(await verifyPassword('analyst-password-1', stored)).toBe(true);
      // Not a password change: the session and the key go on working, and the new hash is not rehashed again.
      expect((await fetch(`${srv.url}/api/probe`, { headers: { cookie: first.cookie ?? '' } })).status).toBe(200);
      expect((await fetch(`${srv.url}/api/probe`, { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(200);
      expect((await login(srv.url, 'ana', 'analyst-password-1')).res.status).toBe(200);
      expect((await srv.store.users.get('ana'))?.password_hash).toBe(stored);
    } finally {
      await srv.close();
    }
  });

  it('never overwrites a password that changed while the rehash ran', async () => {
    const temp = await openTempStore();
    try {
      const at = Date.now();
      await temp.store.users.put({ username: 'ana', full_name: null, roles: ['analyst'], enabled: true, password_hash: 'scrypt$changed', created_at: at, updated_at: at });
      expect(await temp.store.users.replacePasswordHash('ana', 'scrypt$old', 'scrypt$rehashed', at)).toBe(false);
      expect((await temp.store.users.get('ana'))?.password_hash).toBe('scrypt$changed');
      expect(await temp.store.users.replacePasswordHash('ana', 'scrypt$changed', 'scrypt$rehashed', at)).toBe(true);
      expect((await temp.store.users.get('ana'))?.password_hash).toBe('scrypt$rehashed');
    } finally {
      await temp.dispose();
    }
  });
});
