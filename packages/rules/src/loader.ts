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
  const unsupported = unloadableReason(table);
  if (unsupported) throw new RuleLoadError(file, unsupported);
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
    not_runnable_reason: runnable ? null : notRunnableInPlainWords(rule.type, language),
    metadata,
    source_file: file,
    version_stated: statesVersion(table),
  };
}

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function statesVersion(table: unknown): boolean {
  return isTable(table) && isTable(table.rule) && table.rule.version !== undefined;
}

/** Why a TOML file cannot be a rule at all, in plain words, before its fields are checked; null when it may be one. */
function unloadableReason(table: unknown): string | null {
  if (!isTable(table) || !isTable(table.rule)) {
    return 'not a detection rule file: it has no [rule] table (detection-rules keeps rules in rules/ and rules_building_block/)';
  }
  const rule = table.rule;
  if (rule.type === 'machine_learning') {
    const jobs = Array.isArray(rule.machine_learning_job_id) ? rule.machine_learning_job_id.map(String) : typeof rule.machine_learning_job_id === 'string' ? [rule.machine_learning_job_id] : [];
    return `machine learning rule: it alerts on the anomalies of Elastic's anomaly detection job${jobs.length === 1 ? '' : 's'}${jobs.length > 0 ? ` ${jobs.join(', ')}` : ''}, which Execwatch does not run`;
  }
  return null;
}

/** Why the engine cannot run a rule of this type and language, in plain words (Execwatch runs EQL rules). */
export function notRunnableInPlainWords(type: string, language: string | null): string {
  const lang = language ? ` (${language} language)` : '';
  switch (type) {
    case 'query':
      if (language === 'kuery') return `KQL query rule${lang}: Execwatch runs EQL rules only`;
      if (language === 'lucene') return `Lucene query rule${lang}: Execwatch runs EQL rules only`;
      return `query rule${lang}: Execwatch runs EQL rules only`;
    case 'saved_query':
      return `saved query rule${lang}: its query lives in Kibana's saved objects; Execwatch runs EQL rules only`;
    case 'esql':
      return 'ES|QL rule (esql language): Execwatch runs EQL rules only';
    case 'threshold':
      return `threshold rule${lang}: it counts events by field values against a threshold; Execwatch runs EQL rules only`;
    case 'new_terms':
      return `new terms rule${lang}: it alerts on values not seen in a history window; Execwatch runs EQL rules only`;
    case 'threat_match':
      return `indicator match rule${lang}: it matches events against threat intelligence indices; Execwatch runs EQL rules only`;
    case 'eql':
      return `EQL rule written in ${language ?? 'no'} language: Execwatch runs EQL rules only`;
    default:
      return `${type} rule${lang}: Execwatch runs EQL rules only`;
  }
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

/** Folders a rule pack checkout holds that are not rules to run, and why. */
const SKIPPED_FOLDERS: Readonly<Record<string, string>> = {
  _deprecated: 'deprecated rule: Elastic no longer ships it (it is in a _deprecated folder)',
};

/** Every `*.toml` under `dir`, in sorted path order; hidden folders and node_modules are not entered. */
async function tomlFiles(dir: string, errors: RuleLoadResult['errors'], depth = 0): Promise<{ file: string; skipped: string | null }[]> {
  const out: { file: string; skipped: string | null }[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      if (depth >= 12) {
        errors.push({ file, reason: 'folder nested too deep: rule folders are read 12 levels down at most' });
        continue;
      }
      const skipped = SKIPPED_FOLDERS[e.name] ?? null;
      try {
        for (const f of await tomlFiles(file, errors, depth + 1)) out.push({ file: f.file, skipped: skipped ?? f.skipped });
      } catch (err) {
        errors.push({ file, reason: `cannot read rules folder: ${firstLine(err)}` });
      }
    } else if (e.name.endsWith('.toml') && (e.isFile() || e.isSymbolicLink())) out.push({ file, skipped: null });
  }
  return out;
}

/**
 * Loads every `*.toml` of a folder and its subfolders (sorted by path), as a detection-rules checkout lays them
 * out. Invalid files, files that are not rules, deprecated rules and repeated rule_ids are reported by file and
 * reason, in plain words, and skipped; nothing is thrown.
 */
