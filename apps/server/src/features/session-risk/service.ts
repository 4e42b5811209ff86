/**
 * What the shell did, kept on the alert: each exec alert's session is scored when a rule run creates the alert,
 * and scored again while the session goes on (its commands keep arriving after the alert).
 */
import type { Logger } from '../../log';
import { sessionEventLimit } from '../../services/alerts/session-service';
import type { RelatedSessionAlert } from '@execwatch/api';
import { getField, num, str } from '../../services/detection/get-field';
import type { Doc, StoredAlert, Store } from '../../store/ports';
import { setPaths } from '../../store/set-paths';
import { storedSession } from './alert-fields';
import { scoreSession, type SessionBehavior, type SessionScore } from './score';

/** Sessions are scored again while their alert is younger than this (long interactive sessions included). */
const LIVE_FOR_MS = 2 * 60 * 60_000;
/** Alerts looked at per pass, newest first. */
const LIVE_ALERTS_PER_PASS = 500;
/**
 * Time a background pass may spend scoring (every 5 s in the server: a twentieth of one core). What it
 * does not reach, the next pass does: unscored alerts first.
 */
export const PASS_BUDGET_MS = 250;

/** Alerts of other rules read per session, and kept on the alert. */
const RELATED_ALERTS_READ = 50;
const RELATED_ALERTS_KEPT = 10;
/** What one other rule's alert in the session weighs, as a behaviour (three at the most count). */
const RELATED_ALERT_WEIGHT = 20;
const RELATED_ALERTS_COUNTED = 3;

/**
 * The score with other rules' alerts in the session counted as one more behaviour: each weighs
 * RELATED_ALERT_WEIGHT, combined as the scorer combines behaviours (1 - product of (1 - w/100)).
 */
export function withRelatedAlerts(score: SessionScore, related: readonly RelatedSessionAlert[]): SessionScore {
  if (related.length === 0) return score;
  const counted = Math.min(related.length, RELATED_ALERTS_COUNTED);
  const remaining = (1 - score.risk_score / 100) * (1 - RELATED_ALERT_WEIGHT / 100) ** counted;
  const weight = Math.round(100 * (1 - (1 - RELATED_ALERT_WEIGHT / 100) ** counted));
  const names = [...new Set(related.map((r) => r.rule_name ?? r.rule_id ?? 'another rule'))];
  const behavior: SessionBehavior = {
    id: 'correlated.other_rules',
    title: `Other detections in this session: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`,
    technique_id: 'T1609',
    technique_name: 'Container Administration Command',
    weight,
    match_count: related.length,
    evidence: [],
  };
  const behaviors = [...score.behaviors, behavior].sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));
  return { ...score, risk_score: Math.min(100, Math.round(100 * (1 - remaining))), behaviors };
}

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

  /**
   * New alerts with their session's score, as many as `budgetMs` allows (at least one): a rule run must not
   * wait for thousands of long sessions. Alerts left unscored are scored by the next background pass.
   */
  async withSessionRisk(alerts: readonly StoredAlert[], budgetMs = Number.POSITIVE_INFINITY): Promise<StoredAlert[]> {
    const started = performance.now();
    const out: StoredAlert[] = [];
    for (const alert of alerts) {
      const session = out.length === 0 || performance.now() - started < budgetMs ? await this.sessionFields(alert.doc) : null;
      out.push(session ? { ...alert, doc: setPaths(alert.doc, session.fields) } : alert);
    }
    return out;
  }

  /** Scores a stored alert's session again; true when its score was written (the session had grown). */
  async rescore(alert: StoredAlert): Promise<boolean> {
    const key = sessionKeyOf(alert.doc);
    if (!key) return false;
    // the number of stored events is cheap to read; only a session that grew (or got another rule's alert) is
    // read and scored again
    const size = await this.opts.store.events.sessionSize(key.leader, key.start);
    const related = await this.relatedAlerts(alert.doc, key.leader);
    const storedRelated = getField(alert.doc, 'execwatch.session.related_alerts');
    if (size === num(alert.doc, 'execwatch.session.event_count') && related.length === (Array.isArray(storedRelated) ? storedRelated.length : 0)) return false;
    const session = await this.sessionFields(alert.doc, size, related);
    if (!session) return false;
    await this.opts.store.alerts.setFields(alert.id, session.fields);
    return true;
  }

  /**
   * One pass over the open alerts of recent sessions, unscored ones first, for at most `budgetMs` (at least one
   * alert is scored); returns how many were scored.
   */
  async rescoreLive(budgetMs = PASS_BUDGET_MS): Promise<number> {
    const started = performance.now();
    const now = this.opts.now();
    const { alerts } = await this.opts.store.alerts.search({
      filter: { from: new Date(now - LIVE_FOR_MS).toISOString(), status: ['open', 'acknowledged'] },
      sort: { field: '@timestamp', order: 'desc' },
      page: 1,
      size: LIVE_ALERTS_PER_PASS,
    });
    const unscored = alerts.filter((a) => num(a.doc, 'execwatch.session.risk_score') === null);
    const scored = alerts.filter((a) => num(a.doc, 'execwatch.session.risk_score') !== null);
    let changed = 0;
    for (const alert of [...unscored, ...scored]) {
      if (changed > 0 && performance.now() - started >= budgetMs) break;
      if (await this.rescore(alert)) changed++;
    }
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

  /** Alerts of other rules in the same session, newest first (a few: each adds to the risk). */
  private async relatedAlerts(doc: Doc, leader: string): Promise<RelatedSessionAlert[]> {
    const ruleId = str(doc, 'kibana.alert.rule.rule_id');
    const { alerts } = await this.opts.store.alerts.search({ filter: { session_id: [leader] }, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: RELATED_ALERTS_READ });
    return alerts
      .filter((a) => str(a.doc, 'kibana.alert.rule.rule_id') !== ruleId)
      .slice(0, RELATED_ALERTS_KEPT)
      .map((a) => ({ id: a.id, rule_id: str(a.doc, 'kibana.alert.rule.rule_id'), rule_name: str(a.doc, 'kibana.alert.rule.name'), severity: str(a.doc, 'kibana.alert.severity'), '@timestamp': str(a.doc, '@timestamp') }));
  }

  /** `execwatch.session` from the session's events; `size` and `related` when the caller has read them. */
  private async sessionFields(doc: Doc, size?: number, related?: RelatedSessionAlert[]): Promise<{ fields: Record<string, unknown> } | null> {
    const key = sessionKeyOf(doc);
    if (!key) return null;
    const eventCount = size ?? (await this.opts.store.events.sessionSize(key.leader, key.start));
    const relatedAlerts = related ?? (await this.relatedAlerts(doc, key.leader));
    const { processes: stored } = await this.opts.store.events.sessionProcesses(key.leader, sessionEventLimit, key.start);
    // the alert's own process is part of its session even when its event is not stored with the others
    const processes = [doc, ...stored];
    const entryStart = str(doc, 'process.entry_leader.start') ?? str(doc, 'process.start');
    const score = withRelatedAlerts(scoreSession(processes, { entryStart }), relatedAlerts);
    // event_count: what the session had when scored, so a pass scores again only a session that grew
    const session = { ...storedSession(score, this.opts.now(), relatedAlerts), event_count: eventCount };
    return { fields: { 'execwatch.session': session } };
  }
}
