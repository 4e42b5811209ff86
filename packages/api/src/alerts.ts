import { z } from 'zod';
import { attributionMatchSchema, attributionViewSchema } from './attribution';
import { sessionRiskSchema } from './session-risk';
import { csvListSchema, dateInputSchema, severitySchema } from './common';

export const workflowStatusSchema = z.enum(['open', 'acknowledged', 'closed']);
export type WorkflowStatus = z.infer<typeof workflowStatusSchema>;

/** Closing reasons, as Kibana's (`kibana.alert.workflow_reason`). */
/**
 * Why an alert was closed. `matched_exception` is set only by the server, when an exception on the rule matched the
 * alert (with the exception's name and id in the reason text); analysts choose among the others.
 */
export const closingReasonSchema = z.enum(['true_positive', 'false_positive', 'benign_positive', 'duplicate', 'other', 'matched_exception']);
export type ClosingReason = z.infer<typeof closingReasonSchema>;
/** The closing reasons a person may give (everything but `matched_exception`). */
export const triageClosingReasonSchema = closingReasonSchema.exclude(['matched_exception']);
export type TriageClosingReason = z.infer<typeof triageClosingReasonSchema>;

/** Fields the alert list can be sorted by. */
export const alertSortFieldSchema = z.enum([
  '@timestamp',
  'original_time',
  'severity',
  'risk_score',
  'workflow_status',
  'rule.name',
  'namespace',
  'pod',
  'image',
  'user',
  'requested_by',
  'session_risk',
]);
export type AlertSortField = z.infer<typeof alertSortFieldSchema>;

/** Fields alerts can be grouped by. */
export const alertGroupFieldSchema = z.enum(['namespace', 'image', 'user', 'rule', 'pod', 'cluster', 'requested_by']);
export type AlertGroupField = z.infer<typeof alertGroupFieldSchema>;

/**
 * Filters shared by list, stats, bulk update by query and exception preview.
 * `query` is KQL-like: free text terms and `field:value` terms (value may use `*`), ANDed.
 * `from`/`to` bound the alert's `@timestamp` (its creation time); ISO or date math.
 */
export const alertFilterSchema = z.object({
  from: dateInputSchema.optional(),
  to: dateInputSchema.optional(),
  query: z.string().max(2000).optional(),
  status: z.array(workflowStatusSchema).optional(),
  severity: z.array(severitySchema).optional(),
  rule_id: z.array(z.string().max(200)).optional(),
  namespace: z.array(z.string().max(500)).optional(),
  pod: z.array(z.string().max(500)).max(1000).optional(),
  /** Alerts of these sessions (`process.entry_leader.entity_id`). */
  session_id: z.array(z.string().max(500)).max(1000).optional(),
  image: z.array(z.string().max(1000)).optional(),
  user: z.array(z.string().max(500)).optional(),
  /** The Kubernetes user behind the exec (exact attributions only). */
  requested_by: z.array(z.string().max(500)).optional(),
  attribution: z.array(attributionMatchSchema).optional(),
  /** Alerts whose session risk score is at least this. */
  min_session_risk: z.number().int().min(0).max(100).optional(),
  assignee: z.array(z.string().max(200)).optional(),
  tag: z.array(z.string().max(200)).optional(),
  /** Exact match on any stored field of the alert document, e.g. `{ "container.id": "abc" }`. */
  fields: z.record(z.string().max(200), z.string().max(2000)).optional(),
});
export type AlertFilter = z.infer<typeof alertFilterSchema>;

/** Query string of `GET /api/alerts` (lists are comma-separated; `field.<name>=value` exact filters). */
export const listAlertsQuerySchema = z.object({
  size: z.coerce.number().int().min(1).max(1000).default(50),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  sort_field: alertSortFieldSchema.default('@timestamp'),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
  from: dateInputSchema.optional(),
  to: dateInputSchema.optional(),
  query: z.string().max(2000).optional(),
  status: csvListSchema.pipe(z.array(workflowStatusSchema)).optional(),
  severity: csvListSchema.pipe(z.array(severitySchema)).optional(),
  rule_id: csvListSchema.optional(),
  namespace: csvListSchema.optional(),
  image: csvListSchema.optional(),
  user: csvListSchema.optional(),
  requested_by: csvListSchema.optional(),
  attribution: csvListSchema.pipe(z.array(attributionMatchSchema)).optional(),
  min_session_risk: z.coerce.number().int().min(0).max(100).optional(),
  assignee: csvListSchema.optional(),
  tag: csvListSchema.optional(),
});
export type ListAlertsQuery = z.infer<typeof listAlertsQuerySchema>;

