import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSession, writeFixtureFile } from '@execwatch/simulator';
import { startTestServer, testPasswords, type TestServer } from '../testing/test-server';
import { runIngest } from './ingest-command';

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'execwatch-ingest-app-'));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ingest(file: string, user: keyof typeof testPasswords, extra: string[] = []) {
  let stderr = '';
  const code = await runIngest([file, '--url', server.url, ...extra], {
    stderr: { write: (s: string) => (stderr += s) },
    env: { EXECWATCH_USERNAME: user, EXECWATCH_PASSWORD: testPasswords[user] },
    retryDelayMs: 5,
  });
  return { code, stderr };
}

describe('npm run ingest against the real server', () => {
  it('stores a gzipped simulator file, skipping and reporting its bad lines', async () => {
    const before = await server.store.events.count();
    const info = await writeFixtureFile(join(dir, 'events.ndjson.gz'), { count: 800, seed: 11, badLines: 3 });
    const { code, stderr } = await ingest(info.path, 'admin', ['--batch', '300']);
    expect(stderr).toMatch(/800 events stored, 3 bad lines skipped, 0 rejected/);
    for (const lineNo of info.badLineNumbers) expect(stderr).toMatch(new RegExp(`^line ${lineNo}: `, 'm'));
    expect(code).toBe(1);
    expect((await server.store.events.count()) - before).toBe(800);
  });

  it('stores a session so the server can rebuild its process tree', async () => {
    const session = generateSession('attacker', { seed: 5 });
    const file = join(dir, 'session.ndjson');
    writeFileSync(file, `${session.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const { code } = await ingest(file, 'admin');
    expect(code).toBe(0);
    const leader = (session[0].process as { entity_id: string }).entity_id; // generated events always carry process.entity_id
    const { events } = await server.store.events.sessionEvents(leader, 1000);
    expect(events.length).toBe(session.length);
  });

  it('gives the interactive exec rule one match per ingested interactive session', async () => {
    const fresh = await startTestServer();
    try {
      const info = await writeFixtureFile(join(dir, 'rule.ndjson'), { count: 2000, seed: 21, interactiveRatio: 0.05 });
      let stderr = '';
      const code = await runIngest([info.path, '--url', fresh.url], {
        stderr: { write: (s: string) => (stderr += s) }, env: { EXECWATCH_USERNAME: 'admin', EXECWATCH_PASSWORD: testPasswords.admin },
      });
      expect(code, stderr).toBe(0);
      // The shells are the exec events that are their own (interactive) entry leaders: what the rule should match.
      const shells = readFileSync(info.path, 'utf8').split('\n').filter((l) => l.includes('"same_as_process":true,"start"') && l.includes('"interactive":true,"name"'))
        // Lines of a simulator fixture: events with these fields.
        .map((l) => JSON.parse(l) as { event: { action: string }; process: { entity_id: string; interactive: boolean; entry_leader: { entity_id: string } } })
        .filter((e) => e.event.action === 'exec' && e.process.interactive && e.process.entity_id === e.process.entry_leader.entity_id);
      const { status, body } = await fresh.json<{ events_matched: number }>('POST', '/api/rules/420e5bb4-93bf-40a3-8f4a-4cc1af90eca1/_run', { body: { from: 'now-1h', to: 'now+1h' } });
      expect(status).toBe(200);
      expect(shells.length).toBeGreaterThan(3);
      expect(body.events_matched).toBe(shells.length);
    } finally {
      await fresh.close();
    }
  });

  it('stops with exit code 1 when the user may not ingest', async () => {
    const file = join(dir, 'viewer.ndjson');
    writeFileSync(file, '{"a":1}\n');
    const before = await server.store.events.count();
    const { code, stderr } = await ingest(file, 'viewer');
    expect(code).toBe(1);
    expect(stderr).toMatch(/refused the request \(403\)/);
    expect(await server.store.events.count()).toBe(before);
  });
});
