/** Loads rule definitions from @execwatch/rules (the built-in rules plus an optional folder). */
import { loadRules, type LoadedRule } from '@execwatch/rules';
import { compile } from '@execwatch/eql';
import type { RuleDefinition, RuleLoadError } from './rule-definition';

/** A rule's content plus the loader's verdict on its language. */
export interface SourcedRule extends RuleDefinition {
  loaderNotRunnable?: string | null;
}

function toDefinition(rule: LoadedRule): SourcedRule {
  // the loader's derived and file-level fields stay behind; the rest is the rule's content as the server keeps it
  const { interval_ms: _intervalMs, lookback_ms: _lookbackMs, setup: _setup, metadata: _metadata, runnable_language, not_runnable_reason, ...content } = rule;
  return {
    ...content,
    loaderNotRunnable: runnable_language ? null : (not_runnable_reason ?? `language ${rule.language ?? rule.type} is not supported`),
  };
}

/** The built-in rules and, when `dir` is set, every rule file in it; bad files come back as errors. */
export async function loadRuleDefinitions(dir: string | undefined): Promise<{ rules: SourcedRule[]; errors: RuleLoadError[] }> {
  const loaded = await loadRules(dir ?? null);
  return { rules: loaded.rules.map(toDefinition), errors: loaded.errors };
}

/** Whether the engine can run a rule: an EQL rule whose query parses. Returns the reason when not. */
export function notRunnableReason(rule: SourcedRule): string | null {
  if (rule.loaderNotRunnable) return rule.loaderNotRunnable;
  if (rule.language !== 'eql') return `rule language "${rule.language ?? rule.type}" is not supported (EQL only)`;
  try {
    compile(rule.query);
    return null;
  } catch (err) {
    return `EQL query does not parse: ${err instanceof Error ? err.message : String(err)}`;
  }
}
