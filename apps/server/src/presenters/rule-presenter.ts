/** Maps a rule (content + state) to the API's rule shape. */
import type { Execution, Rule } from '@execwatch/api';
import type { EffectiveRule } from '../services/rules/rule-definition';
import type { ExceptionsListRef } from '../services/rules/rule-exceptions';

/** The API's rule from its effective definition, its default exception list and its latest execution. */
export function presentRule(rule: EffectiveRule, extras: { exceptionsList: ExceptionsListRef[]; lastExecution: Execution | null }): Rule {
  return {
    id: rule.id,
    rule_id: rule.rule_id,
    name: rule.name,
    description: rule.description,
    type: rule.type,
    language: rule.language,
    query: rule.query,
    index: rule.index,
    interval: rule.interval,
    from: rule.from,
    max_signals: rule.max_signals,
    severity: rule.severity,
    risk_score: rule.risk_score,
    timestamp_override: rule.timestamp_override,
    tags: rule.tags,
    threat: rule.threat,
    note: rule.note,
    references: rule.references,
    false_positives: rule.false_positives,
    author: rule.author,
    license: rule.license,
    version: rule.version,
    enabled: rule.enabled,
    runnable: rule.runnable,
    not_runnable_reason: rule.not_runnable_reason,
    exceptions_list: extras.exceptionsList,
    required_steps: rule.required_steps,
    source_file: rule.source_file,
    origin: rule.origin ?? 'built-in',
    upgraded_from: rule.upgraded_from ?? null,
    last_execution: extras.lastExecution,
  };
}
