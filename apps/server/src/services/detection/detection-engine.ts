/** Runs rules over windows of events and writes alerts and execution records. */
import { randomUUID } from 'node:crypto';
import type { Execution } from '@execwatch/api';
import type { Logger } from '../../log';
import { matchAlertItems, splitExceptionItems } from '../../features/attribution/identity-exceptions';
import type { StoredAlert, Store } from '../../store/ports';
import type { EffectiveRule } from '../rules/rule-definition';
import type { RuleRegistry } from '../rules/rule-registry';
import { durationMs, resolveDate } from '../dates';
import { buildAlert } from './alert-builder';
import type { ExceptionSource } from './exception-source';
import { planScheduledRun, type TimeRange } from './run-plan';

export type RunTrigger = Execution['trigger'];

export interface DetectionEngineOptions {
  store: Store;
  registry: RuleRegistry;
  exceptions: ExceptionSource;
  log: Logger;
  now: () => number;
  /** Identifies this server instance when claiming runs (several instances share a cluster store). */
  instanceId: string;
  space?: string;
  /** Called once a run's `running` record is written (tests use it to interrupt a run). */
  onRunStart?: (execution: Execution) => void;
  /**
   * Adds to a run's alerts before they are stored (who ran the exec), so each is written once and whole.
   * A failure is logged and the alerts are stored as they are.
   */
  enrichAlerts?: (alerts: StoredAlert[], run: { searchMs: number }) => Promise<StoredAlert[]>;
  /** Told of a run's stored alerts (outbound notifications); runs after the run, its failures are logged. */
  onAlertsStored?: (alerts: StoredAlert[]) => Promise<void>;
}

/** A run another instance holds, or a rule the engine cannot run. */
export class RunRefusedError extends Error {
  override name = 'RunRefusedError';
}

const claimMs = 10 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The rule's look-back in ms (`from` is date math such as `now-6m`). */
export function lookbackMs(rule: Pick<EffectiveRule, 'from'>, now: number): number {
  return Math.max(0, now - resolveDate(rule.from, now, 'from'));
}

/** The rule's interval in ms (5 minutes when unparsable, as the loader's default). */
export function intervalMs(rule: Pick<EffectiveRule, 'interval'>): number {
  return durationMs(rule.interval) ?? 5 * 60_000;
}

/** Runs rules over windows: one run at a time per rule, each claimed in the store and recorded in the execution log. */
export class DetectionEngine {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly active = new Set<Promise<unknown>>();

  constructor(private readonly opts: DetectionEngineOptions) {}

  /** Runs one window of a rule now (manual runs and tests); serialised with the rule's other runs. */
  async runWindow(ruleId: string, window: TimeRange, trigger: RunTrigger, gaps: TimeRange[] = []): Promise<Execution> {
    return this.exclusive(ruleId, async () => {
      const rule = await this.requireRunnable(ruleId);
      return this.withLease(ruleId, () => this.execute(rule, window, trigger, gaps));
    });
  }

  /**
   * A scheduled or start-up run: catches up missed windows (at most 4 intervals back), records older
   * uncovered time as a gap, then runs the rule's own window. Returns every execution record written
   * (none when another instance covered the rule moments ago).
   */
  async runScheduled(ruleId: string, trigger: 'schedule' | 'startup'): Promise<Execution[]> {
    return this.exclusive(ruleId, async () => {
      await this.requireRunnable(ruleId);
      return this.withLease(ruleId, async () => {
        await this.closeInterrupted(ruleId);
        // Read the state again under the lease: another instance may have covered this window while we waited.
        const rule = await this.requireRunnable(ruleId);
        const now = this.opts.now();
        const interval = intervalMs(rule);
        if (trigger === 'schedule' && rule.last_covered_to !== null && now - rule.last_covered_to < interval / 2) return [];
        const plan = planScheduledRun({ now, intervalMs: interval, lookbackMs: lookbackMs(rule, now), lastCoveredTo: rule.last_covered_to });
        const out: Execution[] = [];
        // a gap is given up on (and recorded below), so coverage continues after it
        for (const g of plan.gaps) await this.opts.registry.markCovered(ruleId, g);
        for (const w of plan.catchUp) {
          out.push(await this.execute(rule, w, 'catch_up', []));
          await this.claim(ruleId); // renews the lease between windows, so a long catch-up is not taken over
        }
        out.push(await this.execute(rule, plan.main, trigger, plan.gaps));
        return out;
      });
    });
  }

