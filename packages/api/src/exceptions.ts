/**
 * Kibana exception-list shapes (kbn-securitysolution-io-ts-list-types), as zod schemas, so lists move
 * between Kibana and Execwatch unchanged. Execwatch adds one optional field per entry:
 * `case_insensitive` (matching is case-sensitive otherwise, as Kibana's).
 */
import { z } from 'zod';

const nonEmptyString = z.string().trim().min(1).max(10_000);
// kept as sent: a name with spaces around it is an error, never silently changed into another field
const fieldName = z.string().min(1).max(1024).refine((f) => f === f.trim(), 'a field name cannot start or end with a space');

export const exceptionOperatorSchema = z.enum(['included', 'excluded']);
export type ExceptionOperator = z.infer<typeof exceptionOperatorSchema>;

export const namespaceTypeSchema = z.enum(['single', 'agnostic']);
export type NamespaceType = z.infer<typeof namespaceTypeSchema>;

export const exceptionListTypeSchema = z.enum([
  'detection',
  'rule_default',
  'endpoint',
  'endpoint_trusted_apps',
  'endpoint_events',
  'endpoint_host_isolation_exceptions',
  'endpoint_blocklists',
]);
export type ExceptionListType = z.infer<typeof exceptionListTypeSchema>;

export const osTypeSchema = z.enum(['linux', 'macos', 'windows']);
export type OsType = z.infer<typeof osTypeSchema>;

/** Value-list types of Kibana's `list` entries (recognised only to reject them clearly). */
export const valueListTypeSchema = z.enum([
  'binary', 'boolean', 'byte', 'date', 'date_nanos', 'date_range', 'double', 'double_range', 'float', 'float_range',
  'geo_point', 'geo_shape', 'half_float', 'integer', 'integer_range', 'ip', 'ip_range', 'keyword', 'long', 'long_range',
  'shape', 'short', 'text',
]);

export const entryMatchSchema = z.object({
  field: fieldName,
  operator: exceptionOperatorSchema,
  type: z.literal('match'),
  value: nonEmptyString,
  case_insensitive: z.boolean().optional(),
});
export type EntryMatch = z.infer<typeof entryMatchSchema>;

export const entryMatchAnySchema = z.object({
  field: fieldName,
  operator: exceptionOperatorSchema,
  type: z.literal('match_any'),
  value: z.array(nonEmptyString).min(1, 'match_any needs at least one value').max(10_000),
  case_insensitive: z.boolean().optional(),
});
export type EntryMatchAny = z.infer<typeof entryMatchAnySchema>;

export const entryMatchWildcardSchema = z.object({
  field: fieldName,
  operator: exceptionOperatorSchema,
  type: z.literal('wildcard'),
  value: nonEmptyString,
  case_insensitive: z.boolean().optional(),
});
export type EntryMatchWildcard = z.infer<typeof entryMatchWildcardSchema>;

export const entryExistsSchema = z.object({
  field: fieldName,
  operator: exceptionOperatorSchema,
  type: z.literal('exists'),
});
export type EntryExists = z.infer<typeof entryExistsSchema>;

/** Kibana's value-list entry. Parsed so it can be refused with a clear message; never evaluated. */
export const entryListSchema = z.object({
  field: fieldName,
  operator: exceptionOperatorSchema,
  type: z.literal('list'),
  list: z.object({ id: nonEmptyString, type: valueListTypeSchema }),
});
export type EntryList = z.infer<typeof entryListSchema>;

export const nestedSubEntrySchema = z.discriminatedUnion('type', [entryMatchSchema, entryMatchAnySchema, entryExistsSchema]);
export type NestedSubEntry = z.infer<typeof nestedSubEntrySchema>;

export const entryNestedSchema = z.object({
  field: fieldName,
  type: z.literal('nested'),
  entries: z.array(nestedSubEntrySchema).min(1).max(100),
});
export type EntryNested = z.infer<typeof entryNestedSchema>;

/** Every entry shape Kibana accepts, including value lists. */
export const kibanaEntrySchema = z.discriminatedUnion('type', [
  entryMatchSchema,
  entryMatchAnySchema,
  entryMatchWildcardSchema,
  entryExistsSchema,
  entryListSchema,
  entryNestedSchema,
]);
export type KibanaEntry = z.infer<typeof kibanaEntrySchema>;

/** The entries Execwatch evaluates (value lists are not supported). */
export const exceptionEntrySchema = z.discriminatedUnion('type', [
  entryMatchSchema,
  entryMatchAnySchema,
  entryMatchWildcardSchema,
  entryExistsSchema,
  entryNestedSchema,
]);
export type ExceptionEntry = z.infer<typeof exceptionEntrySchema>;

export const exceptionEntriesSchema = z.array(exceptionEntrySchema).min(1, 'an item needs at least one entry').max(100);

export const exceptionCommentSchema = z.looseObject({
  comment: nonEmptyString,
  created_at: z.string(),
  created_by: z.string(),
  id: z.string(),
  updated_at: z.string().optional(),
  updated_by: z.string().optional(),
});
export type ExceptionComment = z.infer<typeof exceptionCommentSchema>;

