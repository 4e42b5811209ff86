import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationHeader, credentialsFromEnv, toBulkBody } from './bulk';
import { writeFixtureFile } from './fixture';
import { generateSession, generateSessionAudit } from './generate';
import { postAudit, postEvents, startSimulator } from './post';
import { Simulator } from './simulator';
import { get, matchesInteractiveExecRule } from './test-helpers';

const time = (e: unknown) => Date.parse(String(get(e, '@timestamp')));

describe('Simulator', () => {
  it('streams each slice of time in order, with sessions spread over later slices', () => {
    const sim = new Simulator({ seed: 9, sessionsPerMinute: 6 });
    const t0 = Date.UTC(2026, 2, 1);
    let prevNow = t0 - 1000;
    let matches = 0;
    let total = 0;
    const entryLeaders = new Set<unknown>();
    for (let s = 0; s < 600; s++) {
      const now = t0 + s * 1000;
      const events = sim.next(now, 20);
      expect(events.length).toBeGreaterThanOrEqual(20);
      let prev = -Infinity;
      for (const e of events) {
        const t = time(e);
        expect(t).toBeGreaterThan(prevNow);
        expect(t).toBeLessThanOrEqual(now);
        expect(t).toBeGreaterThanOrEqual(prev);
        prev = t;
        if (matchesInteractiveExecRule(e)) matches++;
        if (get(e, 'process.interactive') === true) entryLeaders.add(get(e, 'process.entry_leader.entity_id'));
      }
      total += events.length;
      prevNow = now;
    }
    // 10 minutes at 6 sessions a minute; every session that started shows up with its shell.
    expect(matches).toBe(60);
    expect(entryLeaders.size).toBe(60);
    // Session events take the place of background ones: the stream keeps the requested rate.
    expect(total).toBe(600 * 20);
  });

  it('is deterministic for a seed and derives a session rate from interactiveRatio when none is given', () => {
    const run = () => {
      const sim = new Simulator({ seed: 4, interactiveRatio: 0.2 });
      const out: unknown[] = [];
      for (let s = 1; s <= 120; s++) out.push(...sim.next(1_000_000 + s * 1000, 50));
      return out;
    };
    const a = run();
    expect(JSON.stringify(a)).toBe(JSON.stringify(run()));
    expect(a.filter(matchesInteractiveExecRule).length).toBeGreaterThan(20);
  });
});

describe('toBulkBody', () => {
  it('writes a create action before every event, default index the cloud_defend data stream', () => {
    const events = generateSession('ci', { seed: 2 });
    const lines = toBulkBody(events).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(events.length * 2);
    for (let i = 0; i < lines.length; i += 2) {
      expect(JSON.parse(lines[i])).toEqual({ create: { _index: 'logs-cloud_defend.process-default' } });
      expect(JSON.parse(lines[i + 1])).toEqual(events[i / 2]);
    }
    expect(toBulkBody([{ a: 1 }], 'logs-x-y')).toBe('{"create":{"_index":"logs-x-y"}}\n{"a":1}\n');
    expect(toBulkBody([])).toBe('');
  });

  it('builds credentials from the environment', () => {
    expect(credentialsFromEnv({ EXECWATCH_API_KEY: 'k', EXECWATCH_USERNAME: 'u', EXECWATCH_PASSWORD: 'p' })).toEqual({ apiKey: 'k' });
    expect(credentialsFromEnv({ EXECWATCH_USERNAME: 'u', EXECWATCH_PASSWORD: 'p' })).toEqual({ username: 'u', password: 'p' });
    expect(credentialsFromEnv({})).toBeUndefined();
    expect(authorizationHeader({ username: 'u', password: 'p:w' })).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    expect(authorizationHeader({ apiKey: 'abc' })).toBe('ApiKey abc');
  });
});

