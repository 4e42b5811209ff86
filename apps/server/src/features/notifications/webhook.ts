/**
 * Outbound notifications through one webhook (generic JSON, or Slack-compatible `{ text }`): queued off the
 * request path, retried with backoff a bounded number of times, each attempt bounded by a timeout, and the
 * outcome of every delivery recorded in the audit log.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuditEvent } from '@execwatch/api';
import type { Logger } from '../../log';
import type { AuditLog } from '../../store/ports';

/** The audit action of a webhook delivery (success or failure after its retries). */
export const WEBHOOK_AUDIT_ACTION = 'notification.webhook';

export interface WebhookConfig {
  url: string;
  format: 'json' | 'slack';
  /** Longest one attempt may take (the receiver may hang). */
  timeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubled for each one after. */
  backoffMs: number;
}

const envSchema = z.object({
  EXECWATCH_NOTIFY_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  EXECWATCH_NOTIFY_WEBHOOK_FORMAT: z.enum(['json', 'slack']).default('json'),
});

/** The webhook from `EXECWATCH_NOTIFY_WEBHOOK_URL` and `EXECWATCH_NOTIFY_WEBHOOK_FORMAT`; null when no URL is set. */
export function webhookConfigFromEnv(env: Readonly<Record<string, string | undefined>>): WebhookConfig | null {
  const parsed = envSchema.safeParse({ EXECWATCH_NOTIFY_WEBHOOK_URL: env.EXECWATCH_NOTIFY_WEBHOOK_URL || undefined, EXECWATCH_NOTIFY_WEBHOOK_FORMAT: env.EXECWATCH_NOTIFY_WEBHOOK_FORMAT || undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') ?? 'EXECWATCH_NOTIFY_WEBHOOK'}: ${issue?.message ?? 'invalid'}`);
  }
  const url = parsed.data.EXECWATCH_NOTIFY_WEBHOOK_URL;
  return url ? { url, format: parsed.data.EXECWATCH_NOTIFY_WEBHOOK_FORMAT, timeoutMs: 10_000, maxAttempts: 4, backoffMs: 1_000 } : null;
}

/** What happened, as the receiver gets it in the generic format. */
export interface WebhookEvent {
  event: 'alert.assigned' | 'alert.high_risk';
  /** One line a person reads (the Slack format sends only this). */
  text: string;
  /** Who caused it; null for detections. */
  actor: string | null;
  alerts: { id: string; rule: string | null; severity: string | null; risk_score: number | null }[];
  /** How many alerts in all (a bulk assignment lists the first few). */
  alerts_count: number;
  assignees?: string[];
}

const QUEUE_LIMIT = 1_000;

/** Delivers webhook events one at a time in the background. */
export class WebhookNotifier {
  private readonly queue: WebhookEvent[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: { config: WebhookConfig; audit: AuditLog; log: Logger; now: () => number }) {}

  /** Queues an event and returns at once. */
  send(event: WebhookEvent): void {
    if (this.stopped) return;
    if (this.queue.length >= QUEUE_LIMIT) {
      this.opts.log.warn('webhook queue full: notification dropped', { event: event.event });
      return;
    }
    this.queue.push(event);
    this.kick();
  }

  /** Resolves once every queued event was delivered or given up. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    this.running ??= this.drain().finally(() => {
      this.running = null;
      // an event queued after the loop's last look at the queue
      if (this.queue.length > 0 && !this.stopped) this.kick();
    });
  }

  /** Stops taking events; an attempt under way runs to its timeout. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (let event = this.queue.shift(); event; event = this.queue.shift()) await this.deliver(event);
  }

  private body(event: WebhookEvent): string {
    if (this.opts.config.format === 'slack') return JSON.stringify({ text: event.text });
    return JSON.stringify({ ...event, '@timestamp': new Date(this.opts.now()).toISOString(), source: 'execwatch' });
  }

  private async deliver(event: WebhookEvent): Promise<void> {
    const { config } = this.opts;
    let attempts = 0;
    let lastStatus: number | null = null;
    let lastError: string | null = null;
    while (attempts < config.maxAttempts && !this.stopped) {
      if (attempts > 0) await new Promise((r) => setTimeout(r, config.backoffMs * 2 ** (attempts - 1)));
      attempts++;
      try {
        const res = await fetch(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'execwatch-notify' },
          body: this.body(event),
          signal: AbortSignal.timeout(config.timeoutMs),
          redirect: 'error',
        });
        lastStatus = res.status;
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) {
          await this.record(event, 'success', attempts, lastStatus, null);
          return;
        }
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastStatus = null;
        lastError = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? `no answer within ${config.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
      }
    }
    this.opts.log.warn('webhook notification failed', { event: event.event, attempts, error: lastError });
    await this.record(event, 'failure', attempts, lastStatus, lastError);
  }

  private async record(event: WebhookEvent, outcome: 'success' | 'failure', attempts: number, status: number | null, error: string | null): Promise<void> {
    const url = new URL(this.opts.config.url);
    const record: AuditEvent = {
      id: randomUUID(),
      '@timestamp': new Date(this.opts.now()).toISOString(),
      user: event.actor,
      source_ip: null,
      action: WEBHOOK_AUDIT_ACTION,
      outcome,
      target: { type: 'alert', id: event.alerts[0]?.id ?? null },
      before: null,
      // the receiver's host only: a webhook URL often carries its secret in the path
      after: { event: event.event, alerts_count: event.alerts_count, receiver: url.host, format: this.opts.config.format, attempts, status, error },
    };
    try {
      await this.opts.audit.append(record);
    } catch (err) {
      this.opts.log.error('audit append failed', { action: WEBHOOK_AUDIT_ACTION, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
