/** Alert triage: list, stats, detail, updates (with the checklist gate), session, checklist and notes. */
import { randomUUID } from 'node:crypto';
import {
  AlertQuerySyntaxError,
  ErrorIds,
  parseAlertQuery,
  type Alert,
  type AlertDetail,
  type AlertFilter,
  type AlertStatsQuery,
  type AlertStatsResponse,
  type BulkUpdateAlerts,
  type BulkUpdateAlertsResponse,
  type ChecklistResponse,
  type CloseByException,
  type CloseByExceptionResponse,
  type ClosingReason,
  type ListAlertsQuery,
  type ListAlertsResponse,
  type Note,
  type UpdateAlert,
  type UpdateChecklistStep,
} from '@execwatch/api';
import { HttpError, badRequest, notFound } from '../../http/errors';
import { ALERT_LIST_FIELDS, presentAlert, presentAlertDetail } from '../../presenters/alert-presenter';
import type { AlertPatch, Doc, StoredAlert, Store } from '../../store/ports';
import type { EffectiveRule } from '../rules/rule-definition';
import type { RuleRegistry } from '../rules/rule-registry';
import { resolveDate, resolveRange } from '../dates';
import { num, str } from '../detection/get-field';
import { presentSession } from '../../features/session-risk/alert-fields';
import { HIGH_RISK_THRESHOLD } from '../../features/session-risk/score';
import type { NotificationsService } from '../../features/notifications/service';
import type { ChecklistService } from './checklist-service';
import { closeByException } from './close-by-exception';

/** Closing reasons that need the rule's required checklist steps done first. */
const gatedReasons = new Set<ClosingReason>(['false_positive', 'benign_positive']);
const bulkLookupChunk = 500;
const unlimited = Number.MAX_SAFE_INTEGER;

export interface AlertsServiceOptions {
  store: Store;
  registry: RuleRegistry;
  checklists: ChecklistService;
  now: () => number;
  /** Rule ids whose exception list is `listId` (closing by exception); none when not given. */
  rulesOfList?: (listId: string) => Promise<string[]>;
  /** Assignees must be known users; assignments and mentions go to their inboxes. */
  notifications?: NotificationsService;
}

/** The refusal of a gated close: names the missing steps by their text, as the checklist shows them. */
function requiredStepsIncomplete(missing: { id: string; text: string }[]): HttpError {
  const listed = missing.map((m) => `"${m.text.length > 140 ? `${m.text.slice(0, 139)}…` : m.text}"`).join('; ');
  const what = missing.length === 1 ? 'this required checklist step is' : `these ${missing.length} required checklist steps are`;
  return new HttpError(409, ErrorIds.requiredStepsIncomplete, `This alert can be closed as false or benign positive once ${what} done: ${listed}`, {
    missing_steps: missing.map((m) => m.id),
    missing: missing,
  });
}

/** The alert use cases behind the alerts routes. */
export class AlertsService {
  constructor(private readonly opts: AlertsServiceOptions) {}

  /** Resolves date math in a filter's from/to to ISO (the store only sees ISO) and checks the query syntax. */
  resolveFilter<F extends { from?: string; to?: string; query?: string }>(filter: F): F {
    if (filter.query !== undefined) {
      try {
        parseAlertQuery(filter.query);
      } catch (err) {
        if (err instanceof AlertQuerySyntaxError) throw badRequest(`query: ${err.message}`);
        throw err;
      }
    }
    const r = resolveRange(filter.from, filter.to, this.opts.now());
    return { ...filter, from: r.from === undefined ? undefined : new Date(r.from).toISOString(), to: r.to === undefined ? undefined : new Date(r.to).toISOString() };
  }

  filterFromQuery(q: Omit<ListAlertsQuery, 'size' | 'page' | 'sort_field' | 'sort_order'>): AlertFilter {
    return this.resolveFilter({
      from: q.from,
      to: q.to,
      query: q.query?.trim() ? q.query : undefined,
      status: q.status,
      severity: q.severity,
      rule_id: q.rule_id,
      namespace: q.namespace,
      image: q.image,
      user: q.user,
      requested_by: q.requested_by,
      attribution: q.attribution,
      min_session_risk: q.min_session_risk,
      assignee: q.assignee,
      tag: q.tag,
    });
  }

