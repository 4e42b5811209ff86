/** Request bodies of Kibana's detection-engine signals API, as Kibana documents them. */
import { z } from 'zod';

const ids = z.array(z.string().min(1).max(200)).max(100_000);
/** A query DSL object (its subset is checked when it is compiled: query-dsl.ts). */
const dsl = z.record(z.string(), z.unknown());
const names = z.array(z.string().min(1).max(200)).max(100);

/** `POST /api/detection_engine/signals/status`. */
export const signalsStatusSchema = z
  .looseObject({
    signal_ids: ids.optional(),
    query: dsl.optional(),
    status: z.enum(['open', 'closed', 'acknowledged', 'in-progress']),
    /** Kibana's closing reasons (9.1 and later). */
    reason: z.enum(['false_positive', 'duplicate', 'true_positive', 'benign_positive', 'automated_closure', 'other']).optional(),
    conflicts: z.enum(['abort', 'proceed']).optional(),
    /** Execwatch's guard rail: closing sessions of high risk needs it (409 otherwise, naming them). */
    confirm_high_risk: z.boolean().optional(),
  })
  .refine((b) => (b.signal_ids === undefined) !== (b.query === undefined), { message: 'give exactly one of signal_ids or query' });
export type SignalsStatusBody = z.infer<typeof signalsStatusSchema>;

/** `POST /api/detection_engine/signals/search`: a search request body (query, size, from, sort, aggs, _source). */
export const signalsSearchSchema = z.looseObject({
  query: dsl.optional(),
  size: z.number().int().min(0).max(10_000).optional(),
  from: z.number().int().min(0).max(100_000).optional(),
  sort: z.unknown().optional(),
  aggs: z.record(z.string(), z.unknown()).optional(),
  aggregations: z.record(z.string(), z.unknown()).optional(),
  _source: z.union([z.boolean(), z.string(), z.array(z.string()), z.object({ includes: z.array(z.string()).optional() })]).optional(),
  track_total_hits: z.union([z.boolean(), z.number().int().min(0)]).optional(),
  runtime_mappings: z.never().optional(),
});
export type SignalsSearchBody = z.infer<typeof signalsSearchSchema>;

/** `POST /api/detection_engine/signals/tags`. */
export const signalsTagsSchema = z
  .looseObject({
    ids: ids.optional(),
    query: dsl.optional(),
    tags: z.object({ tags_to_add: names.default([]), tags_to_remove: names.default([]) }),
  })
  .refine((b) => (b.ids === undefined) !== (b.query === undefined), { message: 'give exactly one of ids or query' })
  .refine((b) => b.tags.tags_to_add.length + b.tags.tags_to_remove.length > 0, { message: 'tags: give tags_to_add or tags_to_remove' });
export type SignalsTagsBody = z.infer<typeof signalsTagsSchema>;

/** `POST /api/detection_engine/signals/assignees` (assignees are user names here, profile uids in Kibana). */
export const signalsAssigneesSchema = z
  .looseObject({
    ids: ids.min(1),
    assignees: z.object({ add: z.array(z.string().min(1).max(200)).max(50).default([]), remove: z.array(z.string().min(1).max(200)).max(50).default([]) }),
  })
  .refine((b) => b.assignees.add.length + b.assignees.remove.length > 0, { message: 'assignees: give add or remove' });
export type SignalsAssigneesBody = z.infer<typeof signalsAssigneesSchema>;
