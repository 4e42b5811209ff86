import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { auditSearchResponseSchema, type AuditSearchResponse } from '@execwatch/api';
import { apiRequest, withQuery } from '../../../lib/http';
import { auditQueryParams, type AuditFilters } from '../audit-filters';
import { adminKeys } from './keys';

/** `GET /api/audit` with the filters, one page (1-based), newest first. */
export function fetchAudit(filters: AuditFilters, page: number, size: number, signal?: AbortSignal): Promise<AuditSearchResponse> {
  return apiRequest(withQuery('/api/audit', { ...auditQueryParams(filters), page, size }), auditSearchResponseSchema, { signal });
}

/** One page of the audit log; the previous page stays on screen while the next loads. */
export function useAuditQuery(filters: AuditFilters, page: number, size: number, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: adminKeys.auditPage(filters, page, size),
    queryFn: ({ signal }) => fetchAudit(filters, page, size, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}
