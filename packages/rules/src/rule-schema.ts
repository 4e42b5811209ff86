import { z } from 'zod';
import { lookbackMs, parseInterval } from './durations';

const reference = z.object({ id: z.string().min(1), name: z.string().min(1), reference: z.string().min(1) });

/** `[[rule.threat]]` as detection-rules writes it. */
export const threatTomlSchema = z.object({
  framework: z.string().min(1),
  tactic: reference,
  technique: z.array(reference.extend({ subtechnique: z.array(reference).optional() })).optional(),
});

const durationString = (parse: (s: string) => number) =>
  z.string().superRefine((s, ctx) => {
    try {
      parse(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  });

/** `[metadata]` of a detection-rules TOML file. */
export const ruleMetadataSchema = z.looseObject({
  creation_date: z.string().optional(),
  updated_date: z.string().optional(),
  maturity: z.string().optional(),
  integration: z.array(z.string()).optional(),
  min_stack_version: z.string().optional(),
});

/** `[rule]` of a detection-rules TOML file, with Kibana's defaults. Unknown keys are kept. */
export const ruleTomlSchema = z.looseObject({
  rule_id: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(1000),
  description: z.string(),
  type: z.string().min(1),
  language: z.string().optional(),
  query: z.string().min(1).max(1_000_000),
  index: z.array(z.string().min(1)).default([]),
  interval: durationString(parseInterval).default('5m'),
  from: durationString(lookbackMs).default('now-6m'),
  max_signals: z.number().int().min(1).max(10_000).default(100),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  risk_score: z.number().min(0).max(100),
  timestamp_override: z.string().min(1).optional(),
  tags: z.array(z.string()).default([]),
  threat: z.array(threatTomlSchema).default([]),
  note: z.string().optional(),
  setup: z.string().optional(),
  references: z.array(z.string()).default([]),
  false_positives: z.array(z.string()).default([]),
  author: z.array(z.string()).default([]),
  license: z.string().optional(),
  version: z.number().int().min(1).default(1),
  enabled: z.boolean().default(true),
});

export const ruleFileSchema = z.object({
  metadata: ruleMetadataSchema.default({}),
  rule: ruleTomlSchema,
});

export type RuleThreat = z.infer<typeof threatTomlSchema>;
export type RuleMetadata = z.infer<typeof ruleMetadataSchema>;

/** A detection rule as loaded from its TOML file. */
export interface LoadedRule {
  rule_id: string;
  name: string;
  description: string;
  type: string;
  language: string | null;
  query: string;
  index: string[];
  interval: string;
  interval_ms: number;
  from: string;
  lookback_ms: number;
  max_signals: number;
  severity: 'low' | 'medium' | 'high' | 'critical';
  risk_score: number;
  timestamp_override: string | null;
  tags: string[];
  threat: RuleThreat[];
  note: string | null;
  setup: string | null;
  references: string[];
  false_positives: string[];
  author: string[];
  license: string | null;
  version: number;
  enabled: boolean;
  /** False for rules whose language the embedded engine cannot run (KQL, Lucene, ES|QL, ML...). */
  runnable_language: boolean;
  not_runnable_reason: string | null;
  metadata: RuleMetadata;
  /** Path of the file the rule came from. */
  source_file: string;
  /** Whether the file states `version` (detection-rules checkouts keep versions in a lock file instead). */
  version_stated: boolean;
}
