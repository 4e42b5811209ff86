import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { createEmbeddedStore } from '../store/embedded/index';
import type { Store } from '../store/ports';
import { sha256Hex } from './secrets';
import { basic, login, startAuthTestServer, testClock, type AuthTestServer } from './testing/auth-test-server';

const ANA = { username: 'ana', password: 'analyst-password-1' };
const ADMIN = { username: 'root', password: 'admin-password-12' };

describe('access control on the embedded SQLite store', () => {
  let dataDir: string;
  let store: Store;
  let srv: AuthTestServer;
  const clock = testClock();

  const open = async () => {
    store = createEmbeddedStore({ dataDir, log: silentLogger, now: clock.now });
    await store.init();
    srv = await startAuthTestServer({ store, now: clock.now, config: { loginRateLimit: { maxPerUser: 3 } } });
  };
  const restart = async () => {
    await srv.close();
    await store.close();
    await open();
  };

  beforeEach(async () => {
    clock.set(Date.UTC(2026, 0, 1));
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-auth-'));
    await open();
    await srv.auth.ensureUser({ ...ADMIN, roles: ['admin'] });
    await srv.auth.ensureUser({ ...ANA, roles: ['analyst'] });
  });
  afterEach(async () => {
    await srv.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the audit log, sessions, keys and failure counters across a restart', async () => {
    const { cookie } = await login(srv.url, ANA.username, ANA.password);
    clock.advance(1000);
    expect((await fetch(`${srv.url}/api/probe`, { method: 'POST', headers: { cookie: cookie ?? '', 'execwatch-xsrf': '1' } })).status).toBe(200);
    const key = await srv.auth.createApiKey('ana', 'shipper');
    for (let i = 0; i < 3; i++) await login(srv.url, ADMIN.username, 'wrong-password-0');

    await restart();

    const audit = await fetch(`${srv.url}/api/audit?user=ana`, { headers: { authorization: `ApiKey ${(await srv.auth.createApiKey('root', 'reader')).encoded}` } });
    expect(audit.status).toBe(200);
    const body = (await audit.json()) as { events: { action: string; source_ip: string }[] };
    expect(body.events.map((e) => e.action)).toEqual(['probe.change', 'auth.login']);
    expect(body.events[0]?.source_ip).toBe('127.0.0.1');

    expect((await fetch(`${srv.url}/api/probe`, { headers: { cookie: cookie ?? '' } })).status).toBe(200);
    expect((await fetch(`${srv.url}/api/probe`, { headers: { authorization: `ApiKey ${key.encoded}` } })).status).toBe(200);
    expect((await login(srv.url, ADMIN.username, ADMIN.password)).res.status).toBe(429);
  });

  it('stores session ids and key secrets only as hashes', async () => {
    const { cookie } = await login(srv.url, ANA.username, ANA.password);
    const token = cookie?.split('=')[1] ?? '';
    const key = await srv.auth.createApiKey('ana', 'shipper');
    expect(await store.users.getSession(sha256Hex(token))).not.toBeNull();
    expect(await store.users.getSession(token)).toBeNull();
    expect((await store.users.getApiKey(key.id))?.key_hash).toBe(sha256Hex(key.api_key));
  });

  it('lets the right password in again once the wait has passed', async () => {
    const probe = (password: string) => fetch(`${srv.url}/api/probe`, { headers: { authorization: basic(ANA.username, password) } });
    for (let i = 0; i < 3; i++) expect((await probe('wrong-password-0')).status).toBe(401);
    const blocked = await probe(ANA.password);
    expect(blocked.status).toBe(429);
    clock.advance(Number(blocked.headers.get('retry-after')) * 1000);
    expect((await probe(ANA.password)).status).toBe(200);
  });
});
