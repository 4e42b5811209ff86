/**
 * Who ran the exec, kept on the alert: attributes exec alerts when a rule run creates them, and again when
 * audit events of their pod arrive later (shippers batch them; a long session's last stage comes at its end).
 */
import type { Logger } from '../../log';
import { getField, str, strings } from '../../services/detection/get-field';
import { randomUUID } from 'node:crypto';
import type { Doc, EventHit, ExceptionItemForMatching, StoredAlert, Store } from '../../store/ports';
import { setPaths } from '../../store/set-paths';
import { attributionAlertFields } from './alert-fields';
import { matchAlertItems } from './identity-exceptions';
import { attribute, DEFAULT_WINDOWS, type AttributeOptions, type ExecTarget } from './join';

/** The widest window any subresource uses, so one read of the pod's audit events serves every candidate. */
const READ_BEFORE_MS = Math.max(...Object.values(DEFAULT_WINDOWS).map((w) => w.beforeMs));
const READ_AFTER_MS = Math.max(...Object.values(DEFAULT_WINDOWS).map((w) => w.afterMs));
/** Audit events read for one alert at the most (several stages of each request, a busy pod). */
const AUDIT_EVENTS_PER_ALERT = 500;
/** Audit events the follower reads per pass, and alerts it looks at per pod. */
const FOLLOW_BATCH = 2000;
const PODS_PER_LOOKUP = 500;
const ALERTS_PER_LOOKUP = 500;
const ANY_AUDIT_CACHE_MS = 30_000;

export interface AttributionServiceOptions {
  store: Store;
  log: Logger;
  now: () => number;
  windows?: AttributeOptions['windows'];
  /** The active exception items of a rule that name who ran the exec (matched against alerts). */
  alertExceptionsFor?: (ruleId: string) => Promise<ExceptionItemForMatching[]>;
}

/** Who the server acts as when an exception closes an alert. */
export const SYSTEM_ACTOR = 'execwatch';

/** The exec alert's side of the join, or null for alerts that are not about a pod session. */
export function execTargetOf(doc: Doc): ExecTarget | null {
  const namespace = str(doc, 'orchestrator.namespace');
  const pod = str(doc, 'orchestrator.resource.name');
  const startText = str(doc, 'process.entry_leader.start') ?? str(doc, 'process.start');
  const entryStart = startText === null ? NaN : Date.parse(startText);
  if (namespace === null || pod === null || !Number.isFinite(entryStart)) return null;
  return {
    cluster: str(doc, 'orchestrator.cluster.name') ?? undefined,
    namespace,
    pod,
    container: str(doc, 'container.name') ?? undefined,
    entryArgs: strings(doc, 'process.entry_leader.args'),
    entryStart,
  };
}

/** What decides whether a stored attribution changed (its time of writing aside). */
function fingerprint(doc: Doc): string {
  const stored = getField(doc, 'execwatch.attribution');
  if (stored === null || typeof stored !== 'object') return '';
  const { attributed_at: _at, ...rest } = stored as Doc; // an object, checked above
  return JSON.stringify([rest, getField(doc, 'kubernetes.audit.auditID') ?? null]);
}

