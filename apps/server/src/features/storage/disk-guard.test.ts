import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { silentLogger } from '../../log';
import { DB_FILE } from '../../store/embedded/index';
import { bulkBody, processEvent } from '../../testing/events';
import { startTestServer } from '../../testing/test-server';
import { createDiskGuard, DEFAULT_MIN_FREE, minFreeBytes, parseMinFreeSpace } from './disk-guard';

const GB = 2 ** 30;
const MB = 2 ** 20;

describe('minimum free space', () => {
  it.each([
    ['5%', { bytes: 0, percent: 5 }],
    ['2gb', { bytes: 2 * GB, percent: 0 }],
    ['512MB', { bytes: 512 * MB, percent: 0 }],
    ['1048576', { bytes: MB, percent: 0 }],
    ['0', { bytes: 0, percent: 0 }],
  ])('parses %s', (text, spec) => expect(parseMinFreeSpace(text)).toEqual(spec));

  it.each(['', 'lots', '100%', '-1gb', '5 percent'])('refuses %j', (text) => expect(() => parseMinFreeSpace(text)).toThrow());

  it('defaults to the larger of 5% and 2 GB, and reads EXECWATCH_DISK_MIN_FREE and the retention variables', () => {
    expect(minFreeBytes(DEFAULT_MIN_FREE, 10 * GB)).toBe(2 * GB);
    expect(minFreeBytes(DEFAULT_MIN_FREE, 1000 * GB)).toBe(50 * GB);
    expect(loadConfig({}).storage).toEqual({ eventsRetentionMs: 7 * 86_400_000, alertsRetentionMs: 365 * 86_400_000, diskMinFree: DEFAULT_MIN_FREE });
    expect(loadConfig({ EXECWATCH_DISK_MIN_FREE: '10%', EXECWATCH_EVENTS_RETENTION: '36h', EXECWATCH_ALERTS_RETENTION: '730d' }).storage).toEqual({
      eventsRetentionMs: 36 * 3_600_000,
      alertsRetentionMs: 730 * 86_400_000,
      diskMinFree: { bytes: 0, percent: 10 },
    });
    expect(() => loadConfig({ EXECWATCH_DISK_MIN_FREE: 'plenty' })).toThrow(/EXECWATCH_DISK_MIN_FREE/);
    expect(() => loadConfig({ EXECWATCH_EVENTS_RETENTION: '10m' })).toThrow(/EXECWATCH_EVENTS_RETENTION/);
    expect(() => loadConfig({ EXECWATCH_ALERTS_RETENTION: '7 days' })).toThrow(/EXECWATCH_ALERTS_RETENTION/);
  });

  it('keeps its last answer when the file system cannot be read', async () => {
    let fail = false;
    const guard = createDiskGuard({
      dir: '/nowhere',
      minFree: { bytes: 10, percent: 0 },
      log: silentLogger,
      now: () => 0,
      read: async () => {
        if (fail) throw new Error('EIO');
        return { freeBytes: 5, totalBytes: 100 };
      },
    });
    expect((await guard.check()).blocked).toBe(true);
    fail = true;
    expect((await guard.check()).blocked).toBe(true);
  });
});

/** A 64 MB tmpfs for the test's data directory (root only); null when none can be mounted here. */
function mountSmallDisk(): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/** Events that do not compress much, so that they take about their size on disk. */
const bigEvents = (n: number, at: number) => Array.from({ length: n }, () => ({ ...processEvent({ at }), message: randomBytes(1500).toString('base64') }));

describe('a real small file system (64 MB tmpfs; root only)', () => {
  const canMount = (() => {
    const dir = mountSmallDisk();
    if (dir === null) return false;
    unmount(dir);
    return true;
  })();

  it.skipIf(!canMount)('ingest gets 429s before SQLite runs out of room, loses nothing acknowledged, and resumes once space returns', async () => {
    const disk = mountSmallDisk();
    if (disk === null) throw new Error('tmpfs mount failed');
    const dataDir = path.join(disk, 'data');
    try {
      const s = await startTestServer({ dataDir, storage: { diskMinFree: { bytes: 16 * MB, percent: 0 } } });
      let acknowledged = 0;
      let refused: Response | null = null;
      try {
        const guard = s.services.storage.diskGuard;
        if (!guard) throw new Error('the embedded store has a disk guard');
        // a filler file, deleted later to give space back
        writeFileSync(path.join(disk, 'filler'), Buffer.alloc(12 * MB));
        for (let i = 0; i < 200 && refused === null; i++) {
          await guard.check();
          const res = await s.request('POST', '/_bulk', { rawBody: bulkBody(bigEvents(200, s.clock.now())), headers: { 'content-type': 'application/x-ndjson' } });
          if (res.status === 429) refused = res;
          else {
            expect(res.status).toBe(200);
            const body = (await res.json()) as { errors: boolean; items: unknown[] };
            expect(body.errors).toBe(false);
            acknowledged += body.items.length;
          }
        }
        expect(refused?.status).toBe(429);
        expect(((await refused?.json()) as { error: { type: string } }).error.type).toBe('cluster_block_exception');
        expect(acknowledged).toBeGreaterThan(0);
        expect(await s.store.events.count()).toBe(acknowledged);
        expect((await s.request('POST', '/api/auth/login', { user: null, body: { username: 'analyst', password: 'analyst-test-password-1' } })).status).toBe(200);

        rmSync(path.join(disk, 'filler'));
        await guard.check();
        const resumed = await s.request('POST', '/_bulk', { rawBody: bulkBody(bigEvents(10, s.clock.now())), headers: { 'content-type': 'application/x-ndjson' } });
        expect(resumed.status).toBe(200);
        acknowledged += 10;
      } finally {
        await s.close();
      }
      const db = new Database(path.join(dataDir, DB_FILE), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n).toBe(acknowledged);
      } finally {
        db.close();
      }
    } finally {
      unmount(disk);
    }
  });

  it.skipIf(!canMount)('with no guard, a disk that fills up gives 429s, never a 500, and the store stays whole', async () => {
    const disk = mountSmallDisk();
    if (disk === null) throw new Error('tmpfs mount failed');
    const dataDir = path.join(disk, 'data');
    try {
      const s = await startTestServer({ dataDir, storage: { diskMinFree: { bytes: 0, percent: 0 } } });
      let acknowledged = 0;
      let refusal: { status: number; retryAfter: string | null; type: string } | null = null;
      try {
        for (let i = 0; i < 400 && refusal === null; i++) {
          const res = await s.request('POST', '/_bulk', { rawBody: bulkBody(bigEvents(200, s.clock.now())), headers: { 'content-type': 'application/x-ndjson' } });
          expect(res.status).not.toBe(500);
          const body = (await res.json()) as { errors?: boolean; items?: unknown[]; error?: { type: string } };
          if (res.status !== 200) refusal = { status: res.status, retryAfter: res.headers.get('retry-after'), type: body.error?.type ?? '' };
          else acknowledged += body.items?.length ?? 0;
        }
        expect(refusal).toMatchObject({ status: 429, type: 'cluster_block_exception' });
        expect(refusal?.retryAfter).toBeTruthy();
        expect(await s.store.events.count()).toBe(acknowledged);
      } finally {
        // the last checkpoint may not fit: what is in the WAL is read back at the next open
        await s.close().catch(() => undefined);
      }
      const db = new Database(path.join(dataDir, DB_FILE), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n).toBe(acknowledged);
      } finally {
        db.close();
      }
    } finally {
      unmount(disk);
    }
  });
});