/** The who/what/where of the exec, flattened from the alert's source event. */
export const alertEntitySchema = z.object({
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  pod: z.string().nullable(),
  container_id: z.string().nullable(),
  image: z.string().nullable(),
  host: z.string().nullable(),
  user_id: z.string().nullable(),
  user_name: z.string().nullable(),
  process_name: z.string().nullable(),
  executable: z.string().nullable(),
  args: z.array(z.string()),
  command_line: z.string().nullable(),
  working_directory: z.string().nullable(),
  interactive: z.boolean().nullable(),
  entry_leader_entity_id: z.string().nullable(),
  entry_meta_type: z.string().nullable(),
  same_as_process: z.boolean().nullable(),
  parent_name: z.string().nullable(),
  parent_args: z.array(z.string()),
});
export type AlertEntity = z.infer<typeof alertEntitySchema>;

export const checklistProgressSchema = z.object({
  done: z.number().int(),
  total: z.number().int(),
  required_remaining: z.number().int(),
});
export type ChecklistProgress = z.infer<typeof checklistProgressSchema>;

/** An alert as the API presents it (never the raw stored document, except `document` in the detail). */
export const alertSchema = z.object({
  id: z.string(),
  index: z.string(),
  '@timestamp': z.string(),
  original_time: z.string().nullable(),
  rule: z.object({ uuid: z.string(), rule_id: z.string(), name: z.string() }),
  severity: severitySchema,
  risk_score: z.number(),
  reason: z.string(),
  workflow_status: workflowStatusSchema,
  workflow_reason: closingReasonSchema.nullable(),
  workflow_reason_text: z.string().nullable(),
  workflow_user: z.string().nullable(),
  workflow_status_updated_at: z.string().nullable(),
  assignees: z.array(z.string()),
  tags: z.array(z.string()),
  entity: alertEntitySchema,
  checklist: checklistProgressSchema,
  notes_count: z.number().int(),
  source: z.object({ index: z.string(), id: z.string() }),
  /** Who ran the exec, from the kube-apiserver audit log (`match: unknown` until attributed). */
  attribution: attributionViewSchema,
  /** What the session did: its risk score and behaviours (null until scored). */
  session: sessionRiskSchema.nullable(),
});
export type Alert = z.infer<typeof alertSchema>;

/** `GET /api/alerts/{id}`: the alert plus its whole stored document (ECS fields and `kibana.alert.*`, nested). */
export const alertDetailSchema = alertSchema.extend({
  document: z.record(z.string(), z.unknown()),
});
export type AlertDetail = z.infer<typeof alertDetailSchema>;

export const listAlertsResponseSchema = z.object({
  total: z.number().int(),
  page: z.number().int(),
  size: z.number().int(),
  alerts: z.array(alertSchema),
});
export type ListAlertsResponse = z.infer<typeof listAlertsResponseSchema>;

/** `GET /api/alerts/_stats`: same filters as the list (status filter not applied to `by_status`). */
export const alertStatsQuerySchema = listAlertsQuerySchema
  .omit({ size: true, page: true, sort_field: true, sort_order: true })
  .extend({
    group_by: alertGroupFieldSchema.optional(),
    groups_size: z.coerce.number().int().min(1).max(500).default(50),
    /** Histogram buckets wanted (the server picks a round interval). */
    buckets: z.coerce.number().int().min(1).max(500).default(60),
  });
export type AlertStatsQuery = z.infer<typeof alertStatsQuerySchema>;

export const alertStatsResponseSchema = z.object({
  total: z.number().int(),
  by_status: z.object({ open: z.number().int(), acknowledged: z.number().int(), closed: z.number().int() }),
  histogram: z.object({
    interval_ms: z.number().int(),
    buckets: z.array(z.object({ key: z.number(), count: z.number().int() })),
  }),
  groups: z
    .array(
      z.object({
        key: z.string().nullable(),
        count: z.number().int(),
        by_severity: z.record(z.string(), z.number().int()),
        by_status: z.record(z.string(), z.number().int()),
      }),
    )
    .optional(),
});
export type AlertStatsResponse = z.infer<typeof alertStatsResponseSchema>;

/** `PATCH /api/alerts/{id}` */
export const updateAlertSchema = z
  .object({
    status: workflowStatusSchema.optional(),
    reason: triageClosingReasonSchema.optional(),
    reason_text: z.string().max(2000).optional(),
    assignees: z.array(z.string().min(1).max(200)).max(50).optional(),
    tags: z.array(z.string().min(1).max(200)).max(100).optional(),
  })
  .strict();
export type UpdateAlert = z.infer<typeof updateAlertSchema>;

