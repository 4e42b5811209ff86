import { useQuery } from '@tanstack/react-query';
import { ruleSchema, type Rule } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { rulesKeys } from './keys';

/** `GET /api/rules/{rule_id}`. */
export function fetchRule(ruleId: string, signal?: AbortSignal): Promise<Rule> {
  return apiRequest(`/api/rules/${encodeURIComponent(ruleId)}`, ruleSchema, { signal });
}

/** One rule (query, schedule, threat, guide, required steps...). */
export function useRuleQuery(ruleId: string | undefined) {
  return useQuery({
    queryKey: rulesKeys.detail(ruleId ?? ''),
    queryFn: ({ signal }) => fetchRule(ruleId ?? '', signal),
    enabled: ruleId !== undefined && ruleId.length > 0,
    staleTime: 60_000,
  });
}
