import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiRequest, withQuery } from '../../../lib/http';

/**
 * `GET /api/events/_related`. The contract names the endpoint but not its body, so this accepts
 * `{ total?, events: [...] }` or a bare array, each event an ECS document (optionally wrapped as `_source`).
 */
const relatedEventsResponseSchema = z.union([
  z.object({ total: z.number().optional(), events: z.array(z.record(z.string(), z.unknown())) }),
  z.array(z.record(z.string(), z.unknown())).transform((events) => ({ total: events.length, events })),
]);
export type RelatedEvents = { total: number; events: Array<Record<string, unknown>> };

export const relatedEventsKeys = {
  all: ['related-events'] as const,
  list: (field: string, value: string, from: string, to: string) => [...relatedEventsKeys.all, field, value, from, to] as const,
};

/** Events sharing `field: value` in a time range. */
export async function fetchRelatedEvents(field: string, value: string, from: string, to: string, signal?: AbortSignal): Promise<RelatedEvents> {
  const r = await apiRequest(withQuery('/api/events/_related', { field, value, from, to }), relatedEventsResponseSchema, { signal });
  return { total: r.total ?? r.events.length, events: r.events.map((e) => (isRecord(e._source) ? e._source : e)) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "Show related events" for one field value. */
export function useRelatedEventsQuery(field: string, value: string, from: string, to: string) {
  return useQuery({ queryKey: relatedEventsKeys.list(field, value, from, to), queryFn: ({ signal }) => fetchRelatedEvents(field, value, from, to, signal) });
}
