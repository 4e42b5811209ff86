/** The rules the server knows (built-in + folder), merged with their run-time state from the store. */
import { createHash } from 'node:crypto';
import type { UpdateRule } from '@execwatch/api';
import type { RuleState, Store } from '../../store/ports';
import type { EffectiveRule, RuleDefinition, RuleLoadError } from './rule-definition';

/** Checklist groups required before closing as false/benign positive, unless a rule says otherwise. */
export const defaultRequiredSteps = ['investigation'];

/** Deterministic uuid for a rule, so alerts name the same rule uuid on every server and restart. */
export function ruleUuid(ruleId: string): string {
  const h = createHash('sha256').update(`execwatch-rule:${ruleId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface RuleRegistryOptions {
  store: Store;
  rules: RuleDefinition[];
  loadErrors: RuleLoadError[];
  /** Decides whether a rule can run (null) or why not. */
  notRunnableReason: (rule: RuleDefinition) => string | null;
  /** Interval used when a rule has no interval override (demo mode shortens the schedule). */
  intervalOverride?: string;
  now: () => number;
}

/** Rule definitions by rule_id with their stored state (enabled, overrides, coverage) merged in. */
export class RuleRegistry {
  private readonly byId = new Map<string, { def: RuleDefinition; reason: string | null }>();
  readonly loadErrors: RuleLoadError[];

  constructor(private readonly opts: RuleRegistryOptions) {
    for (const def of opts.rules) this.byId.set(def.rule_id, { def, reason: opts.notRunnableReason(def) });
    this.loadErrors = opts.loadErrors;
  }

  get size(): number {
    return this.byId.size;
  }

  ruleIds(): string[] {
    return [...this.byId.keys()];
  }

  /** The rule's definition as loaded (no state applied), or null. */
  definition(ruleId: string): RuleDefinition | null {
    return this.byId.get(ruleId)?.def ?? null;
  }

  /** Adds a rule, or replaces the one with its rule_id (a Kibana rules import). */
  put(def: RuleDefinition): void {
    this.byId.set(def.rule_id, { def, reason: this.opts.notRunnableReason(def) });
  }

  /** The index patterns the loaded rules read (the ingest lane accepts them). */
  indexPatterns(): string[] {
    return [...new Set([...this.byId.values()].flatMap((e) => e.def.index))];
  }

  has(ruleId: string): boolean {
    return this.byId.has(ruleId);
  }

  /** The rule with its state applied, or null when unknown. */
  async get(ruleId: string): Promise<EffectiveRule | null> {
    const entry = this.byId.get(ruleId);
    if (!entry) return null;
    return this.merge(entry.def, entry.reason, await this.opts.store.rules.getState(ruleId));
  }

  async list(): Promise<EffectiveRule[]> {
    const states = new Map((await this.opts.store.rules.listStates()).map((s) => [s.rule_id, s]));
    return [...this.byId.values()].map((e) => this.merge(e.def, e.reason, states.get(e.def.rule_id) ?? null));
  }

  /** Applies a PATCH; returns the updated rule and the state before (for the audit trail). */
  async update(ruleId: string, patch: UpdateRule, user: string): Promise<{ before: EffectiveRule; after: EffectiveRule } | null> {
    const entry = this.byId.get(ruleId);
    if (!entry) return null;
    const state = (await this.opts.store.rules.getState(ruleId)) ?? this.initialState(entry.def);
    const before = this.merge(entry.def, entry.reason, state);
    const next: RuleState = {
      ...state,
      enabled: patch.enabled ?? state.enabled,
      overrides: {
        ...state.overrides,
        ...(patch.interval !== undefined ? { interval: patch.interval } : {}),
        ...(patch.from !== undefined ? { from: patch.from } : {}),
        ...(patch.max_signals !== undefined ? { max_signals: patch.max_signals } : {}),
        ...(patch.required_steps !== undefined ? { required_steps: patch.required_steps } : {}),
      },
      updated_at: this.opts.now(),
      updated_by: user,
      revision: (state.revision ?? 0) + 1,
    };
    await this.opts.store.rules.putState(next);
    return { before, after: this.merge(entry.def, entry.reason, next) };
  }

  /** Records the end of the window a run covered (only when it continues the covered range). */
  async markCovered(ruleId: string, window: { from: number; to: number }): Promise<void> {
    const entry = this.byId.get(ruleId);
    if (!entry) return;
    const state = (await this.opts.store.rules.getState(ruleId)) ?? this.initialState(entry.def);
    const last = state.last_covered_to;
    if (last !== null && (window.from > last || window.to <= last)) return;
    await this.opts.store.rules.putState({ ...state, last_covered_to: window.to });
  }

  private initialState(def: RuleDefinition): RuleState {
    return { rule_id: def.rule_id, enabled: def.enabled, overrides: {}, last_covered_to: null, updated_at: this.opts.now(), updated_by: null };
  }

  private merge(def: RuleDefinition, reason: string | null, state: RuleState | null): EffectiveRule {
    const o = state?.overrides ?? {};
    return {
      ...def,
      id: ruleUuid(def.rule_id),
      enabled: state?.enabled ?? def.enabled,
      interval: o.interval ?? this.opts.intervalOverride ?? def.interval,
      from: o.from ?? def.from,
      max_signals: o.max_signals ?? def.max_signals,
      required_steps: o.required_steps ?? defaultRequiredSteps,
      runnable: reason === null,
      not_runnable_reason: reason,
      last_covered_to: state?.last_covered_to ?? null,
      revision: state?.revision ?? 0,
      updated_at: state?.updated_by ? state.updated_at : null,
      updated_by: state?.updated_by ?? null,
    };
  }
}
