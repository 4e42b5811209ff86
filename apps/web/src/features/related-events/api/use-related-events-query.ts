import { useQuery } from '@tanstack/react-query';
import { relatedEventsResponseSchema, type RelatedEventsResponse } from '@execwatch/api';
import { apiRequest, withQuery } from '../../../lib/http';

export const relatedEventsKeys = {
  all: ['related-events'] as const,
  list: (field: string, value: string, from: string, to: string) => [...relatedEventsKeys.all, field, value, from, to] as const,
};

/** `GET /api/events/_related`: events sharing `field: value` in a time range, newest first. */
export function fetchRelatedEvents(field: string, value: string, from: string, to: string, signal?: AbortSignal): Promise<RelatedEventsResponse> {
  return apiRequest(withQuery('/api/events/_related', { field, value, from, to, size: 200 }), relatedEventsResponseSchema, { signal });
}

/** "Show related events" for one field value. */
export function useRelatedEventsQuery(field: string, value: string, from: string, to: string) {
  return useQuery({ queryKey: relatedEventsKeys.list(field, value, from, to), queryFn: ({ signal }) => fetchRelatedEvents(field, value, from, to, signal) });
}
