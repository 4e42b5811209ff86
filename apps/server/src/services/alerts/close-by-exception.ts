/**
 * Closing the alerts an exception matches: an admin's decision that a whole class of alerts is benign. The set is
 * computed by the server when the close runs (never a list the browser kept from a preview), the closing reason is
 * `matched_exception` with the exception named in the reason text, and the analysts' checklist gate does not apply.
 * Sessions of high risk stay open unless the caller confirms, so an attacker's session that happens to match an
 * exception on an admin account is not closed unseen.
 */
import { ErrorIds, type CloseByException, type CloseByExceptionResponse, type CloseByExceptionSkipReason } from '@execwatch/api';
import { compileExceptionMatcher, isExpired } from '@execwatch/exceptions';
import { HttpError, badRequest, notFound } from '../../http/errors';
import { HIGH_RISK_THRESHOLD } from '../../features/session-risk/score';
import type { Store, StoredAlert } from '../../store/ports';
import { getItem } from '../../exceptions/service';
import { num, str } from '../detection/get-field';

/** Alerts looked at per call; beyond it the answer says so in a skip entry. */
export const CLOSE_BY_EXCEPTION_SCAN = 100_000;
const chunk = 500;
const listedIds = 100;

export interface CloseByExceptionDeps {
  store: Store;
  /** Rule ids whose exception list is `listId`. */
  rulesOfList(listId: string): Promise<string[]>;
  now: () => number;
}

const skipMessages: Record<CloseByExceptionSkipReason, (n: number) => string> = {
  high_risk: (n) => `${n} matching ${n === 1 ? 'alert is a session' : 'alerts are sessions'} of high risk (session risk ${HIGH_RISK_THRESHOLD} or more): left open for an analyst; confirm to close them too`,
  not_matching: (n) => `${n} of the given ${n === 1 ? 'alert does' : 'alerts do'} not match the exception`,
  already_closed: (n) => `${n} matching ${n === 1 ? 'alert was' : 'alerts were'} closed already`,
  not_found: (n) => `${n} given ${n === 1 ? 'alert does' : 'alerts do'} not exist`,
};

/** Closes what the exception matches now; see the module comment. */
export async function closeByException(deps: CloseByExceptionDeps, body: CloseByException, user: string): Promise<CloseByExceptionResponse> {
  const item = await getItem(deps.store, body.id !== undefined ? { id: body.id } : { item_id: body.item_id });
  if (!item) throw notFound(`exception item ${body.id ?? body.item_id}`);
  const now = deps.now();
  if (isExpired(item.expire_time, now)) throw new HttpError(409, ErrorIds.exceptionExpired, `exception "${item.name}" expired at ${item.expire_time}: it closes nothing`);
  const ruleIds = await deps.rulesOfList(item.list_id);
  if (body.rule_id !== undefined) {
    if (!ruleIds.includes(body.rule_id)) throw badRequest(`rule_id: the exception "${item.name}" is not on rule ${body.rule_id}`);
    ruleIds.splice(0, ruleIds.length, body.rule_id);
  }
  const matcher = compileExceptionMatcher([{ id: item.id, item_id: item.item_id, list_id: item.list_id, entries: item.entries, expire_time: item.expire_time ?? null, os_types: item.os_types }], { now });
  const matches = (doc: StoredAlert['doc']) => matcher.match(doc) !== null;

  const skipped = new Map<CloseByExceptionSkipReason, string[]>();
  const skip = (reason: CloseByExceptionSkipReason, id: string) => {
    const list = skipped.get(reason);
    if (list) list.push(id);
    else skipped.set(reason, [id]);
  };
  let candidates: string[];
  if (body.alert_ids) {
    candidates = [...new Set(body.alert_ids)];
  } else {
    candidates = ruleIds.length === 0 ? [] : await deps.store.alerts.ids({ rule_id: ruleIds, status: ['open', 'acknowledged'] }, CLOSE_BY_EXCEPTION_SCAN);
  }

  const toClose: string[] = [];
  let matched = 0;
  const rules = new Set(ruleIds);
  for (let i = 0; i < candidates.length; i += chunk) {
    const ids = candidates.slice(i, i + chunk);
    const found = await Promise.all(ids.map((id) => deps.store.alerts.get(id)));
    found.forEach((alert, j) => {
      const id = ids[j] ?? '';
      if (!alert) return skip('not_found', id);
      if (!rules.has(str(alert.doc, 'kibana.alert.rule.rule_id') ?? '') || !matches(alert.doc)) {
        // only the alerts the caller named are worth a word: the rest of the rule's alerts were never in question
        if (body.alert_ids) skip('not_matching', id);
        return;
      }
      matched++;
      if ((str(alert.doc, 'kibana.alert.workflow_status') ?? 'open') === 'closed') return skip('already_closed', id);
      if (!body.confirm_high_risk && (num(alert.doc, 'execwatch.session.risk_score') ?? 0) >= HIGH_RISK_THRESHOLD) return skip('high_risk', id);
      toClose.push(alert.id);
    });
  }
  const reasonText = `Matched exception "${item.name}" (item ${item.item_id} of list ${item.list_id})`;
  const { updated } = toClose.length > 0 ? await deps.store.alerts.updateMany({ ids: toClose }, { status: 'closed', reason: 'matched_exception', reason_text: reasonText, user, at: now }) : { updated: 0 };
  if (updated > 0) await deps.store.exceptions.recordHits({ [item.id]: updated }, now);
  const order: CloseByExceptionSkipReason[] = ['high_risk', 'already_closed', 'not_matching', 'not_found'];
  return {
    exception: { id: item.id, item_id: item.item_id, list_id: item.list_id, name: item.name },
    matched,
    closed: updated,
    closed_ids: toClose.slice(0, CLOSE_BY_EXCEPTION_SCAN),
    skipped: order.flatMap((reason) => {
      const ids = skipped.get(reason);
      return ids ? [{ reason, message: skipMessages[reason](ids.length), count: ids.length, ids: ids.slice(0, listedIds) }] : [];
    }),
  };
}