  async list(q: ListAlertsQuery, fields: Record<string, string> = {}): Promise<ListAlertsResponse> {
    const filter = this.filterFromQuery(q);
    if (Object.keys(fields).length > 0) filter.fields = fields;
    const { total, alerts } = await this.opts.store.alerts.search({ filter, sort: { field: q.sort_field, order: q.sort_order }, page: q.page, size: q.size, fields: [...ALERT_LIST_FIELDS] });
    return { total, page: q.page, size: q.size, alerts: await this.presentMany(alerts) };
  }

  async stats(q: AlertStatsQuery, fields: Record<string, string> = {}): Promise<AlertStatsResponse> {
    const filter = this.filterFromQuery(q);
    if (Object.keys(fields).length > 0) filter.fields = fields;
    const now = this.opts.now();
    const range = { from: filter.from ? Date.parse(filter.from) : now - 24 * 3_600_000, to: filter.to ? Date.parse(filter.to) : now };
    const s = await this.opts.store.alerts.stats(filter, { groupBy: q.group_by, groupsSize: q.groups_size, buckets: q.buckets, range });
    return {
      total: s.total,
      by_status: s.byStatus,
      histogram: { interval_ms: s.histogram.intervalMs, buckets: s.histogram.buckets },
      ...(s.groups ? { groups: s.groups.map((g) => ({ key: g.key, count: g.count, by_severity: g.bySeverity, by_status: g.byStatus })) } : {}),
    };
  }

  async get(id: string): Promise<AlertDetail> {
    const alert = await this.require(id);
    const [presented] = await this.presentMany([alert]);
    return presented ? { ...presented, document: alert.doc } : presentAlertDetail(alert, { checklist: { done: 0, total: 0, required_remaining: 0 }, notesCount: 0 });
  }

  /** Updates one alert; closing as false/benign positive needs the rule's required steps (409 otherwise). */
  async update(id: string, body: UpdateAlert, user: string): Promise<{ before: AlertDetail; after: AlertDetail }> {
    const before = await this.get(id);
    const status = body.status ?? before.workflow_status;
    const risk = before.session?.risk_score ?? 0;
    if (status === 'closed' && body.reason && gatedReasons.has(body.reason) && risk >= HIGH_RISK_THRESHOLD && !body.reason_text?.trim()) {
      const what = (before.session?.behaviors ?? []).slice(0, 3).map((b) => b.title).join('; ');
      throw new HttpError(400, ErrorIds.highRiskCommentRequired, `reason_text: this session scored ${risk} (${what}): closing it as ${body.reason.replace('_', ' ')} needs a comment saying why`, { risk_score: risk });
    }
    if (status === 'closed' && body.reason && gatedReasons.has(body.reason)) {
      const missing = await this.missingSteps(id, before.rule.rule_id, before.document);
      if (missing.length > 0) throw requiredStepsIncomplete(missing);
    }
    if (body.reason && status !== 'closed') throw badRequest('reason: a closing reason needs status "closed"');
    const added = body.assignees?.filter((u) => !before.assignees.includes(u)) ?? [];
    await this.opts.notifications?.requireAssignable(added);
    const patch: AlertPatch = {
      status: body.status,
      reason: body.reason ?? (body.status && body.status !== 'closed' ? null : undefined),
      reason_text: body.reason_text ?? (body.status && body.status !== 'closed' ? null : undefined),
      assignees: body.assignees,
      tags: body.tags,
      user,
      at: this.opts.now(),
    };
    const updated = await this.opts.store.alerts.update(id, patch);
    if (!updated) throw notFound(`alert ${id}`);
    if (added.length > 0) await this.notify(() => this.opts.notifications?.assigned({ first: updated, count: 1 }, added, user));
    return { before, after: await this.get(id) };
  }