  /** Marks records left `running` by a process that died mid-run as failed (only for rules no live instance is running). */
  async recoverInterrupted(): Promise<void> {
    for (const ruleId of this.opts.registry.ruleIds()) {
      const claimed = await this.opts.store.rules.claimRun(ruleId, this.opts.instanceId, this.opts.now() + claimMs).catch(() => false);
      if (!claimed) continue; // another instance holds the rule: its run may be live
      try {
        await this.closeInterrupted(ruleId);
      } finally {
        await this.opts.store.rules.releaseRun(ruleId, this.opts.instanceId).catch(() => undefined);
      }
    }
  }

  /** Waits for the runs in progress (graceful shutdown). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  private async requireRunnable(ruleId: string): Promise<EffectiveRule> {
    const rule = await this.opts.registry.get(ruleId);
    if (!rule) throw new RunRefusedError(`rule ${ruleId} not found`);
    if (!rule.runnable) throw new RunRefusedError(`rule ${ruleId} cannot run: ${rule.not_runnable_reason ?? 'not runnable'}`);
    return rule;
  }

  /** Closes a `running` record whose run cannot be live any more; call only while holding the rule's lease. */
  private async closeInterrupted(ruleId: string): Promise<void> {
    const latest = await this.opts.store.executions.latest(ruleId);
    if (latest?.status !== 'running') return;
    await this.opts.store.executions.put({ ...latest, status: 'failed', finished_at: latest.finished_at ?? iso(this.opts.now()), error: 'interrupted: the server running it stopped during this run' });
  }

  private async claim(ruleId: string): Promise<void> {
    const claimed = await this.opts.store.rules.claimRun(ruleId, this.opts.instanceId, this.opts.now() + claimMs);
    if (!claimed) throw new RunRefusedError(`rule ${ruleId} is being run by another server instance`);
  }

  /** Holds the rule's run lease (store-wide, so one instance runs a rule at a time) around `fn`. */
  private async withLease<T>(ruleId: string, fn: () => Promise<T>): Promise<T> {
    await this.claim(ruleId);
    try {
      return await fn();
    } finally {
      await this.opts.store.rules.releaseRun(ruleId, this.opts.instanceId).catch(() => undefined);
    }
  }

  private exclusive<T>(ruleId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(ruleId) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.tails.set(ruleId, tail);
    this.active.add(tail);
    void tail.then(() => {
      this.active.delete(tail);
      if (this.tails.get(ruleId) === tail) this.tails.delete(ruleId);
    });
    return run;
  }

  private async enrich(ruleId: string, alerts: StoredAlert[], searchMs: number, enrich: NonNullable<DetectionEngineOptions['enrichAlerts']>): Promise<StoredAlert[]> {
    try {
      return await enrich(alerts, { searchMs });
    } catch (err) {
      this.opts.log.warn('alerts stored without enrichment', { rule_id: ruleId, error: err instanceof Error ? err.message : String(err) });
      return alerts;
    }
  }

