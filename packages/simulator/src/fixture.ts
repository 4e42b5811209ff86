/** Fixture files for ingest tests: NDJSON (or bulk-format) event files, plain or gzipped, with known bad lines. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { DEFAULT_INDEX } from './bulk';
import { generateEvents, type GenerateOptions } from './generate';

export interface FixtureOptions extends GenerateOptions {
  /** Events in the file. */
  count: number;
  /** Gzip the file. Default: when the path ends in `.gz`. */
  gzip?: boolean;
  /** `ndjson`: one event per line; `bulk`: a `create` action line before each event. Default `ndjson`. */
  format?: 'ndjson' | 'bulk';
  /** Bad lines (invalid JSON, JSON that is not an object) mixed in at even intervals. Default 0. */
  badLines?: number;
}

export interface FixtureInfo {
  path: string;
  events: number;
  /** Total lines written (events, action lines and bad lines). */
  lines: number;
  /** 1-based line numbers of the bad lines. */
  badLineNumbers: number[];
}

const BAD_LINES = ['{"event": {"action": "exec"', '[1, 2, 3]', '42', 'not json at all', '"a string"', 'null'];

/** Writes a fixture file and tells which of its lines are bad. */
export async function writeFixtureFile(path: string, opts: FixtureOptions): Promise<FixtureInfo> {
  const events = generateEvents(opts.count, opts);
  const gzip = opts.gzip ?? path.endsWith('.gz');
  const file = createWriteStream(path);
  const gz = gzip ? createGzip() : undefined;
  if (gz) gz.pipe(file);
  const out = gz ?? file;
  const badEvery = opts.badLines ? Math.max(1, Math.floor(events.length / opts.badLines)) : 0;
  const action = JSON.stringify({ create: { _index: DEFAULT_INDEX } });
  const badLineNumbers: number[] = [];
  let line = 0;
  const write = async (text: string) => {
    line++;
    if (!out.write(`${text}\n`)) await once(out, 'drain');
  };
  let bad = 0;
  for (let i = 0; i < events.length; i++) {
    if (badEvery && bad < (opts.badLines ?? 0) && i % badEvery === 0) {
      await write(BAD_LINES[bad % BAD_LINES.length]);
      badLineNumbers.push(line);
      bad++;
    }
    if (opts.format === 'bulk') await write(action);
    await write(JSON.stringify(events[i]));
  }
  out.end();
  await once(file, 'close');
  return { path, events: events.length, lines: line, badLineNumbers };
}
