import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
let dir: string;
let server: Server;
let url: string;
const posted: { auth?: string; docs: number }[] = [];

/** Runs the CLI asynchronously (the bulk stand-in lives in this process and must keep answering). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/simulator/src/cli.ts', ...args], {
    cwd: root, env: { ...process.env, EXECWATCH_API_KEY: '', EXECWATCH_USERNAME: '', EXECWATCH_PASSWORD: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on('close', (status) => done({ status, stderr })));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'execwatch-sim-cli-'));
  const app = express();
  app.use(express.text({ type: 'application/x-ndjson', limit: '50mb' }));
  app.post('/_bulk', (req, res) => {
    const docs = String(req.body).split('\n').filter(Boolean).length / 2;
    posted.push({ auth: req.headers.authorization, docs });
    res.json({ took: 1, errors: false, items: Array.from({ length: docs }, () => ({ create: { status: 201 } })) });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // a TCP listener: address() is AddressInfo
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('simulator CLI', () => {
  it('writes --count events to --out', async () => {
    const out = join(dir, 'events.ndjson');
    const { status, stderr } = await cli(['--out', out, '--count', '40', '--seed', '3']);
    expect(stderr).toMatch(/wrote 40 events/);
    expect(status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(40);
    expect(JSON.parse(lines[0])).toHaveProperty('event.module', 'cloud_defend');
  });

  it('posts --count events with credentials from the environment', async () => {
    const { status, stderr } = await cli(['--url', url, '--count', '120', '--seed', '1'], { EXECWATCH_USERNAME: 'sim', EXECWATCH_PASSWORD: 'pw' });
    expect(stderr).toMatch(/posted 120 events: 120 stored, 0 rejected/);
    expect(status).toBe(0);
    expect(posted.at(-1)?.auth).toBe(`Basic ${Buffer.from('sim:pw').toString('base64')}`);
  });

  it('exits 2 with usage on bad arguments or missing credentials', async () => {
    const bad = await cli(['--rate', 'fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--rate must be a non-negative number/);
    const noCreds = await cli(['--url', url, '--count', '5']);
    expect(noCreds.status).toBe(2);
    expect(noCreds.stderr).toMatch(/set EXECWATCH_API_KEY/);
  });
});
