/** Builds the server's services over a store: rule registry, detection engine, scheduler, alerts. */
import type { Execution } from '@execwatch/api';
import type { Logger } from '../log';
import type { Store } from '../store/ports';
import { splitExceptionItems } from '../features/attribution/identity-exceptions';
import { AttributionService } from '../features/attribution/service';
import { SessionRiskService } from '../features/session-risk/service';
import { AlertsService } from './alerts/alerts-service';
import { ChecklistService } from './alerts/checklist-service';
import { DetectionEngine } from './detection/detection-engine';
import { Scheduler } from './detection/scheduler';
import type { RuleDefinition, RuleLoadError } from './rules/rule-definition';
import { createRuleExceptionLists, type RuleExceptionLists } from './rules/rule-exceptions';
import { RuleRegistry } from './rules/rule-registry';
import { loadRuleDefinitions, notRunnableReason } from './rules/rule-source';

/** The share of a rule run's search time that scoring sessions may add to it, and the least it may take. */
const SCORING_SHARE = 0.2;
const SCORING_MIN_BUDGET_MS = 25;

export interface Services {
  registry: RuleRegistry;
  engine: DetectionEngine;
  scheduler: Scheduler;
  exceptionLists: RuleExceptionLists;
  alerts: AlertsService;
  attribution: AttributionService;
  sessionRisk: SessionRiskService;
}

export interface ServicesOptions {
  store: Store;
  log: Logger;
  now: () => number;
  instanceId: string;
  space?: string;
  /** EXECWATCH_RULES_DIR: a folder of detection-rules TOML files added to the built-in rules. */
  rulesDir?: string;
  /** Replaces the loaded rules (tests). */
  rules?: { rules: RuleDefinition[]; errors: RuleLoadError[] };
  /** Interval for rules without their own override (demo mode). */
  intervalOverride?: string;
  /** Called when a run has written its `running` record (tests interrupt runs there). */
  onRunStart?: (execution: Execution) => void;
}

/** Loads the rules (bad files are logged and listed, never fatal) and wires the services. */
export async function createServices(opts: ServicesOptions): Promise<Services> {
  const loaded = opts.rules ?? (await loadRuleDefinitions(opts.rulesDir));
  for (const e of loaded.errors) opts.log.warn('rule file skipped', { file: e.file, reason: e.reason });
  const registry = new RuleRegistry({ store: opts.store, rules: loaded.rules, loadErrors: loaded.errors, notRunnableReason, intervalOverride: opts.intervalOverride, now: opts.now });
  for (const id of registry.ruleIds()) {
    void registry.get(id).then((r) => {
      if (r && !r.runnable) opts.log.info('rule listed but not runnable', { rule_id: r.rule_id, name: r.name, reason: r.not_runnable_reason });
    }, () => undefined);
  }
  const exceptionLists = createRuleExceptionLists(opts.store);
  const attribution = new AttributionService({
    store: opts.store,
    log: opts.log,
    now: opts.now,
    alertExceptionsFor: async (ruleId) => {
      const rule = await registry.get(ruleId);
      return rule ? splitExceptionItems(await exceptionLists.activeItemsFor(rule, opts.now())).alertItems : [];
    },
  });
  const sessionRisk = new SessionRiskService({ store: opts.store, log: opts.log, now: opts.now });
  const engine = new DetectionEngine({
    store: opts.store,
    registry,
    exceptions: exceptionLists,
    log: opts.log,
    now: opts.now,
    instanceId: opts.instanceId,
    space: opts.space,
    onRunStart: opts.onRunStart,
    // Scoring may add a fifth of the search's time to a run; what it leaves, the background pass scores.
    enrichAlerts: async (alerts, run) => sessionRisk.withSessionRisk(await attribution.withAttribution(alerts), Math.max(SCORING_MIN_BUDGET_MS, run.searchMs * SCORING_SHARE)),
  });
  const scheduler = new Scheduler({ engine, registry, log: opts.log });
  const alerts = new AlertsService({ store: opts.store, registry, checklists: new ChecklistService(opts.store), now: opts.now });
  return { registry, engine, scheduler, exceptionLists, alerts, attribution, sessionRisk };
}