  /** Bulk update by ids or by query, never capped at one page; gated closes skip incomplete alerts. */
  async bulkUpdate(body: BulkUpdateAlerts, user: string): Promise<BulkUpdateAlertsResponse> {
    if (body.reason && body.status !== 'closed') throw badRequest('reason: a closing reason needs status "closed"');
    await this.opts.notifications?.requireAssignable(body.add_assignees);
    const patch: AlertPatch = {
      status: body.status,
      reason: body.reason ?? (body.status && body.status !== 'closed' ? null : undefined),
      reason_text: body.reason_text ?? (body.status && body.status !== 'closed' ? null : undefined),
      add_tags: body.add_tags,
      remove_tags: body.remove_tags,
      add_assignees: body.add_assignees,
      remove_assignees: body.remove_assignees,
      user,
      at: this.opts.now(),
    };
    const gated = body.status === 'closed' && body.reason !== undefined && gatedReasons.has(body.reason);
    if (body.query && body.expected_total !== undefined) await this.guardSelection(body.query, body.expected_total);
    if (body.status === 'closed' && !body.dry_run) await this.guardHighRisk(body);
    if (!gated) {
      const target = body.ids ? { ids: [...new Set(body.ids)] } : { filter: this.resolveFilter(body.query ?? {}) };
      if (body.dry_run) {
        const total = body.ids ? new Set(body.ids).size : (await this.opts.store.alerts.search({ filter: this.resolveFilter(body.query ?? {}), sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 1 })).total;
        return { updated: total, skipped: 0, errors: [], skip_reasons: [], dry_run: true };
      }
      const { updated } = await this.opts.store.alerts.updateMany(target, patch);
      await this.notifyBulkAssigned(body, target, updated, user);
      return { updated, skipped: 0, errors: [], skip_reasons: [] };
    }
    const errors: BulkUpdateAlertsResponse['errors'] = [];
    const byRule = new Map<string, string[]>();
    if (body.ids) {
      const ids = [...new Set(body.ids)];
      for (let i = 0; i < ids.length; i += bulkLookupChunk) {
        const found = await Promise.all(ids.slice(i, i + bulkLookupChunk).map((id) => this.opts.store.alerts.get(id)));
        found.forEach((a, j) => {
          const id = ids[i + j] ?? '';
          if (!a) errors.push({ id, error: ErrorIds.notFound, message: `alert ${id} not found` });
          else this.push(byRule, str(a.doc, 'kibana.alert.rule.rule_id') ?? '', a.id);
        });
      }
    } else {
      const filter = this.resolveFilter(body.query ?? {});
      const ruleIds = filter.rule_id ?? (await this.opts.registry.list()).map((r) => r.rule_id);
      for (const ruleId of ruleIds) {
        const ids = await this.opts.store.alerts.ids({ ...filter, rule_id: [ruleId] }, unlimited);
        if (ids.length > 0) byRule.set(ruleId, ids);
      }
    }
    const allowed: string[] = [];
    let skipped = 0;
    for (const [ruleId, ids] of byRule) {
      const template = this.opts.checklists.template(await this.opts.registry.get(ruleId));
      for (let i = 0; i < ids.length; i += bulkLookupChunk) {
        const chunk = ids.slice(i, i + bulkLookupChunk);
        const done = await this.opts.store.checklists.doneCounts(chunk);
        for (const id of chunk) {
          if (this.opts.checklists.missingRequired(template, done[id] ?? []).length === 0) allowed.push(id);
          else skipped++;
        }
      }
    }
    const skipReasons = skipped > 0 ? [{ reason: ErrorIds.requiredStepsIncomplete, message: `${skipped} alert${skipped === 1 ? '' : 's'} left open: closing as ${(body.reason ?? '').replace('_', ' ')} needs the rule's required checklist steps done first`, count: skipped }] : [];
    if (body.dry_run) return { updated: allowed.length, skipped, errors, skip_reasons: skipReasons, dry_run: true };
    const { updated } = allowed.length > 0 ? await this.opts.store.alerts.updateMany({ ids: allowed }, patch) : { updated: 0 };
    return { updated, skipped, errors, skip_reasons: skipReasons };
  }

