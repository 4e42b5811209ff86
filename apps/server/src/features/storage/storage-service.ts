/**
 * The store over time: retention in force (the environment's, or an admin's setting kept in the store), the
 * background task that deletes what outlived it, the store's size and growth, and the disk guard.
 */
import { MAX_RETENTION_MS, MIN_RETENTION_MS, retentionMs, retentionText, type DiskState, type RetentionInForce, type StoreSettings, type StoreStats } from '@execwatch/api';
import type { Logger } from '../../log';
import type { RetentionPolicy, Store } from '../../store/ports';
import { guardStore, type DiskGuard } from './disk-guard';

const DAY_MS = 86_400_000;
const SETTINGS_KEY = 'store.retention';

/**
 * Rows per deletion transaction: about 10 ms of work (the alert list's longest pause with deletion beside it
 * went from 4 to 28 ms at 2,000 rows), and still far more rows a second than the demo ingests.
 */
export const RETENTION_BATCH_ROWS = 1000;

export interface RetentionDefaults {
  /** EXECWATCH_EVENTS_RETENTION, ms (default 7 days). */
  eventsRetentionMs: number;
  /** EXECWATCH_ALERTS_RETENTION, ms (default 365 days). */
  alertsRetentionMs: number;
}

export const RETENTION_DEFAULTS: RetentionDefaults = { eventsRetentionMs: 7 * DAY_MS, alertsRetentionMs: 365 * DAY_MS };

interface StoredRetentionSettings {
  events_retention: string | null;
  alerts_retention: string | null;
}

export interface StorageServiceOptions {
  store: Store;
  log: Logger;
  now: () => number;
  defaults?: RetentionDefaults;
  diskGuard?: DiskGuard | null;
  /** Rows per deletion batch (default RETENTION_BATCH_ROWS). */
  batchRows?: number;
  /** Pause between batches, ms (default 10): ingest and triage go between them. */
  pauseMs?: number;
}

export interface RetentionPassResult {
  at: number;
  events_deleted: number;
  alerts_deleted: number;
  took_ms: number;
}

/** A retention setting that is out of range (the route answers 400). */
export class RetentionSettingError extends Error {
  override name = 'RetentionSettingError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class StorageService {
  readonly diskGuard: DiskGuard | null;
  private readonly defaults: RetentionDefaults;
  private readonly batchRows: number;
  private readonly pauseMs: number;
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<RetentionPassResult | null> | null = null;
  private stopping = false;
  private last: RetentionPassResult | null = null;

  constructor(private readonly opts: StorageServiceOptions) {
    this.defaults = opts.defaults ?? RETENTION_DEFAULTS;
    this.diskGuard = opts.diskGuard ?? null;
    this.batchRows = opts.batchRows ?? RETENTION_BATCH_ROWS;
    this.pauseMs = opts.pauseMs ?? 10;
    if (this.diskGuard) guardStore(opts.store, this.diskGuard);
  }

  /** The disk guard's state for health (null: no guard, e.g. on a cluster). */
  disk(): DiskState | null {
    return this.diskGuard?.state() ?? null;
  }

  private async stored(): Promise<StoredRetentionSettings> {
    const s = await this.opts.store.settings.get<Partial<StoredRetentionSettings>>(SETTINGS_KEY);
    return { events_retention: s?.events_retention ?? null, alerts_retention: s?.alerts_retention ?? null };
  }

  /** The retention in force: an admin's setting where there is one, else the environment's. */
  async retention(): Promise<{ policy: RetentionPolicy; inForce: RetentionInForce }> {
    const s = await this.stored();
    const eventsSetting = s.events_retention === null ? null : retentionMs(s.events_retention);
    const alertsSetting = s.alerts_retention === null ? null : retentionMs(s.alerts_retention);
    const policy = { eventsMs: eventsSetting ?? this.defaults.eventsRetentionMs, alertsMs: alertsSetting ?? this.defaults.alertsRetentionMs };
    return {
      policy,
      inForce: {
        events: retentionText(policy.eventsMs),
        alerts: retentionText(policy.alertsMs),
        events_source: eventsSetting === null ? 'environment' : 'setting',
        alerts_source: alertsSetting === null ? 'environment' : 'setting',
        enforced_by: this.opts.store.retention?.enforcedBy ?? 'execwatch',
      },
    };
  }