export async function loadRulesDir(dir: string, seen: Map<string, string> = new Map()): Promise<RuleLoadResult> {
  const result: RuleLoadResult = { rules: [], errors: [] };
  let files: { file: string; skipped: string | null }[];
  try {
    files = await tomlFiles(dir, result.errors);
  } catch (err) {
    result.errors.push({ file: dir, reason: `cannot read rules folder: ${firstLine(err)}` });
    return result;
  }
  for (const { file, skipped } of files) {
    if (skipped) {
      result.errors.push({ file, reason: skipped });
      continue;
    }
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

/** Elastic's version lock of a detection-rules checkout (rule versions live there, not in the rule files). */
async function readVersionLock(dir: string): Promise<Map<string, number>> {
  const candidates = [path.join(dir, 'version.lock.json'), path.join(dir, 'detection_rules/etc/version.lock.json'), path.join(dir, '../detection_rules/etc/version.lock.json')];
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      const out = new Map<string, number>();
      if (isTable(parsed)) {
        for (const [ruleId, entry] of Object.entries(parsed)) {
          if (isTable(entry) && typeof entry.version === 'number' && Number.isInteger(entry.version)) out.set(ruleId, entry.version);
        }
      }
      return out;
    } catch {
      return new Map();
    }
  }
  return new Map();
}

/** `yyyy/mm/dd` of `[metadata] updated_date` as a comparable number, or null. */
function updatedDay(rule: LoadedRule): number | null {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(rule.metadata.updated_date ?? '');
  return m ? Number(`${m[1]}${m[2]}${m[3]}`) : null;
}

/**
 * Whether `candidate` (from a rule pack) is a newer version of `current` (built in), as Kibana's prebuilt-rule
 * upgrade decides it: by version. A detection-rules file states no version (its version lock does): without either,
 * the later `updated_date` decides, and the new copy runs as the next version. Returns the version it runs as and why.
 */
export function upgradeOf(current: LoadedRule, candidate: LoadedRule, lockedVersion?: number): { version: number; reason: string } | null {
  const stated = candidate.version_stated ? candidate.version : lockedVersion;
  if (stated !== undefined) {
    if (stated <= current.version) return null;
    return { version: stated, reason: `version ${stated} is newer than the built-in version ${current.version}` };
  }
  const a = updatedDay(current);
  const b = updatedDay(candidate);
  if (a === null || b === null || b <= a) return null;
  return {
    version: current.version + 1,
    reason: `updated ${candidate.metadata.updated_date ?? ''}, after the built-in copy (${current.metadata.updated_date ?? ''}); the file states no version, so it runs as version ${current.version + 1}`,
  };
}

/** A rule that replaced a built-in one: the version it replaced, from where, and why. */
export interface RuleReplacement {
  rule_id: string;
  replaced: { version: number; source_file: string };
  reason: string;
}

/**
 * Built-in rules plus those of `extraDir` (the server passes EXECWATCH_RULES_DIR). A rule_id already built in is
 * replaced when the folder's copy is newer (see upgradeOf), and reported with the built-in copy kept otherwise.
 */
export async function loadRules(extraDir?: string | null): Promise<RuleLoadResult & { replacements: RuleReplacement[] }> {
  const builtin = await loadRulesDir(BUILTIN_RULES_DIR, new Map());
  if (!extraDir) return { ...builtin, replacements: [] };
  const builtinById = new Map(builtin.rules.map((r) => [r.rule_id, r]));
  const extra = await loadRulesDir(extraDir, new Map());
  const lock = await readVersionLock(extraDir);
  const replacements: RuleReplacement[] = [];
  const rules = [...builtin.rules];
  const errors = [...builtin.errors, ...extra.errors];
  for (const rule of extra.rules) {
    const current = builtinById.get(rule.rule_id);
    const locked = lock.get(rule.rule_id);
    const withLock = locked !== undefined && !rule.version_stated ? { ...rule, version: locked } : rule;
    if (!current) {
      rules.push(withLock);
      continue;
    }
    const upgrade = upgradeOf(current, rule, locked);
    if (!upgrade) {
      errors.push({ file: rule.source_file, reason: `duplicate rule_id ${rule.rule_id}: the built-in copy (version ${current.version}, updated ${current.metadata.updated_date ?? 'unknown'}) is as new or newer, and keeps running (from ${current.source_file})` });
      continue;
    }
    rules[rules.indexOf(current)] = { ...rule, version: upgrade.version };
    replacements.push({ rule_id: rule.rule_id, replaced: { version: current.version, source_file: current.source_file }, reason: upgrade.reason });
  }
  return { rules, errors, replacements };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].slice(0, 500);
}
