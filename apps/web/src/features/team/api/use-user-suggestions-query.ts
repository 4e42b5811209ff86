import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { suggestUsersResponseSchema, type SuggestUsersResponse } from '@execwatch/api';
import { apiRequest, withQuery } from '../../../lib/http';
import { teamKeys } from './keys';

/** `GET /api/users/_suggest?q=`: known, enabled users an alert can be assigned to. */
export function fetchUserSuggestions(q: string, signal?: AbortSignal): Promise<SuggestUsersResponse> {
  return apiRequest(withQuery('/api/users/_suggest', { q: q || undefined, size: 20 }), suggestUsersResponseSchema, { signal });
}

/** Users matching what is typed in the picker (the last answer stays while the next loads). */
export function useUserSuggestionsQuery(q: string, enabled = true) {
  return useQuery({ queryKey: teamKeys.suggestions(q), queryFn: ({ signal }) => fetchUserSuggestions(q, signal), enabled, staleTime: 60_000, placeholderData: keepPreviousData });
}
