/**
 * `POST /api/detection_engine/rules/_import`: a Kibana rules export (ndjson: rules, their exception lists and
 * items, an export summary). Rules are kept in the settings store (both adapters) and join the registry; the
 * exception lines go through the exceptions import, with each rule's own list (`rule_default`) mapped onto the
 * rule's default list here, so its items apply to the rule.
 */
import { z } from 'zod';
import { threatSchema, type ImportExceptionsResponse } from '@execwatch/api';
import { importExceptions } from '../../exceptions/import-export';
import { ensureRuleDefaultList } from '../../exceptions/service';
import type { IngestLane } from '../../ingest/lane';
import type { RuleDefinition } from '../../services/rules/rule-definition';
import type { RuleRegistry } from '../../services/rules/rule-registry';
import type { Store } from '../../store/ports';

/** Settings key of the imported rules (rule_id -> definition). */
export const IMPORTED_RULES_KEY = 'detection_engine.imported_rules';
const MAX_RULES = 10_000;

const listRef = z.object({ id: z.string().optional(), list_id: z.string(), type: z.string(), namespace_type: z.string().optional() });

/** A rule line of Kibana's export, with Kibana's defaults. */
const kibanaRuleSchema = z.looseObject({
  rule_id: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(1000),
  description: z.string().max(100_000).default(''),
  type: z.string().min(1).max(50),
  language: z.string().max(50).optional(),
  query: z.string().max(1_000_000).optional(),
  index: z.array(z.string().min(1)).default([]),
  interval: z.string().regex(/^\d+[smhd]$/).default('5m'),
  from: z.string().max(50).default('now-6m'),
  max_signals: z.number().int().min(1).max(10_000).default(100),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  risk_score: z.number().min(0).max(100),
  timestamp_override: z.string().min(1).optional(),
  tags: z.array(z.string()).default([]),
  threat: z.array(threatSchema).default([]),
  note: z.string().optional(),
  references: z.array(z.string()).default([]),
  false_positives: z.array(z.string()).default([]),
  author: z.array(z.string()).default([]),
  license: z.string().optional(),
  version: z.number().int().min(1).default(1),
  enabled: z.boolean().default(false),
  exceptions_list: z.array(listRef).default([]),
});

