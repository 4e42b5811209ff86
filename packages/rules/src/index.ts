export { parseInterval, lookbackMs, DurationError } from './durations';
export { parseRuleToml, loadRuleFile, loadRulesDir, loadBuiltinRules, loadRules, RuleLoadError, BUILTIN_RULES_DIR, notRunnableInPlainWords, upgradeOf, type RuleLoadResult, type RuleReplacement } from './loader';
export { ruleFileSchema, ruleTomlSchema, threatTomlSchema, type LoadedRule, type RuleThreat, type RuleMetadata } from './rule-schema';
export { buildChecklist, restatesConditions, stepFields, DEFAULT_REQUIRED_KINDS, type GuideChecklist, type GuideGroup, type GuideStep, type ChecklistKind } from './checklist';
export { attackTechnique, attackTechniques, type AttackTechnique, type AttackRef, type AttackMitigation, type AttackDataSource, type AttackProcedure } from './attack';
