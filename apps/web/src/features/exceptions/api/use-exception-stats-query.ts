import { useQuery } from '@tanstack/react-query';
import { exceptionItemStatsResponseSchema, type ExceptionItemStatsResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { exceptionsKeys } from './keys';

/** `GET /api/exception_lists/items/_stale?all=true`: every item with hits, last match and state. */
export function fetchExceptionStats(signal?: AbortSignal): Promise<ExceptionItemStatsResponse> {
  return apiRequest('/api/exception_lists/items/_stale?all=true', exceptionItemStatsResponseSchema, { signal });
}

/** The review state of every exception item. */
export function useExceptionStatsQuery() {
  return useQuery({ queryKey: exceptionsKeys.stats(), queryFn: ({ signal }) => fetchExceptionStats(signal) });
}
