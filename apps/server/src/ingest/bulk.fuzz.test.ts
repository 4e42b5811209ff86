/**
 * Fuzz over HTTP: bulk bodies mixing good documents with hostile ones (deep nesting with and without dotted
 * keys, `__proto__` keys, huge numbers, invalid UTF-8, lone surrogates, 1 MB strings, raw audit events nested
 * past the stack). The answer is always 200 with one result per item, every good document is stored (counted
 * through the store), nothing else is stored but what was answered 201, and the server keeps serving.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ realTime: true });
});
afterAll(async () => {
  await server.close();
});

const INDEX = 'logs-fuzz-default';
const AUDIT_INDEX = 'logs-kubernetes.audit_logs-default';
let serial = 0;

interface Line {
  good: boolean;
  index: string;
  source: Buffer;
}

const text = (s: string, index = INDEX): Line => ({ good: false, index, source: Buffer.from(s, 'utf8') });
const nest = (depth: number, key: string, leaf: string) => `${`{"${key}":`.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
const ts = () => new Date(Date.now() - 60_000).toISOString();

const good: fc.Arbitrary<Line> = fc.record({ msg: fc.string({ maxLength: 40 }), dotted: fc.boolean(), depth: fc.integer({ min: 0, max: 17 }) }).map(({ msg, dotted, depth }) => {
  const id = serial++;
  const inner = dotted ? `{"fuzz.id":${id},"fuzz.msg":${JSON.stringify(msg)}}` : `{"fuzz":{"id":${id},"msg":${JSON.stringify(msg)}}}`;
  // objects nested within the depth limit (the document is depth 1, "n"s add up to 18, "fuzz" one more)
  const doc = `{"@timestamp":"${ts()}","n":${nest(depth, 'n', inner)}}`;
  return { good: true, index: INDEX, source: Buffer.from(doc, 'utf8') };
});

const hostile: fc.Arbitrary<Line> = fc.oneof(
  // objects nested past the depth limit, plainly or through dotted keys, up to past the stack
  fc.integer({ min: 20, max: 3000 }).map((d) => text(`{"@timestamp":"${ts()}",${nest(d, 'a', '1').slice(1)}`)),
  fc.integer({ min: 20, max: 20_000 }).map((d) => text(`{"@timestamp":"${ts()}","${Array.from({ length: d }, () => 'k').join('.')}":1}`)),
  fc.integer({ min: 11, max: 5000 }).map((d) => text(`{"x.y":${nest(d, 'p.q', '"v"')}}`)),
  fc.integer({ min: 900, max: 20_000 }).map((d) => text(`{"a.b":${'['.repeat(d)}1${']'.repeat(d)}}`)),
  fc.integer({ min: 900, max: 20_000 }).map((d) => text(`${'['.repeat(d)}${']'.repeat(d)}`)),
  // prototype keys, as data
  fc.constantFrom(
    `{"__proto__":{"polluted.x":1},"constructor.prototype.polluted":1,"toString":"x","a":{"__proto__.b":2}}`,
    `{"__proto__.polluted":true,"hasOwnProperty":1,"valueOf.x":2}`,
  ).map((s) => text(s)),
  // numbers no double holds
  fc.constantFrom(`{"n":1e999999,"m":-1e-999999,"x.y":1e400}`, `{"big":${'9'.repeat(400)},"b.c":-${'1'.repeat(300)}.5}`).map((s) => text(s)),
  // invalid UTF-8, lone surrogates (escaped: valid JSON; as bytes: not UTF-8)
  fc.constantFrom(
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    Buffer.from([0x7b, 0x22, 0x61, 0x2e, 0x62, 0x22, 0x3a, 0x22, 0xc0, 0x80, 0x22, 0x7d]),
    Buffer.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
    Buffer.from('{"s":"\\ud800","t.u":"\\udfff x","v":"\\u002e"}', 'utf8'),
  ).map((source) => ({ good: false, index: INDEX, source })),
  // a 1 MB string, with and without dotted keys
  fc.boolean().map((dotted) => text(`{"${dotted ? 'big.text' : 'big'}":"${'é'.repeat(512 * 1024)}"}`)),
  // no documents at all
  fc.constantFrom('not json', '"a string"', '[1,2]', 'null', '{"a":', '{"a.":1}', '{"":{"..":1}}').map((s) => text(s)),
  // raw audit events (mapped to the integration's shape) nested past the stack
  fc.integer({ min: 5000, max: 50_000 }).map((d) =>
    text(
      `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a-${serial++}","stage":"ResponseComplete","requestURI":"/api","verb":"create","requestReceivedTimestamp":"${ts()}","requestObject":${nest(d, 'o', '1')}}`,
      AUDIT_INDEX,
    ),
  ),
);

/** A bulk body of `create` actions for the lines. */
function bulkBody(lines: Line[]): Buffer {
  const parts: Buffer[] = [];
  for (const l of lines) parts.push(Buffer.from(`{"create":{"_index":"${l.index}"}}\n`), l.source, Buffer.from('\n'));
  return Buffer.concat(parts);
}

