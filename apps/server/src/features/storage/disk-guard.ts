/**
 * The disk guard, as Elasticsearch's flood-stage watermark: when the data directory's file system has less
 * free space than EXECWATCH_DISK_MIN_FREE, ingest is refused with 429 and Elasticsearch's
 * `cluster_block_exception` (shippers back off and send again) before SQLite itself runs out of room. Triage,
 * sign-in and reads go on: they write little, and the space left is theirs. Ingest resumes by itself once
 * space returns (the next check, every few seconds).
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiskState } from '@execwatch/api';
import type { Logger } from '../../log';
import type { Store } from '../../store/ports';
import { parseByteLimit } from '../../ingest/read-lines';

/** Minimum free space: the larger of `bytes` and `percent` of the file system (0 and 0: no guard). */
export interface MinFreeSpace {
  bytes: number;
  percent: number;
}

/** Elasticsearch's own default flood stage is 95% used; Execwatch also keeps at least 2 GB. */
export const DEFAULT_MIN_FREE: MinFreeSpace = { bytes: 2 * 2 ** 30, percent: 5 };

/** Parses `5%`, `2gb`, `512mb`, a byte count, or `0` (no guard); throws on anything else. */
export function parseMinFreeSpace(text: string): MinFreeSpace {
  const t = text.trim().toLowerCase();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent >= 100) throw new Error('a percentage below 100');
    return { bytes: 0, percent };
  }
  return { bytes: parseByteLimit(t), percent: 0 };
}

/** The minimum free bytes on a file system of `totalBytes`. */
export function minFreeBytes(spec: MinFreeSpace, totalBytes: number): number {
  return Math.max(spec.bytes, Math.ceil((totalBytes * spec.percent) / 100));
}

/** Free and total bytes of the file system holding `dir`. */
export type FreeSpaceReader = (dir: string) => Promise<{ freeBytes: number; totalBytes: number }>;

/** `fs.statfs`: the blocks an unprivileged process may use (`bavail`), as `df` shows them. */
export const statfsReader: FreeSpaceReader = async (dir) => {
  const s = await fs.promises.statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
};

export interface DiskGuardOptions {
  dir: string;
  minFree: MinFreeSpace;
  log: Logger;
  now: () => number;
  read?: FreeSpaceReader;
  /** How often free space is read (default 5 s). */
  intervalMs?: number;
  /** Seconds clients are told to wait (default 30). */
  retryAfterSeconds?: number;
}

export interface DiskGuard {
  /** Whether ingest is refused now (no file system call: the last check's answer). */
  readonly blocked: boolean;
  readonly retryAfterSeconds: number;
  state(): DiskState;
  /** Reads free space now (the periodic check calls it; so does a write that found the disk full). */
  check(): Promise<DiskState>;
  /** Starts the periodic check (a first check runs at once). */
  start(): void;
  stop(): void;
}