  private async execute(rule: EffectiveRule, window: TimeRange, trigger: RunTrigger, gaps: TimeRange[]): Promise<Execution> {
    const { store, log } = this.opts;
    const started = this.opts.now();
    const t0 = performance.now();
    const record: Execution = {
      id: randomUUID(),
      rule_id: rule.rule_id,
      status: 'running',
      trigger,
      started_at: iso(started),
      finished_at: null,
      duration_ms: null,
      window: { from: iso(window.from), to: iso(window.to) },
      events_matched: 0,
      alerts_created: 0,
      alerts_existing: 0,
      suppressed: 0,
      max_signals_reached: false,
      gaps: gaps.map((g) => ({ from: iso(g.from), to: iso(g.to) })),
      warnings: gaps.map((g) => `gap: ${iso(g.from)} to ${iso(g.to)} was not covered (missed runs beyond ${4} intervals)`),
      error: null,
    };
    try {
      await store.executions.put(record);
      this.opts.onRunStart?.(record);
      // items on who ran the exec are matched against the attributed alerts, the rest against events
      const { eventItems, alertItems } = splitExceptionItems(await this.opts.exceptions.activeItemsFor(rule, started));
      const searchStarted = performance.now();
      const result = await store.events.searchRule({
        query: rule.query,
        index: rule.index,
        window,
        timestampOverride: rule.timestamp_override,
        exceptions: eventItems,
        size: rule.max_signals,
      });
      const ctx = { now: this.opts.now(), executionId: record.id, space: this.opts.space ?? 'default' };
      const alerts: StoredAlert[] = [
        ...result.events.map((e) => buildAlert([e], rule, ctx)),
        ...result.sequences.map((s) => buildAlert(s.events, rule, ctx)),
      ].slice(0, rule.max_signals);
      const searchMs = performance.now() - searchStarted;
      const enriched = alerts.length > 0 && this.opts.enrichAlerts ? await this.enrich(rule.rule_id, alerts, searchMs, this.opts.enrichAlerts) : alerts;
      const excepted = matchAlertItems(alertItems, started);
      const suppressedByItem = { ...result.suppressedByItem };
      let suppressed = result.suppressed;
      const kept = enriched.filter((alert) => {
        const item = excepted(alert.doc);
        if (!item) return true;
        suppressed++;
        suppressedByItem[item.id] = (suppressedByItem[item.id] ?? 0) + 1;
        return false;
      });
      const written = kept.length > 0 ? await store.alerts.createMany(kept) : { created: 0, existing: 0 };
      if (kept.length > 0 && this.opts.onAlertsStored) {
        this.opts.onAlertsStored(kept).catch((err: unknown) => this.opts.log.warn('alert notifications failed', { rule_id: rule.rule_id, error: err instanceof Error ? err.message : String(err) }));
      }
      if (Object.keys(suppressedByItem).length > 0) await store.exceptions.recordHits(suppressedByItem, this.opts.now());
      const maxReached = result.total > rule.max_signals;
      const warnings = [...record.warnings];
      if (maxReached) warnings.push(`max_signals reached: ${result.total} matches, only ${rule.max_signals} alerts written in this run`);
      if (result.partial) warnings.push(`partial results: ${result.partial}`);
      const done: Execution = {
        ...record,
        status: warnings.length > 0 ? 'partial' : 'succeeded',
        finished_at: iso(this.opts.now()),
        duration_ms: Math.round(performance.now() - t0),
        events_matched: result.total,
        alerts_created: written.created,
        alerts_existing: written.existing,
        suppressed,
        max_signals_reached: maxReached,
        warnings,
      };
      await store.executions.put(done);
      // A partial answer may have missed events: leave the window uncovered so the next run catches it up.
      if (!result.partial) await this.opts.registry.markCovered(rule.rule_id, window);
      if (maxReached) log.warn('rule hit max_signals', { rule_id: rule.rule_id, matches: result.total, max_signals: rule.max_signals });
      log.info('rule run', { rule_id: rule.rule_id, trigger, status: done.status, matched: done.events_matched, created: done.alerts_created, duration_ms: done.duration_ms });
      return done;
    } catch (err) {
      const failed: Execution = { ...record, status: 'failed', finished_at: iso(this.opts.now()), duration_ms: Math.round(performance.now() - t0), error: err instanceof Error ? err.message : String(err) };
      log.error('rule run failed', { rule_id: rule.rule_id, trigger, error: failed.error });
      await store.executions.put(failed).catch(() => undefined);
      return failed;
    }
  }
}
