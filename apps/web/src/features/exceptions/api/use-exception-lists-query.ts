import { useQuery } from '@tanstack/react-query';
import { findExceptionListsResponseSchema, type FindExceptionListsResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { exceptionsKeys } from './keys';

/** `GET /api/exception_lists/_find` (first 1000 lists). */
export function fetchExceptionLists(signal?: AbortSignal): Promise<FindExceptionListsResponse> {
  return apiRequest('/api/exception_lists/_find?per_page=1000', findExceptionListsResponseSchema, { signal });
}

/** Every exception list container. */
export function useExceptionListsQuery() {
  return useQuery({ queryKey: exceptionsKeys.lists(), queryFn: ({ signal }) => fetchExceptionLists(signal) });
}
