import { describe, expect, it } from 'vitest';
import { auditQueryParams, DEFAULT_AUDIT_FROM, parseAuditParams, withAuditFilters, withAuditPage } from './audit-filters';

describe('audit filters in the URL', () => {
  it('takes the defaults when the URL says nothing', () => {
    expect(parseAuditParams(new URLSearchParams())).toEqual({ filters: { user: undefined, action: undefined, from: DEFAULT_AUDIT_FROM, to: 'now' }, page: 1 });
  });

  it.each([['0'], ['-2'], ['1.5'], ['x'], ['']])('reads page %j as page 1', (page) => {
    expect(parseAuditParams(new URLSearchParams({ page })).page).toBe(1);
  });

  it('reads every filter and the page', () => {
    const parsed = parseAuditParams(new URLSearchParams({ user: ' admin ', action: 'user.create', from: 'now-1h', to: '2026-01-01T00:00:00Z', page: '3' }));
    expect(parsed).toEqual({ filters: { user: 'admin', action: 'user.create', from: 'now-1h', to: '2026-01-01T00:00:00Z' }, page: 3 });
  });

  it('goes back to page 1 on a new filter, keeps other parameters and leaves defaults out', () => {
    const next = withAuditFilters(new URLSearchParams({ page: '4', user: 'admin', other: 'kept' }), { action: 'auth.login', from: DEFAULT_AUDIT_FROM });
    expect(Object.fromEntries(next)).toEqual({ user: 'admin', other: 'kept', action: 'auth.login' });
  });

  it('clears a filter set to nothing', () => {
    const next = withAuditFilters(new URLSearchParams({ user: 'admin', action: 'auth.login' }), { user: undefined });
    expect(Object.fromEntries(next)).toEqual({ action: 'auth.login' });
  });

  it('writes the page, dropping page 1', () => {
    expect(withAuditPage(new URLSearchParams({ user: 'a' }), 2).get('page')).toBe('2');
    expect(withAuditPage(new URLSearchParams({ page: '2' }), 1).has('page')).toBe(false);
  });

  it('sends the same filters to the list and the export', () => {
    expect(auditQueryParams({ user: 'admin', from: 'now-1h', to: 'now' })).toEqual({ user: 'admin', action: undefined, from: 'now-1h', to: 'now' });
  });
});
