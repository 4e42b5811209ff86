/** The server's view of a rule: the TOML content plus what the registry derives from it. */
import type { Severity, Threat } from '@execwatch/api';

/** A rule's content as loaded from a detection-rules TOML file. */
export interface RuleDefinition {
  rule_id: string;
  name: string;
  description: string;
  type: string;
  language: string | null;
  query: string;
  index: string[];
  interval: string;
  from: string;
  max_signals: number;
  severity: Severity;
  risk_score: number;
  timestamp_override: string | null;
  tags: string[];
  threat: Threat[];
  note: string | null;
  references: string[];
  false_positives: string[];
  author: string[];
  license: string | null;
  version: number;
  enabled: boolean;
  source_file: string | null;
  /** Where the rule came from: shipped with Execwatch, a rule pack folder, or a Kibana rules export. */
  origin?: RuleOrigin;
  /** When a rule pack's newer copy of a built-in rule replaced it (as Kibana's prebuilt-rule upgrade does). */
  upgraded_from?: RuleUpgrade | null;
}

export type RuleOrigin = 'built-in' | 'rules_dir' | 'imported';

/** The copy a newer rule replaced: its version and where it came from, and why the new one was taken. */
export interface RuleUpgrade {
  version: number;
  source: RuleOrigin;
  source_file: string | null;
  reason: string;
}

/** A rule with its run-time overrides applied and whether the engine can run it. */
export interface EffectiveRule extends RuleDefinition {
  /** Deterministic uuid of the rule (from its rule_id), Kibana's `kibana.alert.rule.uuid`. */
  id: string;
  required_steps: string[];
  runnable: boolean;
  not_runnable_reason: string | null;
  last_covered_to: number | null;
  /** Kibana's `revision`: how many times the rule's settings were changed here. */
  revision?: number;
  updated_at?: number | null;
  updated_by?: string | null;
}

export interface RuleLoadError {
  file: string;
  reason: string;
}
