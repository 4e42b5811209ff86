/**
 * What the shell did, kept on the alert: each exec alert's session is scored when a rule run creates the alert,
 * and scored again while the session goes on (its commands keep arriving after the alert).
 */
import type { Logger } from '../../log';
import { sessionEventLimit } from '../../services/alerts/session-service';
import { num, str } from '../../services/detection/get-field';
import type { Doc, StoredAlert, Store } from '../../store/ports';
import { setPaths } from '../../store/set-paths';
import { storedSession } from './alert-fields';
import { scoreSession } from './score';

/** Sessions are scored again while their alert is younger than this (long interactive sessions included). */
const LIVE_FOR_MS = 2 * 60 * 60_000;
/** Alerts looked at per pass, newest first. */
const LIVE_ALERTS_PER_PASS = 500;

export interface SessionRiskServiceOptions {
  store: Store;
  log: Logger;
  now: () => number;
}

interface SessionKey {
  leader: string;
  start: string | number | undefined;
}

function sessionKeyOf(doc: Doc): SessionKey | null {
  const leader = str(doc, 'process.entry_leader.entity_id');
  if (!leader) return null;
  return { leader, start: str(doc, 'process.entry_leader.start') ?? num(doc, 'process.entry_leader.start') ?? undefined };
}

export class SessionRiskService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly opts: SessionRiskServiceOptions) {}

  /** New alerts with their session's score (alerts without a session as they are). */
  async withSessionRisk(alerts: readonly StoredAlert[]): Promise<StoredAlert[]> {
    const out: StoredAlert[] = [];
    for (const alert of alerts) {
      const session = await this.sessionFields(alert.doc);
      out.push(session ? { ...alert, doc: setPaths(alert.doc, session.fields) } : alert);
    }
    return out;
  }

  /** Scores a stored alert's session again; true when its score was written (the session had grown). */
  async rescore(alert: StoredAlert): Promise<boolean> {
    const key = sessionKeyOf(alert.doc);
    if (!key) return false;
    // the number of stored events is cheap to read; only a session that grew is read and scored again
    const size = await this.opts.store.events.sessionSize(key.leader, key.start);
    if (size === num(alert.doc, 'execwatch.session.event_count')) return false;
    const session = await this.sessionFields(alert.doc, size);
    if (!session) return false;
    await this.opts.store.alerts.setFields(alert.id, session.fields);
    return true;
  }

  /** One pass over the open alerts of recent sessions; returns how many were scored again. */
  async rescoreLive(): Promise<number> {
    const now = this.opts.now();
    const { alerts } = await this.opts.store.alerts.search({
      filter: { from: new Date(now - LIVE_FOR_MS).toISOString(), status: ['open', 'acknowledged'] },
      sort: { field: '@timestamp', order: 'desc' },
      page: 1,
      size: LIVE_ALERTS_PER_PASS,
    });
    let changed = 0;
    for (const alert of alerts) if (await this.rescore(alert)) changed++;
    return changed;
  }

  /** Scores live sessions again every `intervalMs` until stopped. */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.rescoreLive()
        .catch((err: unknown) => this.opts.log.warn('session re-scoring failed', { error: err instanceof Error ? err.message : String(err) }))
        .finally(() => (this.running = null));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** `execwatch.session` from the session's events; `size` is their number when the caller has read it. */
  private async sessionFields(doc: Doc, size?: number): Promise<{ fields: Record<string, unknown> } | null> {
    const key = sessionKeyOf(doc);
    if (!key) return null;
    const eventCount = size ?? (await this.opts.store.events.sessionSize(key.leader, key.start));
    const { events } = await this.opts.store.events.sessionEvents(key.leader, sessionEventLimit, key.start);
    // the alert's own process is part of its session even when its event is not stored with the others
    const processes = [doc, ...events.map((e) => e._source)];
    const entryStart = str(doc, 'process.entry_leader.start') ?? str(doc, 'process.start');
    const score = scoreSession(processes, { entryStart });
    // event_count: what the session had when scored, so a pass scores again only a session that grew
    const session = { ...storedSession(score, this.opts.now()), event_count: eventCount };
    return { fields: { 'execwatch.session': session } };
  }
}
