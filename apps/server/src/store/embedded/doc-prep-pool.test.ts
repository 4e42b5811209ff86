import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEvents } from '@execwatch/simulator';
import { silentLogger } from '../../log';
import { createDocPrep, STORED_WIDTH, TS_INVALID, TS_MISSING, TS_OK, type PreparedDocs, type SourceLine } from './doc-prep';
import { createDocPreparer, type DocPreparer } from './doc-prep-pool';

const db = new Database(':memory:');
const open: DocPreparer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** A batch with every kind of line: good events (bytes and text), and each way a line can fail. */
function batch(n: number): SourceLine[] {
  const events = generateEvents(n, { seed: 11 }).map((e) => JSON.stringify(e));
  const lines: SourceLine[] = events.map((e, i) => (i % 2 === 0 ? Buffer.from(e) : e));
  lines[3] = Buffer.from('{"not json"');
  lines[5] = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
  lines[7] = '[1,2]';
  lines[9] = '{"event":{}}';
  lines[11] = '{"@timestamp":"yesterday"}';
  return lines;
}

/** The prepared batch as plain data, to compare two ways of preparing. */
const plain = (p: PreparedDocs) => ({ count: p.count, ts: [...p.ts], tsState: [...p.tsState], columns: p.columns, errors: p.errors });

describe('document preparation', () => {
  it('reads @timestamp and the stored columns, and names each failure', () => {
    const lines = batch(20);
    const p = createDocPrep(db)(lines);
    const first = JSON.parse(String(lines[0])) as { '@timestamp': string; process: { entry_leader: { entity_id: string } } };
    expect(p.ts[0]).toBe(Date.parse(first['@timestamp']));
    expect(p.columns.slice(0, STORED_WIDTH)).toContain(first.process.entry_leader.entity_id);
    expect(p.tsState[0]).toBe(TS_OK);
    expect(p.columns.slice(0, STORED_WIDTH)).toContain('container');
    expect(p.errors[3]).toMatchObject({ kind: 'malformed' });
    expect(p.errors[5]).toEqual({ kind: 'invalid_utf8' });
    expect(p.errors[7]).toEqual({ kind: 'not_object', type: 'array' });
    expect(p.errors[9]).toBeNull();
    expect(p.tsState[9]).toBe(TS_MISSING);
    expect(p.tsState[11]).toBe(TS_INVALID);
    expect(p.errors.filter((e) => e !== null)).toHaveLength(3);
  });

  it('the worker thread prepares exactly what the calling thread would', async () => {
    const warnings: string[] = [];
    const preparer = createDocPreparer({ db, log: { ...silentLogger, warn: (msg: string) => warnings.push(msg) }, inlineBelow: 1 });
    open.push(preparer);
    const lines = batch(600);
    const [a, b] = await Promise.all([preparer.prepare(lines), preparer.prepare(lines.slice(100))]);
    expect(plain(a)).toEqual(plain(createDocPrep(db)(lines)));
    expect(plain(b)).toEqual(plain(createDocPrep(db)(lines.slice(100))));
    expect(warnings).toEqual([]); // the thread did the work, no fallback
  });

  it('when the worker dies, the batches it held are prepared on the calling thread: nothing is lost', async () => {
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (msg: string) => warnings.push(msg) };
    const preparer = createDocPreparer({ db, log, inlineBelow: 1, workerEntry: new URL('./testing/exiting-worker.ts', import.meta.url) });
    open.push(preparer);
    const lines = batch(300);
    const results = await Promise.all([preparer.prepare(lines), preparer.prepare(lines)]);
    const expected = plain(createDocPrep(db)(lines));
    for (const r of results) expect(plain(r)).toEqual(expected);
    expect(plain(await preparer.prepare(lines))).toEqual(expected);
    expect(warnings).toEqual(['document preparation thread stopped; preparing on the request thread']);
  });
});