export function createDiskGuard(opts: DiskGuardOptions): DiskGuard {
  const read = opts.read ?? statfsReader;
  const intervalMs = opts.intervalMs ?? 5000;
  const retryAfterSeconds = opts.retryAfterSeconds ?? 30;
  const disabled = opts.minFree.bytes === 0 && opts.minFree.percent === 0;
  let free: number | null = null;
  let total: number | null = null;
  let min: number | null = null;
  let blocked = false;
  let checkedAt: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<DiskState> | null = null;

  const state = (): DiskState => ({
    free_bytes: free,
    total_bytes: total,
    min_free_bytes: min,
    blocked,
    checked_at: checkedAt === null ? null : new Date(checkedAt).toISOString(),
  });

  const checkOnce = async (): Promise<DiskState> => {
    try {
      const s = await read(opts.dir);
      free = s.freeBytes;
      total = s.totalBytes;
      min = disabled ? 0 : minFreeBytes(opts.minFree, s.totalBytes);
      checkedAt = opts.now();
      const next = !disabled && s.freeBytes < min;
      if (next !== blocked) {
        if (next) opts.log.warn('disk free space below the minimum: ingest is refused until space returns', { free_bytes: free, min_free_bytes: min, dir: opts.dir });
        else opts.log.info('disk free space back above the minimum: ingest resumes', { free_bytes: free, min_free_bytes: min });
      }
      blocked = next;
    } catch (err) {
      // an unreadable file system keeps the last answer: refusing ingest on a failed check would be a guess
      opts.log.warn('free space check failed', { dir: opts.dir, error: err instanceof Error ? err.message : String(err) });
    }
    return state();
  };

  const check = () => (running ??= checkOnce().finally(() => (running = null)));

  return {
    get blocked() {
      return blocked;
    },
    retryAfterSeconds,
    state,
    check,
    start() {
      if (timer) return;
      void check();
      timer = setInterval(() => void check(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

// ---------------------------------------------------------------- what ingest routes call

// The guard of a store, so that ingest routes find it from what they already hold (their RouteContext's store).
const guards = new WeakMap<Store, DiskGuard>();

/** Puts `guard` in charge of ingest into `store` (null: no guard). */
export function guardStore(store: Store, guard: DiskGuard | null): void {
  if (guard) guards.set(store, guard);
  else guards.delete(store);
}

/** The body Elasticsearch sends for writes to an index under the flood-stage block. */
export function floodStageBody(index: string): { error: { root_cause: { type: string; reason: string }[]; type: string; reason: string }; status: 429 } {
  const type = 'cluster_block_exception';
  const reason = `index [${index}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];`;
  return { error: { root_cause: [{ type, reason }], type, reason }, status: 429 };
}

/** Sends the flood-stage answer: 429, `Retry-After`, and the connection closed when a body is still coming. */
export function sendFloodStage(req: IncomingMessage, res: ServerResponse, index: string, retryAfterSeconds: number): void {
  if (res.headersSent) return;
  const body = JSON.stringify(floodStageBody(index));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': String(retryAfterSeconds),
    'x-elastic-product': 'Elasticsearch',
  };
  // the body is not read: a client still sending it reconnects rather than have it drained
  if (!req.complete) headers.connection = 'close';
  res.writeHead(429, headers);
  res.end(body);
}

/**
 * Called first by every ingest route: true when the disk guard refused the request (the answer is sent), false
 * to go on. `index` names the target in the answer (the path's index, else `_all`, as Elasticsearch says it).
 */
export function refuseIngestWhenDiskLow(store: Store, req: IncomingMessage, res: ServerResponse, index?: string): boolean {
  const guard = guards.get(store);
  if (!guard?.blocked) return false;
  sendFloodStage(req, res, index ?? '_all', guard.retryAfterSeconds);
  return true;
}

/** Whether an error is SQLite's "database or disk is full" (the guard's check then runs at once). */
export function isDiskFullError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err.code === 'SQLITE_FULL' || err.code === 'SQLITE_IOERR_WRITE' || err.code === 'ENOSPC');
}

/** The guard of a store (the error handler asks it to check again after a full disk). */
export function guardOf(store: Store): DiskGuard | undefined {
  return guards.get(store);
}

/** The bulk API, single-document writes and the audit webhook. */
const INGEST_PATH = /^\/(?:_bulk|[^/]+\/_bulk|[^/]+\/_doc(?:\/[^/]+)?|[^/]+\/_create\/[^/]+|api\/k8s\/audit)\/?$/;

/**
 * After SQLite found the disk full anyway (space taken faster than the guard checks): the guard checks at
 * once, and an ingest request gets the flood-stage answer (true: sent). Other requests get the caller's 507.
 */
export function diskFullAnswer(store: Store, req: IncomingMessage & { path?: string }, res: ServerResponse): boolean {
  const guard = guards.get(store);
  void guard?.check();
  const path = req.path ?? (req.url ?? '').split('?')[0] ?? '';
  if (!INGEST_PATH.test(path)) return false;
  const index = /^\/([^/_][^/]*)\/_(?:bulk|doc|create)/.exec(path)?.[1];
  let name = index ?? '_all';
  try {
    name = decodeURIComponent(name);
  } catch {
    // named as sent
  }
  sendFloodStage(req, res, name, guard?.retryAfterSeconds ?? 30);
  return true;
}
