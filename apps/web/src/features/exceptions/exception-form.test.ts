import { describe, expect, it } from 'vitest';
import type { ExceptionListItem } from '@execwatch/api';
import { formProblems, initialFormState, toCreateBody, toUpdateBody, type ExceptionFormState } from './exception-form';

const now = Date.parse('2026-01-01T00:00:00Z');
const filled: ExceptionFormState = {
  template: 'admin_account',
  name: 'Known admin account',
  description: '',
  conditions: [{ field: 'user.name', operator: 'is', values: ['sre-admin'] }],
  comment: 'on-call runbook',
  owner: '',
  noExpiry: false,
  expiryDays: '90',
  expiryTouched: false,
};

const item: ExceptionListItem = {
  comments: [{ comment: 'first', created_at: '2025-01-01T00:00:00Z', created_by: 'admin', id: 'c1' }],
  created_at: '2025-01-01T00:00:00Z',
  created_by: 'admin',
  description: '',
  entries: [{ field: 'user.name', operator: 'included', type: 'match_any', value: ['a', 'b'] }],
  expire_time: '2026-01-11T00:00:00Z',
  id: 'id-1',
  item_id: 'item-1',
  list_id: 'list-1',
  meta: { owner: 'alice' },
  name: 'Admins',
  namespace_type: 'single',
  os_types: [],
  tags: [],
  tie_breaker_id: 't',
  type: 'simple',
  updated_at: '2025-01-01T00:00:00Z',
  updated_by: 'admin',
  _version: 'WzEsMV0=',
};

describe('exception form', () => {
  it('requires a justification on new items only, and an expiry when the admin says so', () => {
    expect(formProblems({ ...filled, comment: ' ' }, { isNew: true, expiryMandatory: false })).toEqual([expect.stringContaining('justification')]);
    expect(formProblems({ ...filled, comment: '' }, { isNew: false, expiryMandatory: false })).toEqual([]);
    expect(formProblems({ ...filled, noExpiry: true }, { isNew: true, expiryMandatory: true })).toEqual([expect.stringContaining('expiry is required')]);
    expect(formProblems({ ...filled, expiryDays: '0' }, { isNew: true, expiryMandatory: false })).toHaveLength(1);
  });

  it('creates with the justification as first comment and the default expiry', () => {
    const body = toCreateBody(filled, 'list-1', now);
    expect(body.comments).toEqual([{ comment: 'on-call runbook' }]);
    expect(body.expire_time).toBe('2026-04-01T00:00:00.000Z');
    expect(body.meta).toBeUndefined();
    const owned = toCreateBody({ ...filled, owner: 'bob', noExpiry: true }, 'list-1', now);
    expect(owned.meta).toEqual({ owner: 'bob' });
    expect('expire_time' in owned).toBe(false);
  });

  it('edits append comments, keep the owner, and keep the expiry unless touched', () => {
    const state = initialFormState({ item, defaultExpiryDays: 90, now });
    expect(state.conditions).toEqual([{ field: 'user.name', operator: 'is_one_of', values: ['a', 'b'] }]);
    expect(state.expiryDays).toBe('10');
    const body = toUpdateBody({ ...state, comment: 'still needed' }, item, now);
    expect(body.comments).toEqual([{ id: 'c1', comment: 'first' }, { comment: 'still needed' }]);
    expect(body.meta).toEqual({ owner: 'alice' });
    expect('expire_time' in body).toBe(false);
    expect(toUpdateBody({ ...state, noExpiry: true, expiryTouched: true }, item, now).expire_time).toBeNull();
  });

  it('offers the editing user as owner of an item that has none', () => {
    const unowned = { ...item, meta: undefined };
    expect(initialFormState({ item: unowned, defaultExpiryDays: 90, now, currentUser: 'carol' }).owner).toBe('carol');
    expect(initialFormState({ item, defaultExpiryDays: 90, now, currentUser: 'carol' }).owner).toBe('alice');
  });
});
