import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exportExceptionsNdjson, parseExceptionsNdjson } from './ndjson';
import { compileExceptionMatcher } from './matcher';
import { checkWildcardPattern, MAX_WILDCARD_STARS } from './wildcard';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const sharedDomain = process.env.EXECWATCH_DOMAIN_DIR ?? path.resolve(repoRoot, '../shared/domain');
const sharedExample = path.join(sharedDomain, 'exceptions_example.ndjson');
const ownFixture = path.join(here, 'fixtures', 'kibana-export.ndjson');

function roundTrip(text: string) {
  const first = parseExceptionsNdjson(text);
  expect(first.errors).toEqual([]);
  expect(first.lists).toHaveLength(1);
  const again = parseExceptionsNdjson(exportExceptionsNdjson(first.lists[0], first.items));
  expect(again.errors).toEqual([]);
  expect(again.lists).toEqual(first.lists);
  expect(again.items).toEqual(first.items);
  expect(again.details?.exported_exception_list_item_count).toBe(first.items.length);
  return first;
}

describe('Kibana ndjson import/export', () => {
  it('round-trips the shared Kibana export example', (ctx) => {
    if (!existsSync(sharedExample)) {
      ctx.skip(`${sharedExample} is absent (set EXECWATCH_DOMAIN_DIR); the own fixture below covers the same shapes`);
      return;
    }
    const parsed = roundTrip(readFileSync(sharedExample, 'utf8'));
    expect(parsed.items.map((i) => i.item_id)).toEqual(['admin-accounts', 'cicd']);
    expect(parsed.details?.exported_exception_list_count).toBe(1);
  });

  it('round-trips an equivalent fixture and keeps every field as it was', () => {
    const text = readFileSync(ownFixture, 'utf8');
    const parsed = roundTrip(text);
    const originalItem = JSON.parse(text.split('\n')[1]) as Record<string, unknown>;
    expect(parsed.items[0]).toEqual(originalItem);
    expect(parsed.lists[0]._version).toBe('WzEwLDFd');
  });

  it('reports bad lines by number and keeps the rest', () => {
    const lines = readFileSync(ownFixture, 'utf8').trim().split('\n');
    const text = [lines[0], '{not json', JSON.stringify({ item_id: 'x', entries: [], list_id: 'l', name: 'n', type: 'simple', description: '' }), lines[1],
      JSON.stringify({ item_id: 'v', list_id: 'l', name: 'n', type: 'simple', description: '', entries: [{ field: 'a', operator: 'included', type: 'list', list: { id: 'ips', type: 'ip' } }] }),
      '[1]', lines[3]].join('\r\n');
    const parsed = parseExceptionsNdjson(text);
    expect(parsed.lists).toHaveLength(1);
    expect(parsed.items).toHaveLength(1);
    expect(parsed.details).not.toBeNull();
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 3, 5, 6]);
    expect(parsed.errors[0].message).toMatch(/^not JSON/);
    expect(parsed.errors[1].message).toMatch(/entries: an item needs at least one entry/);
    expect(parsed.errors[2].message).toBe('value lists are not supported');
  });

  it('exports case-insensitive entries as Kibana-readable entries and restores them on import', () => {
    const list = { list_id: 'l', name: 'L', description: '', type: 'detection' };
    const ci = {
      item_id: 'ci', list_id: 'l', name: 'CI', description: '', type: 'simple' as const,
      entries: [
        { field: 'user.name', operator: 'included' as const, type: 'match' as const, value: 'ops', case_insensitive: true },
        { field: 'container.image.name', operator: 'included' as const, type: 'wildcard' as const, value: '*Runner*', case_insensitive: true },
        { field: 'orchestrator.namespace', operator: 'included' as const, type: 'match' as const, value: 'a-very-long-namespace-name', case_insensitive: true },
      ],
    };
    const text = exportExceptionsNdjson(list, [ci]);
    const written = JSON.parse(text.split('\n')[1]) as { entries: Record<string, unknown>[] };
    expect(written.entries[0]).toEqual({ field: 'user.name', operator: 'included', type: 'match_any', value: ['ops', 'opS', 'oPs', 'oPS', 'Ops', 'OpS', 'OPs', 'OPS'] });
    expect(written.entries[1]).toEqual({ field: 'container.image.name', operator: 'included', type: 'wildcard', value: '*Runner*' });
    expect(written.entries[2]).not.toHaveProperty('case_insensitive');
    // Kibana's reading of the exported entry matches every spelling, as the original does.
    const asKibana = compileExceptionMatcher([{ id: 'k', entries: [written.entries[0]] }], { now: 0 });
    expect(asKibana.match({ user: { name: 'oPs' } })).toBe('k');
    const back = parseExceptionsNdjson(text);
    expect(back.items[0].entries).toEqual(ci.entries);
    expect(back.items[0].meta).toBeUndefined();
  });

  it('refuses an item whose wildcard pattern is beyond the cap, also when restored from case-insensitive meta', () => {
    const list = { list_id: 'l', name: 'L', description: '', type: 'detection' };
    const base = { list_id: 'l', name: 'W', description: '', type: 'simple' as const };
    const tooMany = '*a'.repeat(MAX_WILDCARD_STARS + 1);
    const plain = { ...base, item_id: 'w', entries: [{ field: 'process.args', operator: 'included' as const, type: 'wildcard' as const, value: tooMany }] };
    const parsed = parseExceptionsNdjson(exportExceptionsNdjson(list, [plain]));
    expect(parsed.items).toEqual([]);
    expect(parsed.errors).toEqual([{ line: 2, message: `exception list item: entries.0.value: ${checkWildcardPattern(tooMany)}` }]);

    const ci = { ...base, item_id: 'ci', entries: [{ field: 'process.args', operator: 'included' as const, type: 'wildcard' as const, value: '*a*', case_insensitive: true }] };
    const written = JSON.parse(exportExceptionsNdjson(list, [ci]).split('\n')[1]) as { meta: { execwatch: { case_insensitive_entries: { original: { value: string }[] } } } };
    written.meta.execwatch.case_insensitive_entries.original[0].value = tooMany;
    const edited = parseExceptionsNdjson(`${JSON.stringify(written)}\n`);
    expect(edited.items).toEqual([]);
    expect(edited.errors[0].message).toMatch(/unescaped \* wildcards/);
  });

  it('ignores restorable entries that are not valid entries', () => {
    const list = { list_id: 'l', name: 'L', description: '', type: 'detection' };
    const ci = { item_id: 'ci', list_id: 'l', name: 'CI', description: '', type: 'simple' as const,
      entries: [{ field: 'user.name', operator: 'included' as const, type: 'match' as const, value: 'ops', case_insensitive: true }] };
    const written = JSON.parse(exportExceptionsNdjson(list, [ci]).split('\n')[1]) as { entries: unknown[]; meta: { execwatch: { case_insensitive_entries: { original: unknown[] } } } };
    written.meta.execwatch.case_insensitive_entries.original = [{ type: 'regex', value: '(a+)+$' }];
    const parsed = parseExceptionsNdjson(`${JSON.stringify(written)}\n`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.items[0].entries).toEqual(written.entries);
  });

  it('never throws on random or mutated input', () => {
    const base = readFileSync(ownFixture, 'utf8');
    const mutated = fc
      .tuple(fc.nat({ max: base.length }), fc.nat({ max: 50 }), fc.string({ maxLength: 20 }))
      .map(([at, cut, insert]) => base.slice(0, at) + insert + base.slice(Math.min(base.length, at + cut)));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated, fc.json().map((j) => `${j}\n${j}`)), (text) => {
        const r = parseExceptionsNdjson(text);
        expect(Array.isArray(r.errors)).toBe(true);
        for (const e of r.errors) expect(e.line).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
