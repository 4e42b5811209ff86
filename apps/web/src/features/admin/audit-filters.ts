/** What the audit log is filtered by; lives in the URL (`?user=&action=&from=&to=&page=`). */
export interface AuditFilters {
  /** Exact actor user name. */
  user?: string;
  /** Exact action, e.g. `user.create`. */
  action?: string;
  /** ISO time or date math (`now-7d`). */
  from: string;
  to: string;
}

export const DEFAULT_AUDIT_FROM = 'now-7d';
export const DEFAULT_AUDIT_TO = 'now';
export const AUDIT_PAGE_SIZE = 25;

/** The actions the server records, by area, for the action drop-down (other actions can still be typed). */
export const KNOWN_AUDIT_ACTIONS: ReadonlyArray<{ area: string; actions: readonly string[] }> = [
  { area: 'Sign-in', actions: ['auth.login', 'auth.logout', 'auth.authenticate', 'auth.lockout'] },
  { area: 'Users and keys', actions: ['user.create', 'user.update', 'user.ensure', 'api_key.create', 'api_key.invalidate'] },
  { area: 'Alerts', actions: ['alert.update', 'alert.bulk_update', 'alert.close_by_exception', 'alert.checklist_step', 'alert.note_add'] },
  { area: 'Rules', actions: ['rule.update', 'rule.run'] },
  {
    area: 'Exceptions',
    actions: [
      'exception_list.create',
      'exception_list.update',
      'exception_list.delete',
      'exception_list.import',
      'exception_list.export',
      'exception_item.create',
      'exception_item.update',
      'exception_item.expire',
      'exception_item.delete',
      'exception_settings.update',
    ],
  },
  { area: 'Audit log', actions: ['audit.export'] },
];

const nonEmpty = (value: string | null): string | undefined => (value === null || value.trim() === '' ? undefined : value.trim());

/** The filters and the 1-based page in `params`; missing values take the defaults. */
export function parseAuditParams(params: URLSearchParams): { filters: AuditFilters; page: number } {
  const page = Number(params.get('page'));
  return {
    filters: {
      user: nonEmpty(params.get('user')),
      action: nonEmpty(params.get('action')),
      from: nonEmpty(params.get('from')) ?? DEFAULT_AUDIT_FROM,
      to: nonEmpty(params.get('to')) ?? DEFAULT_AUDIT_TO,
    },
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/**
 * `params` with the filters changed: a new filter goes back to page 1, defaults are left out of the URL, and any
 * other parameter is kept.
 */
export function withAuditFilters(params: URLSearchParams, change: Partial<AuditFilters>): URLSearchParams {
  const next = new URLSearchParams(params);
  const current = parseAuditParams(params).filters;
  const merged: AuditFilters = { ...current, ...change };
  const set = (key: string, value: string | undefined, fallback?: string) => {
    if (value === undefined || value === '' || value === fallback) next.delete(key);
    else next.set(key, value);
  };
  set('user', merged.user);
  set('action', merged.action);
  set('from', merged.from, DEFAULT_AUDIT_FROM);
  set('to', merged.to, DEFAULT_AUDIT_TO);
  next.delete('page');
  return next;
}

/** `params` showing `page` (1-based). */
export function withAuditPage(params: URLSearchParams, page: number): URLSearchParams {
  const next = new URLSearchParams(params);
  if (page <= 1) next.delete('page');
  else next.set('page', String(page));
  return next;
}

/** The query parameters of `GET /api/audit` and `GET /api/audit/_export` for the filters. */
export function auditQueryParams(filters: AuditFilters): Record<string, string | undefined> {
  return { user: filters.user, action: filters.action, from: filters.from, to: filters.to };
}
