import { useQuery } from '@tanstack/react-query';
import { auditFeedHealthSchema, type AuditFeedHealth } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { attributionKeys } from './keys';

/** `GET /api/k8s/audit/_health`: the audit feed per cluster over the last day. */
export function fetchAuditFeedHealth(signal?: AbortSignal): Promise<AuditFeedHealth> {
  return apiRequest('/api/k8s/audit/_health', auditFeedHealthSchema, { signal });
}

/** The audit feed's health; it changes slowly, so it is read again once a minute at most. */
export function useAuditFeedHealthQuery() {
  return useQuery({ queryKey: attributionKeys.feedHealth(), queryFn: ({ signal }) => fetchAuditFeedHealth(signal), staleTime: 60_000, refetchInterval: 60_000 });
}