/** `POST /api/alerts/_bulk_update`: by ids or by query (never capped at one page). */
export const bulkUpdateAlertsSchema = z
  .object({
    ids: z.array(z.string().min(1).max(200)).max(100_000).optional(),
    query: alertFilterSchema.optional(),
    /**
     * With `query`: how many alerts the analyst saw selected. When the query selects another number now, nothing is
     * changed and the answer is 409 `selection_changed` with the new count, so the analyst is asked again.
     */
    expected_total: z.number().int().min(0).optional(),
    status: workflowStatusSchema.optional(),
    reason: triageClosingReasonSchema.optional(),
    reason_text: z.string().max(2000).optional(),
    add_tags: z.array(z.string().min(1).max(200)).max(100).optional(),
    remove_tags: z.array(z.string().min(1).max(200)).max(100).optional(),
    add_assignees: z.array(z.string().min(1).max(200)).max(50).optional(),
    remove_assignees: z.array(z.string().min(1).max(200)).max(50).optional(),
    /** Closing sessions of high risk needs this, once the analyst was told how many and why (409 otherwise). */
    confirm_high_risk: z.boolean().optional(),
    /** Says what the update would do (`updated`, `skipped`, `errors`) without changing anything or asking to confirm. */
    dry_run: z.boolean().optional(),
  })
  .strict()
  .refine((b) => (b.ids === undefined) !== (b.query === undefined), {
    message: 'give exactly one of ids or query',
  });
export type BulkUpdateAlerts = z.infer<typeof bulkUpdateAlertsSchema>;

export const bulkUpdateAlertsResponseSchema = z.object({
  updated: z.number().int(),
  /** Alerts skipped, e.g. closing without the required checklist steps. */
  skipped: z.number().int(),
  errors: z.array(z.object({ id: z.string(), error: z.string(), message: z.string() })),
  /** Why alerts were skipped, one entry a reason. */
  skip_reasons: z.array(z.object({ reason: z.string(), message: z.string(), count: z.number().int() })).optional(),
  /** True when nothing was changed (`dry_run`). */
  dry_run: z.boolean().optional(),
});
export type BulkUpdateAlertsResponse = z.infer<typeof bulkUpdateAlertsResponseSchema>;

/**
 * `POST /api/alerts/_close_by_exception`: closes the open and acknowledged alerts a saved exception item matches now,
 * with the closing reason `matched_exception` (not subject to the analysts' checklist gate). Sessions of high risk
 * stay open unless `confirm_high_risk` is set.
 */
export const closeByExceptionSchema = z
  .object({
    /** The exception item's `id` (or give `item_id`). */
    id: z.string().min(1).max(512).optional(),
    item_id: z.string().min(1).max(512).optional(),
    /** Only this rule's alerts (default: every rule whose exception list holds the item). */
    rule_id: z.string().min(1).max(200).optional(),
    /** Only these alerts (e.g. the one the exception was made from). */
    alert_ids: z.array(z.string().min(1).max(200)).max(100_000).optional(),
    confirm_high_risk: z.boolean().optional(),
  })
  .strict()
  .refine((b) => (b.id === undefined) !== (b.item_id === undefined), { message: 'give exactly one of id or item_id' });
export type CloseByException = z.infer<typeof closeByExceptionSchema>;

export const closeByExceptionSkipReasonSchema = z.enum(['high_risk', 'not_matching', 'already_closed', 'not_found']);
export type CloseByExceptionSkipReason = z.infer<typeof closeByExceptionSkipReasonSchema>;

export const closeByExceptionResponseSchema = z.object({
  exception: z.object({ id: z.string(), item_id: z.string(), list_id: z.string(), name: z.string() }),
  /** Alerts the exception matched among those looked at (open, acknowledged and, for `alert_ids`, closed). */
  matched: z.number().int(),
  closed: z.number().int(),
  closed_ids: z.array(z.string()),
  /** What was left as it was, and why, one entry a reason (ids: the first 100). */
  skipped: z.array(z.object({ reason: closeByExceptionSkipReasonSchema, message: z.string(), count: z.number().int(), ids: z.array(z.string()) })),
});
export type CloseByExceptionResponse = z.infer<typeof closeByExceptionResponseSchema>;

/** One process of the alert's session (same `process.entry_leader.entity_id`). */
export const sessionProcessSchema = z.object({
  entity_id: z.string(),
  parent_entity_id: z.string().nullable(),
  pid: z.number().nullable(),
  name: z.string().nullable(),
  executable: z.string().nullable(),
  args: z.array(z.string()),
  user_id: z.string().nullable(),
  user_name: z.string().nullable(),
  working_directory: z.string().nullable(),
  interactive: z.boolean().nullable(),
  start: z.string().nullable(),
  event_action: z.string().nullable(),
  /** The alert's own process (the exec'd shell). */
  is_alert_process: z.boolean(),
  /** Started after the alert's process: the guide's "subsequent actions or commands". */
  is_subsequent: z.boolean(),
});
export type SessionProcess = z.infer<typeof sessionProcessSchema>;

export const sessionResponseSchema = z.object({
  entry_leader_entity_id: z.string().nullable(),
  /** Time-ordered; the client builds the tree from entity_id / parent_entity_id. */
  processes: z.array(sessionProcessSchema),
  truncated: z.boolean(),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const noteSchema = z.object({ id: z.string(), text: z.string(), author: z.string(), created_at: z.string() });
export type Note = z.infer<typeof noteSchema>;
export const createNoteSchema = z.object({ text: z.string().trim().min(1).max(10_000) }).strict();
