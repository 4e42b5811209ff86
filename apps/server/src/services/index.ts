/** Builds the server's services over a store: rule registry, detection engine, scheduler, alerts. */
import type { Execution } from '@execwatch/api';
import type { Logger } from '../log';
import type { Store } from '../store/ports';
import { splitExceptionItems } from '../features/attribution/identity-exceptions';
import { AttributionService } from '../features/attribution/service';
import { SessionRiskService } from '../features/session-risk/service';
import { NotificationsService } from '../features/notifications/service';
import { WebhookNotifier, webhookConfigFromEnv, type WebhookConfig } from '../features/notifications/webhook';
import { createDiskGuard, DEFAULT_MIN_FREE, type FreeSpaceReader, type MinFreeSpace } from '../features/storage/disk-guard';
import { RETENTION_DEFAULTS, StorageService, type RetentionDefaults } from '../features/storage/storage-service';
import { loadImportedRules } from '../features/detection-engine/rules-import';
import { DEFAULT_INGEST_INDICES, IngestLane } from '../ingest/lane';
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
  storage: StorageService;
  notifications: NotificationsService;
  webhook: WebhookNotifier | null;
  /** The indices ingest writes may name (ingest/lane.ts). */
  ingestLane: IngestLane;
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
  /** EXECWATCH_INGEST_INDICES: the event sources ingest writes may name besides the rules' patterns (`logs-*` by default). */
  ingestIndices?: readonly string[];
  /** Called when a run has written its `running` record (tests interrupt runs there). */
  onRunStart?: (execution: Execution) => void;
  /** The outbound webhook; undefined reads EXECWATCH_NOTIFY_WEBHOOK_URL and _FORMAT, null sends none. */
  notifyWebhook?: WebhookConfig | null;
  /**
   * Retention defaults and the disk guard: the guard watches `dataDir`'s file system (embedded store only;
   * no `dataDir`, no guard). `readFreeSpace` replaces statfs (tests).
   */
  storage?: Partial<RetentionDefaults> & { dataDir?: string; diskMinFree?: MinFreeSpace; readFreeSpace?: FreeSpaceReader; pauseMs?: number; batchRows?: number };
}

/** Loads the rules (bad files are logged and listed, never fatal) and wires the services. */
export async function createServices(opts: ServicesOptions): Promise<Services> {
  const loaded = opts.rules ?? (await loadRuleDefinitions(opts.rulesDir));
  for (const e of loaded.errors) opts.log.warn('rule file skipped', { file: e.file, reason: e.reason });
  const registry = new RuleRegistry({ store: opts.store, rules: loaded.rules, loadErrors: loaded.errors, notRunnableReason, intervalOverride: opts.intervalOverride, now: opts.now });
  // rules a Kibana rules import brought in (features/detection-engine/rules-import.ts)
  await loadImportedRules(opts.store, registry);
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
  const webhookConfig = opts.notifyWebhook === undefined ? webhookConfigFromEnv(process.env) : opts.notifyWebhook;
  const webhook = webhookConfig ? new WebhookNotifier({ config: webhookConfig, audit: opts.store.audit, log: opts.log, now: opts.now }) : null;
  const notifications = new NotificationsService({ store: opts.store, log: opts.log, now: opts.now, webhook });
  const engine = new DetectionEngine({
    store: opts.store,
    registry,
    exceptions: exceptionLists,
    log: opts.log,
    now: opts.now,
    instanceId: opts.instanceId,
    space: opts.space,
    onRunStart: opts.onRunStart,
    onAlertsStored: (stored) => notifications.newAlerts(stored),
    // Scoring may add a fifth of the search's time to a run; what it leaves, the background pass scores.
    enrichAlerts: async (alerts, run) => sessionRisk.withSessionRisk(await attribution.withAttribution(alerts), Math.max(SCORING_MIN_BUDGET_MS, run.searchMs * SCORING_SHARE)),
  });
  const scheduler = new Scheduler({ engine, registry, log: opts.log });
  const rulesOfList = async (listId: string) => {
    const out: string[] = [];
    for (const rule of await registry.list()) if ((await exceptionLists.defaultList(rule)).list_id === listId) out.push(rule.rule_id);
    return out;
  };
  const alerts = new AlertsService({ store: opts.store, registry, checklists: new ChecklistService(opts.store), now: opts.now, rulesOfList, notifications });
  const st = opts.storage ?? {};
  const diskGuard = st.dataDir !== undefined && opts.store.kind === 'embedded'
    ? createDiskGuard({ dir: st.dataDir, minFree: st.diskMinFree ?? DEFAULT_MIN_FREE, log: opts.log, now: opts.now, read: st.readFreeSpace })
    : null;
  const storage = new StorageService({
    store: opts.store,
    log: opts.log,
    now: opts.now,
    defaults: { eventsRetentionMs: st.eventsRetentionMs ?? RETENTION_DEFAULTS.eventsRetentionMs, alertsRetentionMs: st.alertsRetentionMs ?? RETENTION_DEFAULTS.alertsRetentionMs },
    diskGuard,
    pauseMs: st.pauseMs,
    batchRows: st.batchRows,
  });
  const ingestLane = new IngestLane(opts.ingestIndices ?? DEFAULT_INGEST_INDICES, () => registry.indexPatterns());
  return { registry, engine, scheduler, exceptionLists, alerts, attribution, sessionRisk, storage, notifications, webhook, ingestLane };
}
