import { z } from 'zod';
import { dateInputSchema } from './common';
import { fieldNameSchema } from './field-names';

/** `GET /api/events/_related`: stored events where `field` equals `value` (e.g. the alert's container.id). */
export const relatedEventsQuerySchema = z.object({
  field: fieldNameSchema,
  value: z.string().min(1).max(2000),
  from: dateInputSchema.optional(),
  to: dateInputSchema.optional(),
  size: z.coerce.number().int().min(1).max(500).default(50),
});
export type RelatedEventsQuery = z.infer<typeof relatedEventsQuerySchema>;

/** One related event: a few summary fields and the stored document. */
export const relatedEventSchema = z.object({
  id: z.string(),
  index: z.string(),
  '@timestamp': z.string().nullable(),
  event_action: z.string().nullable(),
  process_name: z.string().nullable(),
  command_line: z.string().nullable(),
  user_name: z.string().nullable(),
  document: z.record(z.string(), z.unknown()),
});
export type RelatedEvent = z.infer<typeof relatedEventSchema>;

export const relatedEventsResponseSchema = z.object({
  total: z.number().int(),
  /** `gte`: the search stopped at its bound (the newest events of the range), so `total` is a lower bound. */
  total_relation: z.enum(['eq', 'gte']).optional(),
  /** Newest first, at most `size`. */
  events: z.array(relatedEventSchema),
  /** The time range searched, ISO. */
  range: z.object({ from: z.string(), to: z.string() }),
});
export type RelatedEventsResponse = z.infer<typeof relatedEventsResponseSchema>;
