import { describe, expect, it } from 'vitest';
import { buildExceptionFilter } from './es-filter';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const item = (id: string, entries: unknown[], extra: Record<string, unknown> = {}) => ({ id, entries, ...extra });

// Expected shapes are Kibana's documented output of buildExceptionFilter for the same entries.
const matchPhrase = (field: string, value: string) => ({ bool: { minimum_should_match: 1, should: [{ match_phrase: { [field]: value } }] } });

describe('buildExceptionFilter', () => {
  it('returns null when no item is in force', () => {
    expect(buildExceptionFilter([], { now: NOW }).query).toBeNull();
    expect(
      buildExceptionFilter([item('old', [{ field: 'a', operator: 'included', type: 'exists' }], { expire_time: '2020-01-01T00:00:00Z' })], { now: NOW }).query,
    ).toBeNull();
  });

  it('builds a single-entry item as its bare clause, a multi-entry item as bool/filter', () => {
    const { query } = buildExceptionFilter(
      [
        item('one', [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' }]),
        item('two', [
          { field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'ci' },
          { field: 'container.image.name', operator: 'included', type: 'wildcard', value: '*/runner-*' },
        ]),
      ],
      { now: NOW },
    );
    expect(query).toEqual({
      bool: {
        should: [
          matchPhrase('user.name', 'sre-admin'),
          { bool: { filter: [matchPhrase('orchestrator.namespace', 'ci'), { bool: { filter: { wildcard: { 'container.image.name': '*/runner-*' } } } }] } },
        ],
      },
    });
  });

  it('builds match_any, exists, excluded and nested clauses as Kibana does', () => {
    const { query } = buildExceptionFilter(
      [
        item('any', [{ field: 'user.name', operator: 'included', type: 'match_any', value: ['a', 'b'] }]),
        item('any1', [{ field: 'user.name', operator: 'excluded', type: 'match_any', value: ['a'] }]),
        item('ex', [{ field: 'process.parent.name', operator: 'excluded', type: 'exists' }]),
        item('nest', [
          {
            field: 'parent.field',
            type: 'nested',
            entries: [
              { field: 'nested.field', operator: 'included', type: 'match', value: 'x' },
              { field: 'other', operator: 'included', type: 'exists' },
            ],
          },
        ]),
      ],
      { now: NOW },
    );
    expect(query).toEqual({
      bool: {
        should: [
          { bool: { minimum_should_match: 1, should: [matchPhrase('user.name', 'a'), matchPhrase('user.name', 'b')] } },
          { bool: { must_not: matchPhrase('user.name', 'a') } },
          { bool: { must_not: { bool: { minimum_should_match: 1, should: [{ exists: { field: 'process.parent.name' } }] } } } },
          {
            nested: {
              path: 'parent.field',
              query: {
                bool: {
                  filter: [
                    matchPhrase('parent.field.nested.field', 'x'),
                    { bool: { minimum_should_match: 1, should: [{ exists: { field: 'parent.field.other' } }] } },
                  ],
                },
              },
              score_mode: 'none',
            },
          },
        ],
      },
    });
  });

  it('multiplies items with os_types over host.os.type and host.os.name.caseless', () => {
    const { query } = buildExceptionFilter([item('os', [{ field: 'user.name', operator: 'included', type: 'match', value: 'a' }], { os_types: ['linux'] })], {
      now: NOW,
    });
    expect(query).toEqual({
      bool: {
        should: [
          { bool: { filter: [matchPhrase('host.os.type', 'linux'), matchPhrase('user.name', 'a')] } },
          { bool: { filter: [matchPhrase('host.os.name.caseless', 'linux'), matchPhrase('user.name', 'a')] } },
        ],
      },
    });
  });

  it('chunks more than chunkSize items into nested should clauses', () => {
    const items = [1, 2, 3].map((n) => item(`i${n}`, [{ field: 'f', operator: 'included', type: 'match', value: String(n) }]));
    const { query } = buildExceptionFilter(items, { now: NOW, chunkSize: 2 });
    expect(query).toEqual({
      bool: { should: [{ bool: { should: [matchPhrase('f', '1'), matchPhrase('f', '2')] } }, { bool: { should: [matchPhrase('f', '3')] } }] },
    });
  });

  it('uses case_insensitive term and wildcard queries for case-insensitive entries, and reports value lists', () => {
    const { query, skipped } = buildExceptionFilter(
      [
        item('ci', [
          { field: 'user.name', operator: 'included', type: 'match', value: 'Admin', case_insensitive: true },
          { field: 'container.image.name', operator: 'included', type: 'wildcard', value: '*Runner*', case_insensitive: true },
        ]),
        item('vl', [{ field: 'user.name', operator: 'included', type: 'list', list: { id: 'x', type: 'keyword' } }]),
      ],
      { now: NOW },
    );
    expect(query).toEqual({
      bool: {
        should: [
          {
            bool: {
              filter: [
                { bool: { minimum_should_match: 1, should: [{ term: { 'user.name': { value: 'Admin', case_insensitive: true } } }] } },
                { bool: { filter: { wildcard: { 'container.image.name': { value: '*Runner*', case_insensitive: true } } } } },
              ],
            },
          },
        ],
      },
    });
    expect(skipped).toEqual([{ id: 'vl', reason: 'value lists are not supported' }]);
  });
});
