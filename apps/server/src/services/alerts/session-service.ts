/** The process tree of an alert's session (every process sharing its entry leader). */
import type { SessionProcess, SessionResponse } from '@execwatch/api';
import type { Doc, EventHit, Store } from '../../store/ports';
import { bool, num, str, strings } from '../detection/get-field';

/** Session events read at most; a session longer than this is reported as truncated. */
export const sessionEventLimit = 2000;

function processOf(e: Doc): Omit<SessionProcess, 'is_alert_process' | 'is_subsequent'> | null {
  const entityId = str(e, 'process.entity_id');
  if (!entityId) return null;
  return {
    entity_id: entityId,
    parent_entity_id: str(e, 'process.parent.entity_id'),
    pid: num(e, 'process.pid'),
    name: str(e, 'process.name'),
    executable: str(e, 'process.executable'),
    args: strings(e, 'process.args'),
    user_id: str(e, 'user.id') ?? str(e, 'process.user.id'),
    user_name: str(e, 'user.name') ?? str(e, 'process.user.name'),
    working_directory: str(e, 'process.working_directory'),
    interactive: bool(e, 'process.interactive'),
    start: str(e, 'process.start') ?? str(e, '@timestamp'),
    event_action: str(e, 'event.action'),
  };
}

/** Merges the events of one process (fork, exec, end): later events fill and override what they know. */
function merge(into: Omit<SessionProcess, 'is_alert_process' | 'is_subsequent'>, next: Omit<SessionProcess, 'is_alert_process' | 'is_subsequent'>) {
  const replaceExec = next.event_action === 'exec' || into.event_action !== 'exec';
  return {
    ...into,
    parent_entity_id: into.parent_entity_id ?? next.parent_entity_id,
    pid: into.pid ?? next.pid,
    name: replaceExec ? (next.name ?? into.name) : (into.name ?? next.name),
    executable: replaceExec ? (next.executable ?? into.executable) : (into.executable ?? next.executable),
    args: replaceExec && next.args.length > 0 ? next.args : into.args,
    user_id: into.user_id ?? next.user_id,
    user_name: into.user_name ?? next.user_name,
    working_directory: into.working_directory ?? next.working_directory,
    interactive: into.interactive ?? next.interactive,
    start: into.start ?? next.start,
    event_action: replaceExec ? (next.event_action ?? into.event_action) : into.event_action,
  };
}

/** Builds the session's process list from its events: one entry per entity_id, time-ordered. */
export function buildSession(alertDoc: Doc, events: EventHit[], truncated: boolean): SessionResponse {
  const entryLeader = str(alertDoc, 'process.entry_leader.entity_id');
  const alertEntity = str(alertDoc, 'process.entity_id');
  const alertStart = Date.parse(str(alertDoc, 'process.start') ?? str(alertDoc, 'kibana.alert.original_time') ?? '');
  const byId = new Map<string, Omit<SessionProcess, 'is_alert_process' | 'is_subsequent'>>();
  const alertProcess = processOf(alertDoc);
  for (const source of [...events.map((e) => e._source), ...(alertProcess ? [alertDoc] : [])]) {
    const p = processOf(source);
    if (!p) continue;
    const prev = byId.get(p.entity_id);
    byId.set(p.entity_id, prev ? merge(prev, p) : p);
  }
  const processes: SessionProcess[] = [...byId.values()]
    .map((p) => {
      const start = Date.parse(p.start ?? '');
      const isAlert = p.entity_id === alertEntity;
      return { ...p, is_alert_process: isAlert, is_subsequent: !isAlert && Number.isFinite(start) && Number.isFinite(alertStart) && start >= alertStart };
    })
    .sort((a, b) => (Date.parse(a.start ?? '') || 0) - (Date.parse(b.start ?? '') || 0));
  return { entry_leader_entity_id: entryLeader, processes, truncated };
}

/** Reads the session's events and builds its process list. */
export async function sessionOf(store: Store, alertDoc: Doc): Promise<SessionResponse> {
  const entryLeader = str(alertDoc, 'process.entry_leader.entity_id');
  if (!entryLeader) return buildSession(alertDoc, [], false);
  const start = str(alertDoc, 'process.entry_leader.start') ?? num(alertDoc, 'process.entry_leader.start') ?? undefined;
  const { events, truncated } = await store.events.sessionEvents(entryLeader, sessionEventLimit, start);
  return buildSession(alertDoc, events, truncated);
}