  /** Closes the alerts a saved exception matches now, with the closing reason `matched_exception` (close-by-exception.ts). */
  closeByException(body: CloseByException, user: string): Promise<CloseByExceptionResponse> {
    return closeByException({ store: this.opts.store, now: this.opts.now, rulesOfList: this.opts.rulesOfList ?? (async () => []) }, body, user);
  }

  async checklist(id: string): Promise<ChecklistResponse> {
    const alert = await this.require(id);
    const rule = await this.ruleOf(alert);
    return this.opts.checklists.forAlert(id, alert.doc, rule);
  }

  async setChecklistStep(id: string, stepId: string, body: UpdateChecklistStep, user: string): Promise<{ before: boolean; after: ChecklistResponse }> {
    const alert = await this.require(id);
    const rule = await this.ruleOf(alert);
    const template = this.opts.checklists.template(rule);
    if (!template.stepIds.includes(stepId)) throw notFound(`checklist step ${stepId}`);
    const previous = (await this.opts.store.checklists.list(id)).find((e) => e.step_id === stepId);
    await this.opts.store.checklists.put({ alert_id: id, step_id: stepId, done: body.done, by: user, at: this.opts.now(), note: body.note ?? previous?.note ?? null });
    return { before: previous?.done ?? false, after: await this.opts.checklists.forAlert(id, alert.doc, rule) };
  }

  async notes(id: string): Promise<{ notes: Note[] }> {
    await this.require(id);
    const list = await this.opts.store.notes.list(id);
    return { notes: list.map((n) => ({ id: n.id, text: n.text, author: n.author, created_at: new Date(n.created_at).toISOString() })) };
  }

  async addNote(id: string, text: string, user: string): Promise<Note> {
    await this.require(id);
    const note = { id: randomUUID(), alert_id: id, text, author: user, created_at: this.opts.now() };
    await this.opts.store.notes.add(note);
    await this.notify(() => this.opts.notifications?.mentioned(id, note.id, text, user));
    return { id: note.id, text, author: user, created_at: new Date(note.created_at).toISOString() };
  }

  /** The stored alert or a 404. */
  async require(id: string): Promise<StoredAlert> {
    const alert = await this.opts.store.alerts.get(id);
    if (!alert) throw notFound(`alert ${id}`);
    return alert;
  }

  /** Parses an ISO or date-math bound (events routes share it). */
  resolveBound(text: string, what: string, roundUp = false): number {
    return resolveDate(text, this.opts.now(), what, roundUp);
  }

  /** A bulk action by query acts on the set the analyst saw: 409 `selection_changed` when the query now selects another count. */
  private async guardSelection(query: AlertFilter, expected: number): Promise<void> {
    const { total } = await this.opts.store.alerts.search({ filter: this.resolveFilter(query), sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 1 });
    if (total === expected) return;
    throw new HttpError(409, ErrorIds.selectionChanged, `the selection changed: the query now selects ${total} alert${total === 1 ? '' : 's'}, not ${expected}; nothing was changed`, { total, expected_total: expected });
  }

