/** Runs every enabled, runnable rule on its interval, with a start-up run covering the time since the last one. */
import type { Logger } from '../../log';
import type { RuleRegistry } from '../rules/rule-registry';
import { intervalMs, RunRefusedError, type DetectionEngine } from './detection-engine';

export interface SchedulerOptions {
  engine: DetectionEngine;
  registry: RuleRegistry;
  log: Logger;
}

/** Timers per rule; a tick runs the rule (with catch-up) and re-arms itself after the rule's current interval. */
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = true;

  constructor(private readonly opts: SchedulerOptions) {}

  /** Starts every rule: a start-up run now, then one per interval. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.opts.engine.recoverInterrupted();
    for (const ruleId of this.opts.registry.ruleIds()) this.arm(ruleId, 0, 'startup');
  }

  /** Re-arms a rule after its interval or enabled flag changed. */
  reschedule(ruleId: string): void {
    if (this.stopped) return;
    void this.opts.registry.get(ruleId).then((rule) => {
      if (rule && !this.stopped) this.arm(ruleId, intervalMs(rule), 'schedule');
    });
  }

  /** Stops scheduling and waits for the run in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.opts.engine.idle();
  }

  private arm(ruleId: string, delayMs: number, trigger: 'schedule' | 'startup'): void {
    const existing = this.timers.get(ruleId);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => void this.tick(ruleId, trigger), delayMs);
    timer.unref();
    this.timers.set(ruleId, timer);
  }

  private async tick(ruleId: string, trigger: 'schedule' | 'startup'): Promise<void> {
    this.timers.delete(ruleId);
    if (this.stopped) return;
    const rule = await this.opts.registry.get(ruleId).catch(() => null);
    if (!rule) return;
    if (rule.enabled && rule.runnable) {
      try {
        await this.opts.engine.runScheduled(ruleId, trigger);
      } catch (err) {
        const level = err instanceof RunRefusedError ? 'info' : 'error';
        this.opts.log[level]('scheduled run skipped', { rule_id: ruleId, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    if (!this.stopped && !this.timers.has(ruleId)) this.arm(ruleId, intervalMs(rule), 'schedule');
  }
}