describe('posting to /_bulk and /api/k8s/audit', () => {
  const received: { auth?: string; lines: number; docs: Record<string, unknown>[] }[] = [];
  const audits: { auth?: string; cluster: unknown; body: Record<string, unknown> }[] = [];
  let server: Server;
  let url: string;
  let rejectAll = false;

  beforeAll(async () => {
    const app = express();
    app.use(express.text({ type: 'application/x-ndjson', limit: '50mb' }));
    app.post('/_bulk', (req, res) => {
      const lines = String(req.body).split('\n').filter(Boolean);
      // Source lines of a body toBulkBody wrote: always JSON objects.
      const docs = lines.filter((_, i) => i % 2 === 1).map((l) => JSON.parse(l) as Record<string, unknown>);
      received.push({ auth: req.headers.authorization, lines: lines.length, docs });
      const status = rejectAll ? 400 : 201;
      res.json({ took: 1, errors: rejectAll, items: docs.map(() => ({ create: { status, ...(rejectAll ? { error: { type: 'mapper_parsing_exception', reason: 'nope' } } : {}) } })) });
    });
    app.post('/api/k8s/audit', express.json({ limit: '10mb' }), (req, res) => {
      const body = req.body as Record<string, unknown>; // express.json parsed an object or answered 400 itself
      audits.push({ auth: req.headers.authorization, cluster: req.query.cluster, body });
      const items = Array.isArray(body.items) ? body.items : [];
      if (rejectAll) res.json({ took: 1, stored: 0, duplicates: 0, errors: items.map((_, i) => ({ item: i, reason: 'auditID: required' })) });
      else res.json({ took: 1, stored: items.length - 1, duplicates: 1, errors: [] });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // a TCP listener: address() is AddressInfo
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('postEvents counts stored and rejected items', async () => {
    const events = generateSession('admin', { seed: 1 });
    expect(await postEvents(url, { apiKey: 'a2V5' }, events)).toEqual({ stored: events.length, failed: 0, firstError: undefined });
    expect(received.at(-1)?.auth).toBe('ApiKey a2V5');
    rejectAll = true;
    try {
      expect(await postEvents(url, undefined, events.slice(0, 2))).toEqual({ stored: 0, failed: 2, firstError: 'mapper_parsing_exception: nope' });
    } finally {
      rejectAll = false;
    }
  });

  it('postAudit posts one EventList for the cluster and counts what the server took', async () => {
    const events = generateSessionAudit('admin', { seed: 4 });
    expect(await postAudit(url, { apiKey: 'a2V5' }, events)).toEqual({ stored: events.length - 1, duplicates: 1, failed: 0, firstError: undefined });
    expect(audits.at(-1)).toMatchObject({ auth: 'ApiKey a2V5', cluster: 'prod-eu-west-1', body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: events } });
    rejectAll = true;
    try {
      expect(await postAudit(url, undefined, events.slice(0, 2), 'staging')).toMatchObject({ stored: 0, failed: 2, firstError: 'auditID: required' });
      expect(audits.at(-1)?.cluster).toBe('staging');
    } finally {
      rejectAll = false;
    }
  });

  it('startSimulator posts right away and every second, audit batches as they fall due, and stop() waits for the last post', async () => {
    const before = received.length;
    const auditsBefore = audits.length;
    const errors: Error[] = [];
    const sim = startSimulator({
      url, auth: { username: 'u', password: 'p' }, eventsPerSecond: 30, seed: 3, sessionsPerMinute: 120, audit: { flushEveryMs: [100, 300] },
      onError: (e) => errors.push(e),
    });
    await new Promise((r) => setTimeout(r, 1300));
    await sim.stop();
    const posts = received.slice(before);
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(posts[0].auth).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(posts[0].docs.length).toBeGreaterThanOrEqual(30);
    const auditPosts = audits.slice(auditsBefore);
    expect(auditPosts.length).toBeGreaterThan(0);
    for (const p of auditPosts) expect(p).toMatchObject({ auth: posts[0].auth, cluster: 'prod-eu-west-1', body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1' } });
    expect(errors).toEqual([]);
    const count = received.length + audits.length;
    await new Promise((r) => setTimeout(r, 1100));
    expect(received.length + audits.length).toBe(count);
  });

  it('startSimulator reports an unreachable server through onError', async () => {
    const errors: Error[] = [];
    const sim = startSimulator({ url: 'http://127.0.0.1:9', auth: { apiKey: 'x' }, eventsPerSecond: 5, onError: (e) => errors.push(e) });
    await new Promise((r) => setTimeout(r, 300));
    await sim.stop();
    expect(errors.length).toBe(1);
    expect(errors[0].message).toMatch(/fetch failed/);
  });
});

describe('writeFixtureFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'execwatch-fixture-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes gzipped NDJSON with bad lines exactly where it says', async () => {
    const info = await writeFixtureFile(join(dir, 'f.ndjson.gz'), { count: 100, seed: 1, badLines: 6 });
    const raw = readFileSync(info.path);
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
    const lines = gunzipSync(raw).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(106);
    expect(info).toMatchObject({ events: 100, lines: 106 });
    const isEvent = (l: string) => {
      try {
        const v: unknown = JSON.parse(l);
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      } catch {
        return false;
      }
    };
    const bad = lines.map((l, i) => (isEvent(l) ? 0 : i + 1)).filter(Boolean);
    expect(bad).toEqual(info.badLineNumbers);
    expect(bad).toHaveLength(6);
  });

  it('writes bulk format: an action line before each event', async () => {
    const info = await writeFixtureFile(join(dir, 'b.ndjson'), { count: 10, seed: 1, format: 'bulk' });
    const lines = readFileSync(info.path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(20);
    expect(JSON.parse(lines[0])).toEqual({ create: { _index: 'logs-cloud_defend.process-default' } });
    expect(get(JSON.parse(lines[1]), 'event.module')).toBe('cloud_defend');
  });
});
