import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFixtureFile } from '@execwatch/simulator';
import { runIngest } from './ingest-command';

interface Received {
  op: string;
  meta: Record<string, string>;
  doc: Record<string, unknown>;
}

/** A stand-in for the server's bulk endpoint answering in Elasticsearch's response shape. */
const state: { received: Received[]; requests: number; authorization: (string | undefined)[]; failNext: number[] } = {
  received: [],
  requests: 0,
  authorization: [],
  /** Statuses to answer with before behaving (consumed one per request). */
  failNext: [],
};

let server: Server;
let url: string;
let dir: string;

beforeAll(async () => {
  const app = express();
  app.use(express.text({ type: 'application/x-ndjson', limit: '50mb' }));
  app.post('/_bulk', (req, res) => {
    state.requests++;
    state.authorization.push(req.headers.authorization);
    const forced = state.failNext.shift();
    if (forced) {
      res.status(forced).json({ error: 'forced', status: forced });
      return;
    }
    const lines = String(req.body).split('\n').filter((l) => l.length > 0);
    const items: object[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      // The CLI under test writes action lines of this shape; a wrong one fails the test anyway.
      const action = JSON.parse(lines[i]) as Record<string, Record<string, string>>;
      const [op] = Object.keys(action);
      const doc = JSON.parse(lines[i + 1]) as Record<string, unknown>;
      if ((doc.labels as Record<string, unknown> | undefined)?.reject === true) { // test documents put an object there
        items.push({ [op]: { _index: action[op]._index, status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [labels.reject]' } } });
        continue;
      }
      state.received.push({ op, meta: action[op], doc });
      items.push({ [op]: { _index: action[op]._index, _id: `id-${state.received.length}`, status: 201, result: 'created' } });
    }
    res.json({ took: 1, errors: items.some((it) => JSON.stringify(it).includes('"error"')), items });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // listening on TCP: address() is AddressInfo
  dir = mkdtempSync(join(tmpdir(), 'execwatch-ingest-'));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  state.received = [];
  state.requests = 0;
  state.authorization = [];
  state.failNext = [];
});

function captured() {
  let text = '';
  return { stderr: { write: (s: string) => (text += s), isTTY: false }, text: () => text };
}

const env = { EXECWATCH_USERNAME: 'ingester', EXECWATCH_PASSWORD: 'pw' };

async function ingest(args: string[], extraEnv: NodeJS.ProcessEnv = env) {
  const out = captured();
  const code = await runIngest([...args, '--url', url], { stderr: out.stderr, env: extraEnv, retryDelayMs: 5 });
  return { code, stderr: out.text() };
}

describe('npm run ingest', () => {
  it('stores a plain NDJSON file in batches into the data stream the events name', async () => {
    const info = await writeFixtureFile(join(dir, 'plain.ndjson'), { count: 1200, seed: 3 });
    const { code, stderr } = await ingest([info.path, '--batch', '500']);
    expect(code).toBe(0);
    expect(state.received).toHaveLength(1200);
    expect(state.requests).toBe(3);
    expect(new Set(state.received.map((r) => `${r.op} ${r.meta._index}`))).toEqual(new Set(['create logs-cloud_defend.process-default']));
    expect(state.authorization[0]).toBe(`Basic ${Buffer.from('ingester:pw').toString('base64')}`);
    expect(stderr).toMatch(/done: 1,200 events stored, 0 bad lines skipped, 0 rejected by the server/);
    expect(stderr).toMatch(/100%\s+1,200 events/);
  });

  it('reads gzip (by magic bytes, whatever the name) and reports each bad line by number', async () => {
    const info = await writeFixtureFile(join(dir, 'events.data'), { count: 300, seed: 4, gzip: true, badLines: 4 });
    const { code, stderr } = await ingest([info.path, '--batch', '100'], { EXECWATCH_API_KEY: 'aWQ6a2V5' });
    expect(code).toBe(1);
    expect(state.received).toHaveLength(300);
    expect(state.authorization[0]).toBe('ApiKey aWQ6a2V5');
    expect(info.badLineNumbers).toHaveLength(4);
    for (const lineNo of info.badLineNumbers) expect(stderr).toMatch(new RegExp(`^line ${lineNo}: (invalid JSON|not a JSON object)`, 'm'));
    expect(stderr).toMatch(/300 events stored, 4 bad lines skipped/);
  });

  it('maps per-item errors of the bulk response back to file line numbers', async () => {
    const docs = Array.from({ length: 10 }, (_, i) => JSON.stringify({ '@timestamp': '2025-01-01T00:00:00Z', n: i, labels: { reject: i === 3 || i === 8 } }));
    const file = join(dir, 'rejects.ndjson');
    writeFileSync(file, `${docs.slice(0, 5).join('\n')}\n\n${docs.slice(5).join('\n')}\n`);
    const { code, stderr } = await ingest([file, '--batch', '4']);
    expect(code).toBe(1);
    expect(state.received).toHaveLength(8);
    // Doc 3 is on line 4; doc 8 is on line 10 (a blank line 6 sits between).
    expect(stderr).toMatch(/^line 4: rejected by the server: document_parsing_exception: failed to parse field \[labels.reject\]$/m);
    expect(stderr).toMatch(/^line 10: rejected by the server: document_parsing_exception/m);
    expect(stderr).toMatch(/8 events stored, 0 bad lines skipped, 2 rejected by the server/);
  });

  it('passes bulk-format actions through, with --index only for actions that name no index', async () => {
    const file = join(dir, 'bulk.ndjson');
    writeFileSync(file, [
      '{"create":{"_index":"logs-cloud_defend.process-prod","_id":"e1"}}', '{"a":1}',
      '{"index":{}}', '{"a":2}',
      '{"a":3}',
    ].join('\n'));
    const { code } = await ingest([file, '--index', 'logs-cloud_defend.process-test']);
    expect(code).toBe(0);
    expect(state.received.map((r) => [r.op, r.meta._index, r.meta._id, r.doc.a])).toEqual([
      ['create', 'logs-cloud_defend.process-prod', 'e1', 1],
      ['index', 'logs-cloud_defend.process-test', undefined, 2],
      ['create', 'logs-cloud_defend.process-test', undefined, 3],
    ]);
  });

  it('stops at once when the server refuses the credentials', async () => {
    const info = await writeFixtureFile(join(dir, 'auth.ndjson'), { count: 50, seed: 5 });
    state.failNext = [401, 401, 401];
    const { code, stderr } = await ingest([info.path, '--batch', '10'], {});
    expect(code).toBe(1);
    expect(state.requests).toBe(1);
    expect(state.authorization[0]).toBeUndefined();
    expect(stderr).toMatch(/refused the request \(401\): set EXECWATCH_USERNAME/);
    expect(stderr).toMatch(/stopped: 0 events stored/);
  });

  it('retries when the server is busy', async () => {
    const info = await writeFixtureFile(join(dir, 'busy.ndjson'), { count: 20, seed: 6 });
    state.failNext = [503, 429];
    const { code } = await ingest([info.path]);
    expect(code).toBe(0);
    expect(state.requests).toBe(3);
    expect(state.received).toHaveLength(20);
  });

  it('fails clearly when nothing listens at --url', async () => {
    const info = await writeFixtureFile(join(dir, 'down.ndjson'), { count: 5, seed: 7 });
    const out = captured();
    const code = await runIngest([info.path, '--url', 'http://127.0.0.1:9'], { stderr: out.stderr, env, retryDelayMs: 1 });
    expect(code).toBe(1);
    expect(out.text()).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9 .*gave up after 4 attempts/);
  });

  it('reports a corrupt gzip file and exits 1', async () => {
    const file = join(dir, 'corrupt.ndjson.gz');
    const good = gzipSync(Buffer.from('{"a":1}\n'.repeat(1000)));
    writeFileSync(file, Buffer.concat([good.subarray(0, 40), Buffer.from('garbage that is not deflate data')]));
    const { code, stderr } = await ingest([file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/reading .*corrupt\.ndjson\.gz failed/);
  });

  it.each([
    [[], /no input file given/],
    [['a.ndjson', 'b.ndjson'], /one input file expected, got 2/],
    [['x.ndjson', '--bogus'], /Unknown option '--bogus'/],
    [['x.ndjson', '--batch', '0'], /--batch must be an integer/],
    [['x.ndjson', '--index', 'Bad Name'], /--index must be/],
    [['/definitely/not/here.ndjson'], /cannot read \/definitely\/not\/here\.ndjson/],
  ])('exits 2 on usage errors: %j', async (args, message) => {
    const { code, stderr } = await ingest(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/usage: npm run ingest/);
    expect(state.requests).toBe(0);
  });

  it('runs as the root `npm run ingest` script with a real exit code', async () => {
    const file = join(dir, 'script.ndjson');
    writeFileSync(file, '{"a":1}\nnot json\n');
    const root = resolve(import.meta.dirname, '../../../..');
    // Asynchronous on purpose: the bulk stand-in runs in this process and must keep answering.
    const child = spawn('npm', ['run', '--silent', 'ingest', '--', file, '--url', url], {
      cwd: root, env: { ...process.env, ...env, EXECWATCH_API_KEY: '' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const status = await new Promise<number | null>((done) => child.on('close', done));
    const result = { stderr, status };
    expect(state.received.map((r) => r.doc)).toEqual([{ a: 1 }]);
    expect(result.stderr).toMatch(/^line 2: invalid JSON/m);
    expect(result.stderr).toMatch(/1 events stored, 1 bad lines skipped/);
    expect(result.status).toBe(1);
  });
});
