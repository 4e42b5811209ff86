import { z } from 'zod';

/** ISO-8601 timestamp or Elasticsearch date math (`now-6m`, `now/d`, `2024-01-01||+1d`). Parsed by the server. */
export const dateInputSchema = z.string().trim().min(1).max(100);

export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof severitySchema>;

export const roleSchema = z.enum(['viewer', 'analyst', 'admin', 'ingest']);
export type Role = z.infer<typeof roleSchema>;

/** Comma-separated list in a query string -> string[] (empty items dropped). */
export const csvListSchema = z
  .string()
  .max(4096)
  .transform((s) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0));

export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  store: z.enum(['embedded', 'elasticsearch']),
  version: z.string(),
  rules: z.number().int(),
  uptime_s: z.number(),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