export const createCommentSchema = z.object({ comment: nonEmptyString });
/** Update bodies resend existing comments (with id) and add new ones (without). */
export const updateCommentSchema = z.object({ comment: nonEmptyString, id: z.string().min(1).optional() });

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date');
const metaSchema = z.record(z.string(), z.unknown());

/** An exception list container (`exception-list` saved object as the API returns it). */
export const exceptionListSchema = z.looseObject({
  _version: z.string().optional(),
  created_at: z.string(),
  created_by: z.string(),
  description: z.string(),
  id: z.string().min(1),
  immutable: z.boolean(),
  list_id: z.string().min(1),
  meta: metaSchema.optional(),
  name: z.string(),
  namespace_type: namespaceTypeSchema,
  os_types: z.array(osTypeSchema),
  tags: z.array(z.string()),
  tie_breaker_id: z.string(),
  type: exceptionListTypeSchema,
  updated_at: z.string(),
  updated_by: z.string(),
  version: z.number().int().min(1),
});
export type ExceptionList = z.infer<typeof exceptionListSchema>;

/** An exception list item. Entries use the Kibana union (value lists included) so stored imports stay as they are. */
export const exceptionListItemSchema = z.looseObject({
  _version: z.string().optional(),
  comments: z.array(exceptionCommentSchema),
  created_at: z.string(),
  created_by: z.string(),
  description: z.string(),
  entries: z.array(kibanaEntrySchema),
  expire_time: isoDate.optional(),
  id: z.string().min(1),
  item_id: z.string().min(1),
  list_id: z.string().min(1),
  meta: metaSchema.optional(),
  name: z.string(),
  namespace_type: namespaceTypeSchema,
  os_types: z.array(osTypeSchema),
  tags: z.array(z.string()),
  tie_breaker_id: z.string(),
  type: z.literal('simple'),
  updated_at: z.string(),
  updated_by: z.string(),
});
export type ExceptionListItem = z.infer<typeof exceptionListItemSchema>;

/** `POST /api/exception_lists` */
export const createExceptionListSchema = z.object({
  description: z.string().max(10_000),
  name: nonEmptyString,
  type: exceptionListTypeSchema,
  list_id: z.string().trim().min(1).max(512).optional(),
  meta: metaSchema.optional(),
  namespace_type: namespaceTypeSchema.default('single'),
  os_types: z.array(osTypeSchema).default([]),
  tags: z.array(z.string().max(1000)).max(200).default([]),
  version: z.number().int().min(1).default(1),
});
export type CreateExceptionList = z.infer<typeof createExceptionListSchema>;

/** `PUT /api/exception_lists` (by `id` or `list_id`). */
export const updateExceptionListSchema = z
  .object({
    _version: z.string().optional(),
    description: z.string().max(10_000),
    name: nonEmptyString,
    type: exceptionListTypeSchema,
    id: z.string().min(1).optional(),
    list_id: z.string().min(1).optional(),
    meta: metaSchema.optional(),
    namespace_type: namespaceTypeSchema.default('single'),
    os_types: z.array(osTypeSchema).optional(),
    tags: z.array(z.string().max(1000)).max(200).optional(),
    version: z.number().int().min(1).optional(),
  })
  .refine((b) => b.id !== undefined || b.list_id !== undefined, { message: 'give id or list_id' });
export type UpdateExceptionList = z.infer<typeof updateExceptionListSchema>;

/** `POST /api/exception_lists/items`. Execwatch requires the first comment (the justification) on new items. */
export const createExceptionListItemSchema = z.object({
  description: z.string().max(10_000),
  entries: exceptionEntriesSchema,
  list_id: z.string().trim().min(1).max(512),
  name: nonEmptyString,
  type: z.literal('simple'),
  comments: z.array(createCommentSchema).max(100).default([]),
  expire_time: isoDate.optional(),
  item_id: z.string().trim().min(1).max(512).optional(),
  meta: metaSchema.optional(),
  namespace_type: namespaceTypeSchema.default('single'),
  os_types: z.array(osTypeSchema).default([]),
  tags: z.array(z.string().max(1000)).max(200).default([]),
});
export type CreateExceptionListItem = z.infer<typeof createExceptionListItemSchema>;

/** `PUT /api/exception_lists/items` (by `id` or `item_id`). Comments are append-only. */
export const updateExceptionListItemSchema = z
  .object({
    _version: z.string().optional(),
    comments: z.array(updateCommentSchema).max(1000).optional(),
    description: z.string().max(10_000),
    entries: exceptionEntriesSchema,
    expire_time: isoDate.nullable().optional(),
    id: z.string().min(1).optional(),
    item_id: z.string().min(1).optional(),
    meta: metaSchema.optional(),
    name: nonEmptyString,
    namespace_type: namespaceTypeSchema.default('single'),
    os_types: z.array(osTypeSchema).optional(),
    tags: z.array(z.string().max(1000)).max(200).optional(),
    type: z.literal('simple'),
  })
  .refine((b) => b.id !== undefined || b.item_id !== undefined, { message: 'give id or item_id' });