interface BulkAnswer {
  errors: boolean;
  items: Record<string, { status: number; error?: { type: string; reason: string } }>[];
}

async function send(lines: Line[]): Promise<void> {
  const before = await server.store.events.count();
  const res = await server.request('POST', '/_bulk', { rawBody: bulkBody(lines), headers: { 'content-type': 'application/x-ndjson' } });
  const answer = (await res.json()) as BulkAnswer;
  expect(res.status).toBe(200);
  expect(answer.items).toHaveLength(lines.length);
  const statuses = answer.items.map((i) => i.create?.status);
  lines.forEach((l, k) => {
    if (l.good) expect(statuses[k], JSON.stringify(answer.items[k])).toBe(201);
    else expect([201, 400]).toContain(statuses[k]);
  });
  expect(await server.store.events.count()).toBe(before + statuses.filter((s) => s === 201).length);
}

describe('bulk ingest fuzz', () => {
  it('a deeply nested document with dotted keys fails its own item; the others are stored', async () => {
    const lines: Line[] = [fc.sample(good, 1)[0] as Line, text(`{"@timestamp":"${ts()}",${nest(10_000, 'a.b', '1').slice(1)}`), fc.sample(good, 1)[0] as Line];
    const res = await server.request('POST', '/_bulk', { rawBody: bulkBody(lines), headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as BulkAnswer;
    expect(answer.items.map((i) => i.create?.status)).toEqual([201, 400, 201]);
    expect(answer.items[1]?.create?.error?.type).toBe('document_parsing_exception');
    expect(answer.items[1]?.create?.error?.reason).toMatch(/^\[4:1\] Limit of mapping depth \[20\] has been exceeded due to object field \[a\.b\.a\.b/);
  });

  it('fuzz: random mixes of good and hostile documents always answer 200 per item, and every good one is stored', async () => {
    const body = fc.array(fc.oneof({ arbitrary: good, weight: 2 }, { arbitrary: hostile, weight: 1 }), { minLength: 1, maxLength: 14 });
    await fc.assert(fc.asyncProperty(body, send), { numRuns: 25 });
  }, 120_000);

  it('fuzz: the same through the preparation thread (batches of 256 lines and more)', async () => {
    const body = fc.tuple(fc.array(good, { minLength: 260, maxLength: 300 }), fc.array(hostile, { minLength: 1, maxLength: 8 })).map(([g, h]) => {
      const lines = [...g];
      h.forEach((l, k) => lines.splice((k * 37) % lines.length, 0, l));
      return lines;
    });
    await fc.assert(fc.asyncProperty(body, send), { numRuns: 4 });
  }, 120_000);

  it('keeps serving, and nothing reached a prototype', async () => {
    expect((await server.request('GET', '/api/health', { user: null })).status).toBe(200);
    await send(fc.sample(good, 3));
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
