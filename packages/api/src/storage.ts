/**
 * The store over time (`GET /api/store/_stats`, `PUT /api/store/_settings`): how large it is, how fast it
 * grows, how long events and alerts are kept, and the disk guard's state.
 */
import { z } from 'zod';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Retention as a duration: minutes, hours or days (`90m`, `36h`, `7d`). */
export const retentionTextSchema = z
  .string()
  .trim()
  .regex(/^\d{1,6}(m|h|d)$/, 'expected a duration such as 36h or 7d');

/** Milliseconds of a retention duration (`7d`), or null when the text is not one. */
export function retentionMs(text: string): number | null {
  const m = /^(\d{1,6})(m|h|d)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null; // the regex names a unit of UNIT_MS
}

/** The least retention the server accepts: rules look back minutes, and catch up at most a few intervals. */
export const MIN_RETENTION_MS = UNIT_MS.h;
/** The most: a century. */
export const MAX_RETENTION_MS = 36_500 * UNIT_MS.d;

/** A duration in ms as the shortest whole text (`7d`, `36h`, `90m`). */
export function retentionText(ms: number): string {
  if (ms % UNIT_MS.d === 0) return `${ms / UNIT_MS.d}d`;
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  return `${Math.round(ms / UNIT_MS.m)}m`;
}

export const diskStateSchema = z.object({
  /** Free bytes of the data directory's file system at the last check (null: not known). */
  free_bytes: z.number().nullable(),
  total_bytes: z.number().nullable(),
  /** Below this, ingest is refused (EXECWATCH_DISK_MIN_FREE). */
  min_free_bytes: z.number().nullable(),
  /** Whether ingest is refused now. */
  blocked: z.boolean(),
  checked_at: z.string().nullable(),
});
export type DiskState = z.infer<typeof diskStateSchema>;

export const retentionInForceSchema = z.object({
  events: z.string(),
  alerts: z.string(),
  /** Where each value comes from: the admin's setting, or the environment (its default). */
  events_source: z.enum(['setting', 'environment']),
  alerts_source: z.enum(['setting', 'environment']),
  /** Who deletes: this server, or the cluster's own lifecycle (Elasticsearch mode). */
  enforced_by: z.enum(['execwatch', 'cluster']),
});
export type RetentionInForce = z.infer<typeof retentionInForceSchema>;

export const storeStatsSchema = z.object({
  store: z.enum(['embedded', 'elasticsearch']),
  /** Bytes the store takes on disk (file and WAL); null when the store cannot tell. */
  size_bytes: z.number().nullable(),
  /** Bytes inside the file freed by deletion and reused by the next writes. */
  reusable_bytes: z.number().nullable(),
  events: z.number().nullable(),
  /** false: `events` is estimated from the arrival sequence (counting every row would take too long). */
  events_exact: z.boolean(),
  oldest_event: z.string().nullable(),
  /** Events that arrived in the last 24 hours (scaled up when the store is younger than that). */
  events_per_day: z.number().nullable(),
  /** The size the store settles at: what a day of events takes at the current rate, times the event retention. */
  projected_bytes: z.number().nullable(),
  alerts: z.number().nullable(),
  oldest_alert: z.string().nullable(),
  retention: retentionInForceSchema,
  /** The last retention pass: when it ran and what it deleted. */
  last_pass: z
    .object({ at: z.string(), events_deleted: z.number(), alerts_deleted: z.number(), took_ms: z.number() })
    .nullable(),
  disk: diskStateSchema.nullable(),
});
export type StoreStats = z.infer<typeof storeStatsSchema>;

/** `PUT /api/store/_settings`: null puts a value back to the environment's. */
export const storeSettingsSchema = z
  .object({
    events_retention: retentionTextSchema.nullable().optional(),
    alerts_retention: retentionTextSchema.nullable().optional(),
  })
  .strict();
export type StoreSettings = z.infer<typeof storeSettingsSchema>;
