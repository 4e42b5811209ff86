/**
 * `npm run ingest -- FILE.ndjson [--index NAME] [--url URL] [--batch 5000]`: streams a plain or gzipped NDJSON (or
 * bulk-format) file to a running server's `/_bulk`. Exit code 0 when every event was stored, 1 otherwise, 2 for usage.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { BulkClient, FatalIngestError, type BatchOutcome } from './bulk-client';
import { toItems, type DocumentItem } from './documents';
import { readLines } from './line-reader';
import { Progress, formatDuration, type ProgressOutput } from './progress';

export const USAGE = 'usage: npm run ingest -- FILE.ndjson[.gz] [--index NAME] [--url URL] [--batch 5000]';
const DEFAULT_URL = 'http://127.0.0.1:5611';
/** Problems printed one by one before only counting them. */
const MAX_REPORTED = 20;

export interface IngestIo {
  stderr: ProgressOutput;
  env: NodeJS.ProcessEnv;
  /** Delay before the first retry (tests shorten it). */
  retryDelayMs?: number;
}

class UsageError extends Error {}

interface IngestArgs {
  file: string;
  index?: string;
  url: string;
  batch: number;
}

function parseIngestArgs(argv: string[]): IngestArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { index: { type: 'string' }, url: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no input file given' : `one input file expected, got ${positionals.length}`);
  const batch = values.batch === undefined ? 5000 : Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new UsageError(`--batch must be an integer from 1 to 100000, got "${values.batch}"`);
  const url = values.url ?? DEFAULT_URL;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
  }
  if (values.index !== undefined && !/^[a-z0-9][a-z0-9._-]*$/.test(values.index)) {
    throw new UsageError(`--index must be a lower-case index or data stream name, got "${values.index}"`);
  }
  return { file: positionals[0], index: values.index, url, batch };
}

/** The Authorization header from EXECWATCH_API_KEY, or EXECWATCH_USERNAME and EXECWATCH_PASSWORD. */
export function authorizationFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.EXECWATCH_API_KEY) return `ApiKey ${env.EXECWATCH_API_KEY}`;
  if (env.EXECWATCH_USERNAME) return `Basic ${Buffer.from(`${env.EXECWATCH_USERNAME}:${env.EXECWATCH_PASSWORD ?? ''}`).toString('base64')}`;
  return undefined;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

const number = new Intl.NumberFormat('en-US');

/** Runs the ingest command; resolves with the process exit code. */
export async function runIngest(argv: string[], io: IngestIo): Promise<number> {
  let args: IngestArgs;
  try {
    args = parseIngestArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(err.message ? `ingest: ${err.message}\n${USAGE}\n` : `${USAGE}\n`);
    return err.message ? 2 : 0;
  }
  let totalBytes: number;
  let gzip: boolean;
  try {
    const info = await stat(args.file);
    if (!info.isFile()) throw new Error('not a regular file');
    totalBytes = info.size;
    gzip = await isGzip(args.file);
  } catch (err) {
    io.stderr.write(`ingest: cannot read ${args.file}: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }

  const raw = createReadStream(args.file, { highWaterMark: 256 * 1024 });
  let bytesRead = 0;
  raw.on('data', (chunk) => {
    bytesRead += chunk.length;
  });
  // pipeline() forwards an error of either stream (unreadable file, corrupt gzip) to the reader loop below.
  const source: Readable = gzip ? pipeline(raw, createGunzip(), () => {}) : raw;

  const client = new BulkClient({ url: args.url, authorization: authorizationFromEnv(io.env), retryDelayMs: io.retryDelayMs });
  const progress = new Progress(io.stderr, totalBytes);
  let stored = 0;
  let badLines = 0;
  let rejected = 0;
  let reported = 0;
  let fatal: Error | undefined;
  const report = (lineNo: number, reason: string) => {
    reported++;
    if (reported <= MAX_REPORTED) progress.log(`line ${lineNo}: ${reason}`);
    else if (reported === MAX_REPORTED + 1) progress.log('(further problems are only counted)');
  };
  const record = (outcome: BatchOutcome) => {
    stored += outcome.stored;
    rejected += outcome.failures.length;
    for (const f of outcome.failures) report(f.lineNo, `rejected by the server: ${f.reason}`);
  };
  // One batch is in flight while the next is read: the file is never held whole, and reading overlaps posting.
  let inFlight: Promise<void> | undefined;
  const flush = async (batch: DocumentItem[]) => {
    if (inFlight) await inFlight;
    if (fatal || batch.length === 0) return;
    inFlight = client.send(batch).then(record, (err: unknown) => {
      fatal = err instanceof Error ? err : new Error(String(err));
    });
  };

  let batch: DocumentItem[] = [];
  let read = 0;
  try {
    for await (const item of toItems(readLines(source), args.index)) {
      progress.update(read, bytesRead);
      if (item.kind === 'bad') {
        badLines++;
        report(item.lineNo, item.reason);
        continue;
      }
      read++;
      batch.push(item);
      if (batch.length >= args.batch) {
        await flush(batch);
        batch = [];
        if (fatal) break;
      }
    }
    await flush(batch);
    if (inFlight) await inFlight;
  } catch (err) {
    fatal = new Error(`reading ${args.file} failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    raw.destroy();
  }
  if (inFlight) await inFlight;

  progress.update(read, bytesRead, true);
  progress.clear();
  const seconds = progress.elapsedMs / 1000;
  if (fatal) io.stderr.write(`ingest: ${fatal instanceof FatalIngestError ? '' : 'error: '}${fatal.message}\n`);
  const rate = seconds > 0 ? Math.round(stored / seconds) : stored;
  io.stderr.write(
    `${fatal ? 'stopped' : 'done'}: ${number.format(stored)} events stored, ${number.format(badLines)} bad lines skipped, ` +
      `${number.format(rejected)} rejected by the server, in ${formatDuration(seconds)} (${number.format(rate)} events/s)\n`,
  );
  return !fatal && badLines === 0 && rejected === 0 ? 0 : 1;
}
