import { describe, expect, it } from 'vitest';
import {
  createExceptionListItemSchema,
  createExceptionListSchema,
  exceptionListItemSchema,
  kibanaEntrySchema,
  previewExceptionRequestSchema,
  updateExceptionListItemSchema,
} from '@execwatch/api';

const entry = { field: 'user.name', operator: 'included', type: 'match', value: 'sre' };
const createItem = { list_id: 'l', name: 'n', description: 'd', type: 'simple', entries: [entry], comments: [{ comment: 'why' }] };

describe('Kibana exception shapes (packages/api)', () => {
  it.each([
    ['match', entry],
    ['match_any', { field: 'a', operator: 'excluded', type: 'match_any', value: ['x', 'y'] }],
    ['wildcard', { field: 'a', operator: 'included', type: 'wildcard', value: '*x?' }],
    ['exists', { field: 'a', operator: 'included', type: 'exists' }],
    ['list', { field: 'a', operator: 'included', type: 'list', list: { id: 'ips', type: 'ip' } }],
    ['nested', { field: 'p', type: 'nested', entries: [{ field: 'q', operator: 'included', type: 'exists' }] }],
    ['case-insensitive match', { ...entry, case_insensitive: true }],
  ])('accepts a %s entry', (_name, e) => {
    expect(kibanaEntrySchema.safeParse(e).success).toBe(true);
  });

  it.each([
    ['empty match_any', { field: 'a', operator: 'included', type: 'match_any', value: [] }],
    ['unknown operator', { ...entry, operator: 'is' }],
    ['empty value', { ...entry, value: '' }],
    ['nested wildcard', { field: 'p', type: 'nested', entries: [{ field: 'q', operator: 'included', type: 'wildcard', value: 'x' }] }],
    ['non-boolean case_insensitive', { ...entry, case_insensitive: 'yes' }],
  ])('rejects %s', (_name, e) => {
    expect(kibanaEntrySchema.safeParse(e).success).toBe(false);
  });

  it('fills Kibana defaults on create bodies and refuses value lists there', () => {
    const parsed = createExceptionListItemSchema.parse(createItem);
    expect(parsed).toMatchObject({ namespace_type: 'single', os_types: [], tags: [] });
    expect(createExceptionListItemSchema.safeParse({ ...createItem, entries: [{ field: 'a', operator: 'included', type: 'list', list: { id: 'x', type: 'keyword' } }] }).success).toBe(false);
    expect(createExceptionListItemSchema.safeParse({ ...createItem, entries: [] }).success).toBe(false);
    expect(createExceptionListSchema.parse({ name: 'L', description: '', type: 'detection' })).toMatchObject({ namespace_type: 'single', version: 1 });
  });

  it('needs id or item_id to update, and accepts a null expiry (removal)', () => {
    const base = { name: 'n', description: 'd', type: 'simple', entries: [entry] };
    expect(updateExceptionListItemSchema.safeParse(base).success).toBe(false);
    expect(updateExceptionListItemSchema.safeParse({ ...base, item_id: 'x', expire_time: null }).success).toBe(true);
    expect(previewExceptionRequestSchema.parse({ rule_id: 'r', entries: [entry] })).toMatchObject({ sample_size: 10, os_types: [] });
  });

  it('keeps unknown keys of stored items (Kibana fields Execwatch does not use)', () => {
    const stored = {
      ...createItem, comments: [], created_at: 't', created_by: 'u', id: 'i', item_id: 'ii', namespace_type: 'single', os_types: [], tags: [],
      tie_breaker_id: 't', updated_at: 't', updated_by: 'u', _version: 'WzEsMV0=', some_future_field: 1,
    };
    expect(exceptionListItemSchema.parse(stored)).toMatchObject({ some_future_field: 1, _version: 'WzEsMV0=' });
  });
});
