import { useQuery } from '@tanstack/react-query';
import { listExecutionsResponseSchema, type ListExecutionsResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { rulesKeys } from './keys';

/** `GET /api/rules/{rule_id}/executions`. */
export function fetchRuleExecutions(ruleId: string, signal?: AbortSignal): Promise<ListExecutionsResponse> {
  return apiRequest(`/api/rules/${encodeURIComponent(ruleId)}/executions`, listExecutionsResponseSchema, { signal });
}

/** Recent runs of a rule, newest first. */
export function useRuleExecutionsQuery(ruleId: string, options: { enabled?: boolean; refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: rulesKeys.executions(ruleId),
    queryFn: ({ signal }) => fetchRuleExecutions(ruleId, signal),
    enabled: options.enabled ?? true,
    refetchInterval: options.refetchInterval ?? false,
  });
}
