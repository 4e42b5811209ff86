import { useQuery } from '@tanstack/react-query';
import { listRulesResponseSchema, type ListRulesResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { rulesKeys } from './keys';

/** `GET /api/rules`. */
export function fetchRules(signal?: AbortSignal): Promise<ListRulesResponse> {
  return apiRequest('/api/rules', listRulesResponseSchema, { signal });
}

/** Every rule with its last execution. */
export function useRulesQuery(options: { refetchInterval?: number | false } = {}) {
  return useQuery({ queryKey: rulesKeys.list(), queryFn: ({ signal }) => fetchRules(signal), refetchInterval: options.refetchInterval ?? false });
}