export type UpdateExceptionListItem = z.infer<typeof updateExceptionListItemSchema>;

/** Kibana's `_find` response. */
export const findResponseSchema = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), page: z.number().int(), per_page: z.number().int(), total: z.number().int() });
export const findExceptionListsResponseSchema = findResponseSchema(exceptionListSchema);
export type FindExceptionListsResponse = z.infer<typeof findExceptionListsResponseSchema>;
export const findExceptionListItemsResponseSchema = findResponseSchema(exceptionListItemSchema);
export type FindExceptionListItemsResponse = z.infer<typeof findExceptionListItemsResponseSchema>;

/** The export-details line closing Kibana's ndjson export. */
export const exportDetailsSchema = z.looseObject({
  exported_exception_list_count: z.number().int(),
  exported_exception_list_item_count: z.number().int(),
  missing_exception_list_item_count: z.number().int(),
  missing_exception_list_items: z.array(z.unknown()),
  missing_exception_lists: z.array(z.unknown()),
  missing_exception_lists_count: z.number().int(),
});
export type ExportDetails = z.infer<typeof exportDetailsSchema>;

/** `POST /api/exception_lists/_import` response (Kibana's shape). */
export const importExceptionsResponseSchema = z.object({
  errors: z.array(
    z.object({
      id: z.string().optional(),
      list_id: z.string().optional(),
      item_id: z.string().optional(),
      error: z.object({ status_code: z.number().int(), message: z.string() }),
    }),
  ),
  success: z.boolean(),
  success_count: z.number().int(),
  success_exception_lists: z.boolean(),
  success_count_exception_lists: z.number().int(),
  success_exception_list_items: z.boolean(),
  success_count_exception_list_items: z.number().int(),
});
export type ImportExceptionsResponse = z.infer<typeof importExceptionsResponseSchema>;

/** `POST /api/exception_lists/items/_preview`: what a candidate item would hide. */
export const previewExceptionRequestSchema = z.object({
  rule_id: z.string().trim().min(1).max(200),
  entries: exceptionEntriesSchema,
  os_types: z.array(osTypeSchema).default([]),
  /** Sample size per bucket. */
  sample_size: z.number().int().min(0).max(50).default(10),
});
export type PreviewExceptionRequest = z.infer<typeof previewExceptionRequestSchema>;

const previewBucketSchema = z.object({
  count: z.number().int(),
  /** True when the count stopped at the scan limit. */
  capped: z.boolean(),
  sample: z.array(z.object({ id: z.string(), index: z.string(), document: z.record(z.string(), z.unknown()) })),
});

export const previewExceptionResponseSchema = z.object({
  open_alerts: previewBucketSchema,
  all_alerts: previewBucketSchema,
  /** Rule events in the last 7 days the item would suppress. */
  events_7d: previewBucketSchema,
  window: z.object({ from: z.string(), to: z.string() }),
  warnings: z.array(z.string()),
  /** Ids of the open or acknowledged alerts it matches (`open_alerts` counts them). */
  open_alert_ids: z.array(z.string()),
});
export type PreviewExceptionResponse = z.infer<typeof previewExceptionResponseSchema>;

/** Hit counts and review state of an item (Execwatch extension, `GET /api/exception_lists/items/_stats`). */
export const exceptionItemStatsSchema = z.object({
  id: z.string(),
  item_id: z.string(),
  list_id: z.string(),
  name: z.string(),
  hits: z.number().int(),
  last_hit_at: z.string().nullable(),
  state: z.enum(['active', 'expired', 'stale']),
  expire_time: z.string().nullable(),
  owner: z.string().nullable(),
  /** Governance fields an imported item lacks (`justification`, `owner`). */
  missing_governance: z.array(z.string()),
});
export type ExceptionItemStats = z.infer<typeof exceptionItemStatsSchema>;

export const exceptionItemStatsResponseSchema = z.object({
  data: z.array(exceptionItemStatsSchema),
  total: z.number().int(),
  stale_after_days: z.number().int(),
});
export type ExceptionItemStatsResponse = z.infer<typeof exceptionItemStatsResponseSchema>;

/** Admin settings of exception governance (`exceptions.settings`). */
export const exceptionSettingsSchema = z.object({
  expiry_mandatory: z.boolean().default(false),
  default_expiry_days: z.number().int().min(1).max(3650).default(90),
  /** Items created through the API without a justification are refused (otherwise taken and marked as missing one). */
  justification_mandatory: z.boolean().default(false),
});
export type ExceptionSettings = z.infer<typeof exceptionSettingsSchema>;
/** `PUT /api/exception_lists/_settings`: the settings to change; the others keep their values (no defaults here). */
export const exceptionSettingsPatchSchema = z
  .object({
    expiry_mandatory: z.boolean().optional(),
    default_expiry_days: z.number().int().min(1).max(3650).optional(),
    justification_mandatory: z.boolean().optional(),
  })
  .strict();
