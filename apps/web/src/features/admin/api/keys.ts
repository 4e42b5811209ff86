import type { AuditFilters } from '../audit-filters';

/** Query keys of the admin feature (users, API keys, audit log). */
export const adminKeys = {
  all: ['admin'] as const,
  users: () => [...adminKeys.all, 'users'] as const,
  apiKeys: () => [...adminKeys.all, 'api-keys'] as const,
  audit: () => [...adminKeys.all, 'audit'] as const,
  auditPage: (filters: AuditFilters, page: number, size: number) => [...adminKeys.audit(), filters, page, size] as const,
};