export class AttributionService {
  private cursor: string | null = null;
  private cursorLoaded = false;
  private anyAudit: { value: boolean; at: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private following: Promise<unknown> | null = null;

  constructor(private readonly opts: AttributionServiceOptions) {}

  /** New alerts with their attribution from the audit events stored now (alerts not about a pod session as they are). */
  async withAttribution(alerts: readonly StoredAlert[]): Promise<StoredAlert[]> {
    const out: StoredAlert[] = [];
    for (const alert of alerts) {
      const fields = await this.attributionFields(alert.doc);
      out.push(fields ? { ...alert, doc: setPaths(alert.doc, fields) } : alert);
    }
    return out;
  }

  /**
   * Attributes a stored alert again from the audit events stored now; true when its attribution changed. An
   * open alert whose new attribution matches an exception on who ran the exec is closed, naming the exception.
   */
  async attributeOne(alert: StoredAlert): Promise<boolean> {
    const fields = await this.attributionFields(alert.doc);
    if (!fields) return false;
    const before = fingerprint(alert.doc);
    if (before !== '' && before === fingerprint(setPaths(alert.doc, fields))) return false;
    const updated = await this.opts.store.alerts.setFields(alert.id, fields);
    if (updated) await this.applyAlertExceptions(updated);
    return true;
  }

  private async applyAlertExceptions(alert: StoredAlert): Promise<void> {
    const ruleId = str(alert.doc, 'kibana.alert.rule.rule_id');
    const status = str(alert.doc, 'kibana.alert.workflow_status') ?? 'open';
    if (!ruleId || status === 'closed' || !this.opts.alertExceptionsFor) return;
    const now = this.opts.now();
    const item = matchAlertItems(await this.opts.alertExceptionsFor(ruleId), now)(alert.doc);
    if (!item) return;
    const who = str(alert.doc, 'kubernetes.audit.user.username') ?? 'the attributed user';
    const text = `closed by exception ${item.item_id} of list ${item.list_id}: the exec was attributed to ${who}`;
    const closed = await this.opts.store.alerts.update(alert.id, { status: 'closed', reason: 'matched_exception', reason_text: text, user: SYSTEM_ACTOR, at: now });
    if (!closed) return;
    await this.opts.store.exceptions.recordHits({ [item.id]: 1 }, now);
    await this.opts.store.audit.append({
      id: randomUUID(),
      '@timestamp': new Date(now).toISOString(),
      user: SYSTEM_ACTOR,
      source_ip: null,
      action: 'alert.close_by_exception',
      outcome: 'success',
      target: { type: 'alert', id: alert.id },
      before: { status },
      after: { status: 'closed', reason: 'matched_exception', exception: { id: item.id, item_id: item.item_id, list_id: item.list_id }, requested_by: who },
    });
    this.opts.log.info('alert closed by an exception on who ran the exec', { alert_id: alert.id, item_id: item.item_id, requested_by: who });
  }

  /** The alert fields of an attribution made now: each subtree replaced whole (null removes a previous match). */
  private async attributionFields(doc: Doc): Promise<Record<string, unknown> | null> {
    const target = execTargetOf(doc);
    if (!target) return null;
    const docs = await this.opts.store.kubeAudit.forPod({
      namespace: target.namespace,
      pod: target.pod,
      from: target.entryStart - READ_BEFORE_MS,
      to: target.entryStart + READ_AFTER_MS,
      limit: AUDIT_EVENTS_PER_ALERT,
    });
    const result = attribute(target, docs.map((d) => d._source), { clusterHasAuditEvents: docs.length > 0 || (await this.anyAuditEvents()), windows: this.opts.windows });
    const fields = attributionAlertFields(result, new Date(this.opts.now()).toISOString());
    return { 'execwatch.attribution': fields.execwatch.attribution, 'kubernetes.audit': fields.kubernetes?.audit ?? null };
  }

  /**
   * One pass over the audit events stored since the last pass: the alerts of their pods whose sessions
   * started near them are attributed again. Returns what was read and changed.
   */
  async followOnce(): Promise<{ events: number; alerts: number }> {
    if (!this.cursorLoaded) {
      this.cursor = await this.opts.store.settings.get<string>(CURSOR_KEY);
      this.cursorLoaded = true;
    }
    const { events, cursor } = await this.opts.store.kubeAudit.since(this.cursor, FOLLOW_BATCH);
    if (events.length === 0) return { events: 0, alerts: 0 };
    this.anyAudit = { value: true, at: this.opts.now() };
    const pods = podsOf(events);
    let changed = 0;
    // one look-up for all the pods of the batch: a request comes at most READ_AFTER_MS after its session's start,
    // and an alert is created after that start, so no alert created before earliest - READ_AFTER_MS is about them
    const earliest = Math.min(...[...pods.values()].flat());
    const keys = [...pods.keys()].map((k) => JSON.parse(k) as [string, string]); // written by podsOf
    for (let i = 0; i < keys.length; i += PODS_PER_LOOKUP) {
      const chunk = keys.slice(i, i + PODS_PER_LOOKUP);
      const filter = { from: new Date(earliest - READ_AFTER_MS).toISOString(), namespace: [...new Set(chunk.map((k) => k[0]))], pod: [...new Set(chunk.map((k) => k[1]))] };
      for (let page = 1; ; page++) {
        const { alerts } = await this.opts.store.alerts.search({ filter, sort: { field: '@timestamp', order: 'desc' }, page, size: ALERTS_PER_LOOKUP });
        for (const alert of alerts) {
          const target = execTargetOf(alert.doc);
          const times = target ? pods.get(JSON.stringify([target.namespace, target.pod])) : undefined;
          if (!target || !times) continue;
          const near = times.some((t) => t >= target.entryStart - READ_BEFORE_MS && t <= target.entryStart + READ_AFTER_MS);
          if (near && (await this.attributeOne(alert))) changed++;
        }
        if (alerts.length < ALERTS_PER_LOOKUP) break;
      }
    }
    this.cursor = cursor;
    await this.opts.store.settings.set(CURSOR_KEY, cursor);
    return { events: events.length, alerts: changed };
  }

  /** Follows audit events every `intervalMs` until stopped. */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.following) return;
      this.following = this.followAll()
        .catch((err: unknown) => this.opts.log.warn('attribution follower pass failed', { error: err instanceof Error ? err.message : String(err) }))
        .finally(() => (this.following = null));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.following;
  }

  /** Passes until the feed is drained. */
  private async followAll(): Promise<void> {
    for (;;) {
      const { events } = await this.followOnce();
      if (events < FOLLOW_BATCH) return;
    }
  }

  private async anyAuditEvents(): Promise<boolean> {
    const now = this.opts.now();
    if (this.anyAudit && (this.anyAudit.value || now - this.anyAudit.at < ANY_AUDIT_CACHE_MS)) return this.anyAudit.value;
    const value = await this.opts.store.kubeAudit.any();
    this.anyAudit = { value, at: now };
    return value;
  }
}

const CURSOR_KEY = 'attribution.follower_cursor';

/** The pods the audit events are about, each with the times of its events. */
function podsOf(events: readonly EventHit[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of events) {
    const namespace = str(e._source, 'kubernetes.audit.objectRef.namespace');
    const pod = str(e._source, 'kubernetes.audit.objectRef.name');
    const t = Date.parse(str(e._source, 'kubernetes.audit.requestReceivedTimestamp') ?? str(e._source, '@timestamp') ?? '');
    if (namespace === null || pod === null || !Number.isFinite(t)) continue;
    const key = JSON.stringify([namespace, pod]);
    const times = out.get(key);
    if (times) times.push(t);
    else out.set(key, [t]);
  }
  return out;
}