  /** Changes the retention (null: back to the environment's); returns the retention before and after. */
  async updateSettings(change: StoreSettings): Promise<{ before: RetentionInForce; after: RetentionInForce }> {
    for (const [field, text] of [['events_retention', change.events_retention], ['alerts_retention', change.alerts_retention]] as const) {
      if (text === undefined || text === null) continue;
      const ms = retentionMs(text);
      if (ms === null || ms < MIN_RETENTION_MS || ms > MAX_RETENTION_MS) throw new RetentionSettingError(`body.${field}: must be from ${retentionText(MIN_RETENTION_MS)} to ${retentionText(MAX_RETENTION_MS)}`);
    }
    const before = (await this.retention()).inForce;
    const current = await this.stored();
    const next: StoredRetentionSettings = {
      events_retention: change.events_retention === undefined ? current.events_retention : change.events_retention,
      alerts_retention: change.alerts_retention === undefined ? current.alerts_retention : change.alerts_retention,
    };
    await this.opts.store.settings.set(SETTINGS_KEY, next);
    // a shorter retention takes effect now, not at the next scheduled pass
    if (this.timer) void this.runPass();
    return { before, after: (await this.retention()).inForce };
  }

  /**
   * Deletes, batch after batch, everything past its retention; between batches it pauses, so ingest and
   * triage never wait for more than one. One pass at a time: a second call joins the running one.
   */
  runPass(): Promise<RetentionPassResult | null> {
    return (this.pass ??= this.passOnce().finally(() => (this.pass = null)));
  }

  private async passOnce(): Promise<RetentionPassResult | null> {
    const retention = this.opts.store.retention;
    if (!retention) return null;
    const started = performance.now();
    const { policy } = await this.retention();
    const now = this.opts.now();
    let events = 0;
    let alerts = 0;
    try {
      for (;;) {
        const batch = await retention.deleteBatch(policy, now, this.batchRows);
        events += batch.events;
        alerts += batch.alerts;
        if (!batch.more || this.stopping) break;
        await sleep(this.pauseMs);
      }
    } catch (err) {
      this.opts.log.warn('retention pass failed; the next one goes on from where it stopped', { error: err instanceof Error ? err.message : String(err), events_deleted: events, alerts_deleted: alerts });
    }
    const result = { at: now, events_deleted: events, alerts_deleted: alerts, took_ms: Math.round(performance.now() - started) };
    if (events + alerts > 0) this.opts.log.info('retention pass', { ...result, events_retention: retentionText(policy.eventsMs), alerts_retention: retentionText(policy.alertsMs) });
    this.last = result;
    return result;
  }

  /** The store's size and growth, the retention in force and the disk guard's state. */
  async stats(): Promise<StoreStats> {
    const now = this.opts.now();
    const { policy, inForce } = await this.retention();
    const u = await this.opts.store.retention?.usage(now);
    const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString());
    // at steady state the store holds `retention` days of events at today's rate
    const projected =
      u && u.bytesPerEvent !== null && u.eventsPerDay !== null ? Math.round(u.bytesPerEvent * u.eventsPerDay * (policy.eventsMs / DAY_MS)) : null;
    return {
      store: this.opts.store.kind,
      size_bytes: u?.sizeBytes ?? null,
      reusable_bytes: u?.reusableBytes ?? null,
      events: u?.events ?? null,
      events_exact: u?.eventsExact ?? false,
      oldest_event: iso(u?.oldestEvent),
      events_per_day: u?.eventsPerDay ?? null,
      projected_bytes: projected,
      alerts: u?.alerts ?? null,
      oldest_alert: iso(u?.oldestAlert),
      retention: inForce,
      last_pass: this.last ? { ...this.last, at: new Date(this.last.at).toISOString() } : null,
      disk: this.disk(),
    };
  }

  /** Starts the disk guard and a retention pass every `intervalMs` (the first at once). */
  start(intervalMs = 60_000): void {
    this.stopping = false;
    this.diskGuard?.start();
    if (this.timer) return;
    void this.runPass();
    this.timer = setInterval(() => void this.runPass(), intervalMs);
    this.timer.unref();
  }

  /** Stops both; a running pass ends after its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.diskGuard?.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
  }
}
