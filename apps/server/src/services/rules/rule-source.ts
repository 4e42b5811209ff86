/** Loads rule definitions from @execwatch/rules (the built-in rules plus an optional folder). */
import { BUILTIN_RULES_DIR, loadRules, notRunnableInPlainWords, type LoadedRule, type RuleReplacement } from '@execwatch/rules';
import path from 'node:path';
import { compile } from '@execwatch/eql';
import type { RuleDefinition, RuleLoadError } from './rule-definition';

/** A rule's content plus the loader's verdict on its language. */
export interface SourcedRule extends RuleDefinition {
  loaderNotRunnable?: string | null;
}

function toDefinition(rule: LoadedRule, replacement: RuleReplacement | undefined): SourcedRule {
  // the loader's derived and file-level fields stay behind; the rest is the rule's content as the server keeps it
  const { interval_ms: _intervalMs, lookback_ms: _lookbackMs, setup: _setup, metadata: _metadata, version_stated: _stated, runnable_language, not_runnable_reason, ...content } = rule;
  return {
    ...content,
    origin: rule.source_file.startsWith(BUILTIN_RULES_DIR + path.sep) ? 'built-in' : 'rules_dir',
    upgraded_from: replacement ? { version: replacement.replaced.version, source: 'built-in', source_file: replacement.replaced.source_file, reason: replacement.reason } : null,
    loaderNotRunnable: runnable_language ? null : (not_runnable_reason ?? `language ${rule.language ?? rule.type} is not supported`),
  };
}

/**
 * The built-in rules and, when `dir` is set, every rule file under it (subfolders too); bad files come back as
 * errors, and a newer copy of a built-in rule replaces it (named in `upgraded_from`).
 */
export async function loadRuleDefinitions(dir: string | undefined): Promise<{ rules: SourcedRule[]; errors: RuleLoadError[] }> {
  const loaded = await loadRules(dir ?? null);
  const replaced = new Map(loaded.replacements.map((r) => [r.rule_id, r]));
  return { rules: loaded.rules.map((r) => toDefinition(r, replaced.get(r.rule_id))), errors: loaded.errors };
}

/** Whether the engine can run a rule: an EQL rule whose query parses. Returns the reason when not. */
export function notRunnableReason(rule: SourcedRule): string | null {
  if (rule.loaderNotRunnable) return rule.loaderNotRunnable;
  if (rule.language !== 'eql' || rule.type !== 'eql') return notRunnableInPlainWords(rule.type, rule.language);
  try {
    compile(rule.query);
    return null;
  } catch (err) {
    return `its EQL query uses what Execwatch's EQL engine does not support or does not parse: ${err instanceof Error ? err.message : String(err)}`;
  }
}
