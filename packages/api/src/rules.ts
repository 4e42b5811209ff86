import { z } from 'zod';
import { dateInputSchema, severitySchema } from './common';

export const threatSchema = z.object({
  framework: z.string(),
  tactic: z.object({ id: z.string(), name: z.string(), reference: z.string() }),
  technique: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        reference: z.string(),
        subtechnique: z.array(z.object({ id: z.string(), name: z.string(), reference: z.string() })).optional(),
      }),
    )
    .optional(),
});
export type Threat = z.infer<typeof threatSchema>;

export const executionStatusSchema = z.enum(['running', 'succeeded', 'partial', 'failed']);
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

/** One rule run, as the execution log records it. */
export const executionSchema = z.object({
  id: z.string(),
  rule_id: z.string(),
  status: executionStatusSchema,
  trigger: z.enum(['schedule', 'manual', 'startup', 'catch_up']),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  window: z.object({ from: z.string(), to: z.string() }),
  events_matched: z.number().int(),
  alerts_created: z.number().int(),
  /** Matches whose alert already existed (overlapping windows, re-runs). */
  alerts_existing: z.number().int(),
  suppressed: z.number().int(),
  max_signals_reached: z.boolean(),
  /** Ranges no run covered (missed beyond the catch-up limit). */
  gaps: z.array(z.object({ from: z.string(), to: z.string() })),
  warnings: z.array(z.string()),
  error: z.string().nullable(),
});
export type Execution = z.infer<typeof executionSchema>;

export const exceptionsListRefSchema = z.object({
  id: z.string(),
  list_id: z.string(),
  namespace_type: z.enum(['single', 'agnostic']),
  type: z.enum(['detection', 'rule_default', 'endpoint']),
});

export const ruleSchema = z.object({
  id: z.string(),
  rule_id: z.string(),
  name: z.string(),
  description: z.string(),
  type: z.string(),
  language: z.string().nullable(),
  query: z.string(),
  index: z.array(z.string()),
  interval: z.string(),
  from: z.string(),
  max_signals: z.number().int(),
  severity: severitySchema,
  risk_score: z.number(),
  timestamp_override: z.string().nullable(),
  tags: z.array(z.string()),
  threat: z.array(threatSchema),
  note: z.string().nullable(),
  references: z.array(z.string()),
  false_positives: z.array(z.string()),
  author: z.array(z.string()),
  license: z.string().nullable(),
  version: z.number().int(),
  enabled: z.boolean(),
  /** Whether the embedded engine can run it (e.g. EQL parses). */
  runnable: z.boolean(),
  not_runnable_reason: z.string().nullable(),
  exceptions_list: z.array(exceptionsListRefSchema),
  /** Checklist step ids (or group kinds) that must be done before closing as false positive / benign. */
  required_steps: z.array(z.string()),
  source_file: z.string().nullable(),
  /** Where the rule came from: shipped with Execwatch, EXECWATCH_RULES_DIR, or a Kibana rules import. */
  origin: z.enum(['built-in', 'rules_dir', 'imported']).optional(),
  /**
   * Set when this copy replaced an older one with the same rule_id (a rule pack's newer version of a built-in rule,
   * as Kibana's prebuilt-rule upgrade takes it): the version replaced, where it came from and why. `version` is the one running.
   */
  upgraded_from: z
    .object({ version: z.number().int(), source: z.enum(['built-in', 'rules_dir', 'imported']), source_file: z.string().nullable(), reason: z.string() })
    .nullable()
    .optional(),
  last_execution: executionSchema.nullable(),
});
export type Rule = z.infer<typeof ruleSchema>;

export const listRulesResponseSchema = z.object({
  total: z.number().int(),
  rules: z.array(ruleSchema),
  /** Rule files that could not be loaded, by name and reason. */
  load_errors: z.array(z.object({ file: z.string(), reason: z.string() })),
});
export type ListRulesResponse = z.infer<typeof listRulesResponseSchema>;

export const updateRuleSchema = z
  .object({
    enabled: z.boolean().optional(),
    interval: z.string().regex(/^\d+[smhd]$/).optional(),
    from: z.string().max(50).optional(),
    max_signals: z.number().int().min(1).max(10_000).optional(),
    required_steps: z.array(z.string().max(200)).max(200).optional(),
  })
  .strict();
export type UpdateRule = z.infer<typeof updateRuleSchema>;

export const runRuleSchema = z.object({ from: dateInputSchema.optional(), to: dateInputSchema.optional() }).strict();
export type RunRule = z.infer<typeof runRuleSchema>;

export const listExecutionsResponseSchema = z.object({ total: z.number().int(), executions: z.array(executionSchema) });
export type ListExecutionsResponse = z.infer<typeof listExecutionsResponseSchema>;
