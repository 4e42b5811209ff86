import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandDottedKeys, hasDottedKey } from './expand-dotted';
import { mergeBulkResults, parseBulkBody } from './parse-bulk';

const lines = (...l: string[]) => l.join('\n');

describe('parseBulkBody', () => {
  it('parses index/create pairs with default index, ids and line numbers', () => {
    const body = lines(
      '{"index":{"_index":"a"}}',
      '{"x":1}',
      '{"create":{"_id":"7"}}',
      '{"y":2}',
      '{"create":{"_index":"b","_id":8}}',
      '{"z":3}',
    );
    const p = parseBulkBody(Buffer.from(body), 'dflt');
    expect(p.errors).toEqual([]);
    expect(p.items).toBe(3);
    expect(p.operations).toEqual([
      { action: 'index', index: 'a', source: '{"x":1}', line: 2 },
      { action: 'create', index: 'dflt', id: '7', source: '{"y":2}', line: 4 },
      { action: 'create', index: 'b', id: '8', source: '{"z":3}', line: 6 },
    ]);
  });

  it('accepts CRLF, blank lines and a last line without newline', () => {
    const p = parseBulkBody('\r\n{"index":{"_index":"a"}}\r\n\r\n{"x":1}\r\n\n{"index":{"_index":"a"}}\n{"y":2}');
    expect(p.operations.map((o) => [o.source, o.line])).toEqual([['{"x":1}', 4], ['{"y":2}', 7]]);
  });

  it.each([
    ['delete is not supported', lines('{"delete":{"_index":"a","_id":"1"}}', '{"index":{"_index":"a"}}', '{"ok":1}'), 400, /not supported/, 1],
    ['update is not supported (its source line is consumed)', lines('{"update":{"_index":"a","_id":"1"}}', '{"doc":{}}', '{"index":{"_index":"a"}}', '{"ok":1}'), 400, /not supported/, 1],
    ['bad action JSON fails its item', lines('{"index":', '{"x":1}', '{"index":{"_index":"a"}}', '{"ok":1}'), 400, /Malformed action/, 1],
    ['unknown action', lines('{"upsert":{"_index":"a"}}', '{"x":1}', '{"index":{"_index":"a"}}', '{"ok":1}'), 400, /unknown action/, 1],
    ['two actions in one line', lines('{"index":{},"create":{}}', '{"x":1}', '{"index":{"_index":"a"}}', '{"ok":1}'), 400, /exactly one action/, 1],
    ['missing index', lines('{"index":{}}', '{"x":1}', '{"index":{"_index":"a"}}', '{"ok":1}'), 400, /index is missing/, 1],
    ['empty id', lines('{"index":{"_index":"a","_id":""}}', '{"x":1}', '{"index":{"_index":"a"}}', '{"ok":1}'), 400, /must not be empty/, 1],
  ])('%s', (_name, body, status, reason, line) => {
    const p = parseBulkBody(body);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]?.result.status).toBe(status);
    expect(p.errors[0]?.result.error?.reason).toMatch(reason);
    expect(p.errors[0]?.line).toBe(line);
    expect(p.operations.map((o) => o.source)).toEqual(['{"ok":1}']);
    expect(p.items).toBe(2);
  });

  it('an action without its source line fails alone', () => {
    const p = parseBulkBody(lines('{"index":{"_index":"a"}}', '{"x":1}', '{"index":{"_index":"a"}}', ''));
    expect(p.operations).toHaveLength(1);
    expect(p.errors[0]?.result.error?.reason).toMatch(/no source line/);
  });

  it('leaves source lines byte for byte (the store expands dotted keys)', () => {
    const p = parseBulkBody(lines('{"index":{"_index":"a"}}', '{"process.name":"bash","ip":"1.2.3.4"}', '{"index":{"_index":"a"}}', '{"msg" : "a.b", "n":1.5}'));
    expect(p.operations[0]?.source).toBe('{"process.name":"bash","ip":"1.2.3.4"}');
    expect(p.operations[1]?.source).toBe('{"msg" : "a.b", "n":1.5}');
  });

  it('merges errors and store results back into request order', () => {
    const p = parseBulkBody(lines('{"index":{"_index":"a"}}', '{"x":1}', '{"delete":{"_index":"a","_id":"1"}}', '{"index":{"_index":"a"}}', '{"y":1}'));
    const merged = mergeBulkResults(p, [
      { action: 'index', _index: 'a', _id: '1', status: 201, result: 'created' },
      { action: 'index', _index: 'a', _id: '2', status: 201, result: 'created' },
    ]);
    expect(merged.map((r) => [r._id, r.status])).toEqual([['1', 201], ['1', 400], ['2', 201]]);
  });

  it('fuzz: never throws, and every item is accounted for once', () => {
    const line = fc.oneof(
      fc.constantFrom('{"index":{"_index":"a"}}', '{"create":{"_id":"x"}}', '{"delete":{"_id":"x"}}', '{"update":{}}', '', '   ', '{"a.b":1,"a":2}', '{"x":{"y.z":[1,{"q.r":2}]}}'),
      fc.json(),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.boolean(), (ls, crlf) => {
        const p = parseBulkBody(ls.join(crlf ? '\r\n' : '\n'), 'dflt');
        expect(p.items).toBe(p.operations.length + p.errors.length);
        const positions = p.errors.map((e) => e.position);
        expect(new Set(positions).size).toBe(positions.length);
        for (const pos of positions) expect(pos).toBeLessThan(p.items);
        for (const op of p.operations) expect(op.line).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('dotted keys', () => {
  it.each([
    ['{"a.b":1}', true],
    ['{"a" : {"b.c" :1}}', true],
    ['{"a":"b.c"}', false],
    ['{"a":["x.y", "z"]}', false],
    ['{"a\\".b":1}', true],
    ['{"a":"\\"b.c\\":"}', false],
    ['{"a\\u002eb":1}', true],
  ])('hasDottedKey(%s) = %s', (line, expected) => {
    expect(hasDottedKey(line)).toBe(expected);
  });

  it.each([
    ['{"a.b":1,"a.c":2}', '{"a":{"b":1,"c":2}}'],
    ['{"a":{"b":1},"a.c":2}', '{"a":{"b":1,"c":2}}'],
    ['{"a":{"b":1},"a.b":2}', '{"a":{"b":[1,2]}}'],
    ['{"l":[{"x.y":1}]}', '{"l":[{"x":{"y":1}}]}'],
    ['{"a\\u002eb":1}', '{"a":{"b":1}}'],
  ])('expandDottedKeys(%s)', (line, expected) => {
    expect(expandDottedKeys(line)).toBe(expected);
  });

  it.each(['{"a":1,"a.b":2}', '{"a.b":2,"a":1}', '{"a.":1}', '{".a":1}', '{"a..b":1}'])('rejects %s as Elasticsearch does', (line) => {
    expect(() => expandDottedKeys(line)).toThrow();
  });

  it('fuzz: the scan finds every line the rewrite would change', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        let changed: boolean;
        try {
          changed = expandDottedKeys(text) !== JSON.stringify(JSON.parse(text));
        } catch {
          changed = true;
        }
        if (changed) expect(hasDottedKey(text)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