  /**
   * A bulk close that takes in sessions of high risk needs `confirm_high_risk` (409 naming how many and why);
   * closing them as false or benign positive needs a comment too.
   */
  private async guardHighRisk(body: BulkUpdateAlerts): Promise<void> {
    let highRiskExtra = 0;
    const highRisk: StoredAlert[] = [];
    if (body.ids) {
      const ids = [...new Set(body.ids)];
      for (let i = 0; i < ids.length; i += bulkLookupChunk) {
        for (const a of await Promise.all(ids.slice(i, i + bulkLookupChunk).map((id) => this.opts.store.alerts.get(id)))) {
          if (a && str(a.doc, 'kibana.alert.workflow_status') !== 'closed' && (num(a.doc, 'execwatch.session.risk_score') ?? 0) >= HIGH_RISK_THRESHOLD) highRisk.push(a);
        }
      }
    } else {
      const filter: AlertFilter = { ...this.resolveFilter(body.query ?? {}), min_session_risk: HIGH_RISK_THRESHOLD, status: ['open', 'acknowledged'] };
      const { total, alerts } = await this.opts.store.alerts.search({ filter, sort: { field: 'session_risk', order: 'desc' }, page: 1, size: 20 });
      // the count is the filter's total; only the riskiest few are read for the reasons
      highRisk.push(...alerts);
      highRiskExtra = Math.max(total - alerts.length, 0);
    }
    const count = highRisk.length + highRiskExtra;
    if (count === 0) return;
    const sample = highRisk.slice(0, 20).map((a) => presentSession(a.doc));
    const titles = [...new Set(sample.flatMap((s) => (s?.behaviors ?? []).slice(0, 2).map((b) => b.title)))].slice(0, 4);
    const why = `${count} of these alerts ${count === 1 ? 'is a session' : 'are sessions'} of high risk (session risk ${HIGH_RISK_THRESHOLD} or more${titles.length > 0 ? `: ${titles.join('; ')}` : ''})`;
    if (!body.confirm_high_risk) throw new HttpError(409, ErrorIds.highRiskConfirmationRequired, `${why}; send confirm_high_risk: true to close them`, { high_risk: count, behaviors: titles });
    if (body.reason && gatedReasons.has(body.reason) && !body.reason_text?.trim()) {
      throw new HttpError(400, ErrorIds.highRiskCommentRequired, `reason_text: ${why}: closing them as ${body.reason.replace('_', ' ')} needs a comment saying why`, { high_risk: count });
    }
  }

  private async missingSteps(alertId: string, ruleId: string, doc: Doc): Promise<{ id: string; text: string }[]> {
    const template = this.opts.checklists.template(await this.opts.registry.get(ruleId));
    const done = await this.opts.store.checklists.doneCounts([alertId]);
    const ids = this.opts.checklists.missingRequired(template, done[alertId] ?? [], doc);
    const texts = this.opts.checklists.stepTexts(template, ids);
    return ids.map((id, i) => ({ id, text: texts[i] ?? id }));
  }

  /** Inbox entries follow a change that is already stored: failing to write one must not fail the change. */
  private async notify(send: () => Promise<void> | undefined): Promise<void> {
    try {
      await send();
    } catch {
      // the change stands; the inbox misses one entry
    }
  }

  private async notifyBulkAssigned(body: BulkUpdateAlerts, target: { ids: string[] } | { filter: AlertFilter }, updated: number, user: string): Promise<void> {
    if (!body.add_assignees?.length || updated === 0) return;
    const firstId = 'ids' in target ? target.ids[0] : (await this.opts.store.alerts.ids(target.filter, 1))[0];
    const first = firstId ? await this.opts.store.alerts.get(firstId) : null;
    const assignees = body.add_assignees;
    await this.notify(() => this.opts.notifications?.assigned({ first, count: updated }, assignees, user));
  }

  private async ruleOf(alert: StoredAlert): Promise<EffectiveRule | null> {
    return this.opts.registry.get(str(alert.doc, 'kibana.alert.rule.rule_id') ?? '');
  }

  private push(map: Map<string, string[]>, key: string, id: string): void {
    const list = map.get(key);
    if (list) list.push(id);
    else map.set(key, [id]);
  }

  private async presentMany(alerts: StoredAlert[]): Promise<Alert[]> {
    if (alerts.length === 0) return [];
    const ids = alerts.map((a) => a.id);
    const [done, notes] = await Promise.all([this.opts.store.checklists.doneCounts(ids), this.opts.store.notes.counts(ids)]);
    const templates = new Map<string, ReturnType<ChecklistService['template']>>();
    const out: Alert[] = [];
    for (const a of alerts) {
      const ruleId = str(a.doc, 'kibana.alert.rule.rule_id') ?? '';
      let template = templates.get(ruleId);
      if (!template) {
        template = this.opts.checklists.template(await this.opts.registry.get(ruleId));
        templates.set(ruleId, template);
      }
      const extras = { checklist: this.opts.checklists.progress(template, done[a.id] ?? []), notesCount: notes[a.id] ?? 0 };
      out.push(presentAlert(a, extras));
    }
    return out;
  }
}
