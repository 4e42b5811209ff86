import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { lookbackMs, parseInterval } from './durations';
import { ruleFileSchema, type LoadedRule } from './rule-schema';

/** A rule file that could not be loaded. The only error the loader raises. */
export class RuleLoadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'RuleLoadError';
  }
}

export interface RuleLoadResult {
  rules: LoadedRule[];
  errors: { file: string; reason: string }[];
}

const MAX_RULE_FILE_BYTES = 2_000_000;

/** Folder of the rules shipped in this package. */
export const BUILTIN_RULES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../rules');

/**
 * Parses one detection-rules TOML file (`[metadata]`, `[rule]`, `[[rule.threat]]`) with Kibana's
 * defaults (interval 5m, from now-6m, max_signals 100, enabled). Throws only RuleLoadError.
 */
export function parseRuleToml(text: string, file: string): LoadedRule {
  let table: unknown;
  try {
    table = parseToml(text);
  } catch (err) {
    throw new RuleLoadError(file, `invalid TOML: ${firstLine(err)}`);
  }
  const parsed = ruleFileSchema.safeParse(table);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.map(String).join('.') : '';
    throw new RuleLoadError(file, `${where ? `${where}: ` : ''}${issue?.message ?? 'invalid rule'}`);
  }
  const { metadata, rule } = parsed.data;
  const language = rule.language ?? (rule.type === 'eql' ? 'eql' : null);
  const runnable = rule.type === 'eql' && language === 'eql';
  return {
    rule_id: rule.rule_id,
    name: rule.name,
    description: rule.description.trim(),
    type: rule.type,
    language,
    query: rule.query.trim(),
    index: rule.index,
    interval: rule.interval,
    interval_ms: parseInterval(rule.interval),
    from: rule.from,
    lookback_ms: lookbackMs(rule.from),
    max_signals: rule.max_signals,
    severity: rule.severity,
    risk_score: rule.risk_score,
    timestamp_override: rule.timestamp_override ?? null,
    tags: rule.tags,
    threat: rule.threat,
    note: rule.note ?? null,
    setup: rule.setup ?? null,
    references: rule.references,
    false_positives: rule.false_positives.map((s) => s.trim()),
    author: rule.author,
    license: rule.license ?? null,
    version: rule.version,
    enabled: rule.enabled,
    runnable_language: runnable,
    not_runnable_reason: runnable ? null : `${rule.type} rules in ${language ?? 'no'} language are not supported; Execwatch runs EQL rules only`,
    metadata,
    source_file: file,
  };
}

/** Reads and parses one rule file. Throws only RuleLoadError. */
export async function loadRuleFile(file: string): Promise<LoadedRule> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > MAX_RULE_FILE_BYTES) throw new RuleLoadError(file, `file is larger than ${MAX_RULE_FILE_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof RuleLoadError) throw err;
    throw new RuleLoadError(file, `cannot read: ${firstLine(err)}`);
  }
  return parseRuleToml(text, file);
}

/**
 * Loads every `*.toml` of a folder (sorted by name). Invalid files and repeated rule_ids are
 * reported by file and reason and skipped; nothing is thrown.
 */
export async function loadRulesDir(dir: string, seen: Map<string, string> = new Map()): Promise<RuleLoadResult> {
  const result: RuleLoadResult = { rules: [], errors: [] };
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.toml')).sort();
  } catch (err) {
    result.errors.push({ file: dir, reason: `cannot read rules folder: ${firstLine(err)}` });
    return result;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const rule = await loadRuleFile(file);
      const previous = seen.get(rule.rule_id);
      if (previous !== undefined) {
        result.errors.push({ file, reason: `duplicate rule_id ${rule.rule_id} (already loaded from ${previous})` });
        continue;
      }
      seen.set(rule.rule_id, file);
      result.rules.push(rule);
    } catch (err) {
      if (err instanceof RuleLoadError) result.errors.push({ file: err.file, reason: err.reason });
      else result.errors.push({ file, reason: firstLine(err) });
    }
  }
  return result;
}

/** The rules shipped with Execwatch (the seed rule). */
export function loadBuiltinRules(): Promise<RuleLoadResult> {
  return loadRulesDir(BUILTIN_RULES_DIR);
}

/**
 * Built-in rules plus those of `extraDir` (the server passes EXECWATCH_RULES_DIR). A rule_id already
 * built in is reported and the built-in copy kept.
 */
export async function loadRules(extraDir?: string | null): Promise<RuleLoadResult> {
  const seen = new Map<string, string>();
  const builtin = await loadRulesDir(BUILTIN_RULES_DIR, seen);
  if (!extraDir) return builtin;
  const extra = await loadRulesDir(extraDir, seen);
  return { rules: [...builtin.rules, ...extra.rules], errors: [...builtin.errors, ...extra.errors] };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].slice(0, 500);
}
