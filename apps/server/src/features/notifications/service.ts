/**
 * Working as a team: who an alert may be assigned to (known, enabled users), the in-app inbox (assignments and
 * `@mentions` in notes) and the optional outbound webhook (assignments, new high-risk alerts).
 */
import { randomUUID } from 'node:crypto';
import {
  mentionsIn,
  type ListNotificationsQuery,
  type ListNotificationsResponse,
  type MarkNotificationsRead,
  type MarkNotificationsReadResponse,
  type Notification,
  type SuggestUsersQuery,
  type SuggestUsersResponse,
} from '@execwatch/api';
import { badRequest } from '../../http/errors';
import type { Logger } from '../../log';
import type { NotificationRecord, StoredAlert, Store, UserRecord } from '../../store/ports';
import { num, str } from '../../services/detection/get-field';
import { HIGH_RISK_THRESHOLD } from '../session-risk/score';
import type { WebhookEvent, WebhookNotifier } from './webhook';

const SNIPPET = 140;
/** Alerts a webhook message names one by one (a bulk assignment names how many in all). */
const LISTED_ALERTS = 20;

const snippet = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET ? `${flat.slice(0, SNIPPET - 1)}…` : flat;
};

function present(r: NotificationRecord): Notification {
  return { id: r.id, kind: r.kind, actor: r.actor, alert_id: r.alert_id, alerts_count: r.alerts_count, text: r.text, created_at: new Date(r.created_at).toISOString(), read: r.read_at !== null };
}

const alertFacts = (a: StoredAlert) => ({
  id: a.id,
  rule: str(a.doc, 'kibana.alert.rule.name'),
  severity: str(a.doc, 'kibana.alert.severity'),
  risk_score: num(a.doc, 'execwatch.session.risk_score'),
});

export interface NotificationsServiceOptions {
  store: Store;
  log: Logger;
  now: () => number;
  webhook: WebhookNotifier | null;
}

export class NotificationsService {
  constructor(private readonly opts: NotificationsServiceOptions) {}

  private async enabledUsers(): Promise<UserRecord[]> {
    return (await this.opts.store.users.list()).filter((u) => u.enabled);
  }

  /** Refuses (400, naming them) assignees that are not known, enabled users. */
  async requireAssignable(names: readonly string[] | undefined): Promise<void> {
    if (!names || names.length === 0) return;
    const known = new Set((await this.enabledUsers()).map((u) => u.username));
    const unknown = [...new Set(names)].filter((n) => !known.has(n));
    if (unknown.length > 0) {
      throw badRequest(`assignees: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a known, enabled user' : 'are not known, enabled users'}`, { unknown_assignees: unknown });
    }
  }

  /** Users matching `q` (start of the username or of a word of the full name first), names only. */
  async suggest(q: SuggestUsersQuery): Promise<SuggestUsersResponse> {
    const needle = (q.q ?? '').trim().toLowerCase();
    const rank = (u: UserRecord): number => {
      if (!needle) return 1;
      const name = u.username.toLowerCase();
      const full = (u.full_name ?? '').toLowerCase();
      if (name.startsWith(needle)) return 0;
      if (full.split(/\s+/).some((w) => w.startsWith(needle))) return 1;
      if (name.includes(needle) || full.includes(needle)) return 2;
      return -1;
    };
    const users = (await this.enabledUsers())
      .filter((u) => !u.roles.every((r) => r === 'ingest'))
      .map((u) => ({ u, r: rank(u) }))
      .filter((x) => x.r >= 0)
      .sort((a, b) => a.r - b.r || a.u.username.localeCompare(b.u.username))
      .slice(0, q.size);
    return { users: users.map(({ u }) => ({ username: u.username, full_name: u.full_name })) };
  }

  /** Tells the new assignees of alerts (not the one who assigned them) in their inbox, and the webhook. */
  async assigned(alerts: { first: StoredAlert | null; count: number }, assignees: readonly string[], actor: string): Promise<void> {
    const recipients = [...new Set(assignees)].filter((u) => u !== actor);
    if (recipients.length === 0 || alerts.count === 0) return;
    const facts = alerts.first ? alertFacts(alerts.first) : null;
    const what = alerts.count === 1 ? (facts?.rule ?? 'an alert') : `${alerts.count} alerts`;
    const at = this.opts.now();
    await this.opts.store.notifications.add(
      recipients.map((recipient) => ({ id: randomUUID(), recipient, kind: 'assigned', actor, alert_id: facts?.id ?? null, alerts_count: alerts.count, text: what, created_at: at, read_at: null })),
    );
    this.opts.webhook?.send({
      event: 'alert.assigned',
      text: `${actor} assigned ${alerts.count === 1 ? `the alert "${what}"` : what} to ${recipients.join(', ')}`,
      actor,
      alerts: facts ? [facts] : [],
      alerts_count: alerts.count,
      assignees: recipients,
    });
  }

  /** Tells the known users a note `@mentions` (not its author). */
  async mentioned(alertId: string, noteId: string, text: string, author: string): Promise<void> {
    const named = mentionsIn(text).filter((u) => u !== author);
    if (named.length === 0) return;
    const known = new Set((await this.enabledUsers()).map((u) => u.username));
    const at = this.opts.now();
    await this.opts.store.notifications.add(
      named.filter((u) => known.has(u)).map((recipient) => ({ id: `mention:${noteId}:${recipient}`, recipient, kind: 'mentioned', actor: author, alert_id: alertId, alerts_count: 1, text: snippet(text), created_at: at, read_at: null })),
    );
  }

  /** Sends new alerts of high session risk to the webhook, each once (across instances and reruns). */
  async newAlerts(alerts: readonly StoredAlert[]): Promise<void> {
    const webhook = this.opts.webhook;
    if (!webhook) return;
    const high: StoredAlert[] = [];
    for (const a of alerts) {
      if ((num(a.doc, 'execwatch.session.risk_score') ?? 0) < HIGH_RISK_THRESHOLD) continue;
      if (await this.opts.store.notifications.claimDelivery(`high_risk:${a.id}`, this.opts.now())) high.push(a);
    }
    for (let i = 0; i < high.length; i += LISTED_ALERTS) {
      const batch = high.slice(i, i + LISTED_ALERTS).map(alertFacts);
      const first = batch[0];
      const event: WebhookEvent = {
        event: 'alert.high_risk',
        text: batch.length === 1 && first ? `High-risk session (risk ${first.risk_score ?? '?'}): ${first.rule ?? 'alert'} ${first.id.slice(0, 8)}` : `${batch.length} new high-risk sessions (risk ${HIGH_RISK_THRESHOLD} or more)`,
        actor: null,
        alerts: batch,
        alerts_count: batch.length,
      };
      webhook.send(event);
    }
  }

  async list(user: string, q: ListNotificationsQuery): Promise<ListNotificationsResponse> {
    const { unread, notifications } = await this.opts.store.notifications.list(user, { unreadOnly: q.unread === 'true', size: q.size });
    return { unread, notifications: notifications.map(present) };
  }

  async markRead(user: string, body: MarkNotificationsRead): Promise<MarkNotificationsReadResponse> {
    const marked = await this.opts.store.notifications.markRead(user, body.all ? 'all' : (body.ids ?? []), this.opts.now());
    const { unread } = await this.opts.store.notifications.list(user, { unreadOnly: true, size: 1 });
    return { marked, unread };
  }
}
