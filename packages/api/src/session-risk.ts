/** The session risk as the API presents it (`session` on an alert), and as it is stored on the alert. */
import { z } from 'zod';
/** Session risk levels, by score: below 25 low, 25-49 medium, 50-74 high, 75 and above critical. */
export const riskLevelSchema = z.enum(['low', 'medium', 'high', 'critical']);

/** One process that showed a behaviour. */
export const sessionEvidenceSchema = z.object({
  entity_id: z.string().nullable(),
  name: z.string(),
  args: z.array(z.string()),
  executable: z.string().nullable(),
  /** Process start, ISO 8601. */
  time: z.string().nullable(),
});
export type SessionEvidence = z.infer<typeof sessionEvidenceSchema>;

export const sessionBehaviorSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  /** ATT&CK technique or sub-technique id, such as T1552.001. */
  technique_id: z.string(),
  technique_name: z.string(),
  weight: z.number().int().min(0).max(100),
  /** Distinct processes that showed it; `evidence` holds a few of them. */
  match_count: z.number().int().min(0),
  evidence: z.array(sessionEvidenceSchema),
});
export type SessionBehaviorDto = z.infer<typeof sessionBehaviorSchema>;

/** An alert of another rule in the same session (Defend for Containers' other rules, say). */
export const relatedSessionAlertSchema = z.object({
  id: z.string(),
  rule_id: z.string().nullable(),
  rule_name: z.string().nullable(),
  severity: z.string().nullable(),
  '@timestamp': z.string().nullable(),
});
export type RelatedSessionAlert = z.infer<typeof relatedSessionAlertSchema>;

/** `session` on an alert of the API: null until the session is scored. */
export const sessionRiskSchema = z.object({
  risk_score: z.number().int().min(0).max(100),
  risk_level: riskLevelSchema,
  /** Heaviest first. */
  behaviors: z.array(sessionBehaviorSchema),
  scored_at: z.string().nullable(),
  /** Alerts of other rules in the same session; each counts in the risk. */
  related_alerts: z.array(relatedSessionAlertSchema).default([]),
});
export type SessionRisk = z.infer<typeof sessionRiskSchema>;

/** `execwatch.session` as stored on the alert document. */
export const storedSessionSchema = sessionRiskSchema.extend({
  scored_at: z.string(),
  process_count: z.number().int().min(0),
});
export type StoredSession = z.infer<typeof storedSessionSchema>;