export interface RulesImportResponse {
  success: boolean;
  success_count: number;
  rules_count: number;
  errors: { rule_id?: string; error: { status_code: number; message: string } }[];
  exceptions_success: boolean;
  exceptions_success_count: number;
  exceptions_errors: ImportExceptionsResponse['errors'];
  action_connectors_success: boolean;
  action_connectors_success_count: number;
  action_connectors_errors: unknown[];
  action_connectors_warnings: unknown[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function toDefinition(r: z.output<typeof kibanaRuleSchema>): RuleDefinition {
  return {
    rule_id: r.rule_id,
    name: r.name,
    description: r.description.trim(),
    type: r.type,
    language: r.language ?? (r.type === 'eql' ? 'eql' : null),
    query: (r.query ?? '').trim(),
    index: r.index,
    interval: r.interval,
    from: r.from,
    max_signals: r.max_signals,
    severity: r.severity,
    risk_score: r.risk_score,
    timestamp_override: r.timestamp_override ?? null,
    tags: r.tags,
    threat: r.threat,
    note: r.note ?? null,
    references: r.references,
    false_positives: r.false_positives,
    author: r.author,
    license: r.license ?? null,
    version: r.version,
    enabled: r.enabled,
    source_file: null,
    origin: 'imported',
    upgraded_from: null,
  };
}

/** Imported rules kept in the settings store, put into the registry (at start-up). */
export async function loadImportedRules(store: Store, registry: RuleRegistry): Promise<number> {
  const saved = (await store.settings.get<Record<string, RuleDefinition>>(IMPORTED_RULES_KEY)) ?? {};
  for (const def of Object.values(saved)) registry.put(def);
  return Object.keys(saved).length;
}

export interface RulesImportDeps {
  store: Store;
  registry: RuleRegistry;
  lane: IngestLane | null;
  now: () => number;
}

/** Imports a Kibana rules export (see the module comment). */
export async function importRules(deps: RulesImportDeps, text: string, opts: { overwrite: boolean; overwriteExceptions: boolean }, actor: string): Promise<RulesImportResponse> {
  const errors: RulesImportResponse['errors'] = [];
  const rules: { def: RuleDefinition; lists: z.output<typeof listRef>[] }[] = [];
  const exceptionLines: Json[] = [];
  let rulesCount = 0;
  text.split('\n').forEach((raw, k) => {
    const line = raw.trim();
    if (line === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      errors.push({ error: { status_code: 400, message: `line ${k + 1}: not valid JSON` } });
      return;
    }
    if (!isObject(parsed)) {
      errors.push({ error: { status_code: 400, message: `line ${k + 1}: expected a JSON object` } });
      return;
    }
    // the export's summary line
    if ('exported_count' in parsed || 'exported_rules_count' in parsed) return;
    if ('rule_id' in parsed && 'type' in parsed && !('entries' in parsed)) {
      rulesCount++;
      if (rulesCount > MAX_RULES) {
        errors.push({ rule_id: String(parsed.rule_id), error: { status_code: 400, message: `more than ${MAX_RULES} rules in one import` } });
        return;
      }
      const r = kibanaRuleSchema.safeParse(parsed);
      if (!r.success) {
        const issue = r.error.issues[0];
        errors.push({ rule_id: typeof parsed.rule_id === 'string' ? parsed.rule_id : undefined, error: { status_code: 400, message: `line ${k + 1}: ${issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'not a rule'}` } });
        return;
      }
      rules.push({ def: toDefinition(r.data), lists: r.data.exceptions_list });
      return;
    }
    if ('list_id' in parsed) {
      exceptionLines.push(parsed);
      return;
    }
    errors.push({ error: { status_code: 400, message: `line ${k + 1}: neither a rule, an exception list or item, nor the export summary` } });
  });

  // each rule's own exception list becomes the rule's default list
  const listTarget = new Map<string, string>();
  const saved = { ...((await deps.store.settings.get<Record<string, RuleDefinition>>(IMPORTED_RULES_KEY)) ?? {}) };
  let imported = 0;
  for (const { def, lists } of rules) {
    const existing = deps.registry.definition(def.rule_id);
    if (existing && !opts.overwrite) {
      errors.push({ rule_id: def.rule_id, error: { status_code: 409, message: `rule_id: "${def.rule_id}" already exists` } });
      continue;
    }
    const next: RuleDefinition = existing
      ? { ...def, upgraded_from: { version: existing.version, source: existing.origin ?? 'built-in', source_file: existing.source_file, reason: `replaced by a Kibana rules import with overwrite, by ${actor}` } }
      : def;
    deps.registry.put(next);
    saved[def.rule_id] = next;
    imported++;
    const own = lists.find((l) => l.type === 'rule_default');
    if (own) listTarget.set(own.list_id, (await ensureRuleDefaultList(deps.store, def)).list_id);
  }
  if (imported > 0) {
    await deps.store.settings.set(IMPORTED_RULES_KEY, saved);
    deps.lane?.refresh();
  }

  let exceptions: ImportExceptionsResponse | null = null;
  if (exceptionLines.length > 0) {
    const lines: string[] = [];
    for (const l of exceptionLines) {
      const target = typeof l.list_id === 'string' ? listTarget.get(l.list_id) : undefined;
      const isList = !('item_id' in l);
      // the rule's default list exists here already: its items go into it, its container line is not needed
      if (target !== undefined && isList) continue;
      lines.push(JSON.stringify(target !== undefined ? { ...l, list_id: target } : l));
    }
    exceptions = await importExceptions(deps.store, lines.join('\n'), { overwrite: opts.overwriteExceptions, asNewList: false }, { user: actor, now: deps.now() });
  }
  return {
    success: errors.length === 0,
    success_count: imported,
    rules_count: rulesCount,
    errors,
    exceptions_success: exceptions ? exceptions.success : true,
    exceptions_success_count: exceptions ? exceptions.success_count : 0,
    exceptions_errors: exceptions ? exceptions.errors : [],
    action_connectors_success: true,
    action_connectors_success_count: 0,
    action_connectors_errors: [],
    action_connectors_warnings: [],
  };
}
