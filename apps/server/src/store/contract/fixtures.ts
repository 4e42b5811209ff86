import type { AuditEvent, Execution } from '@execwatch/api';
import type { BulkOperation, Doc, ExceptionItemForMatching, StoredAlert } from '../ports';

/** The query of "Interactive Exec Command Launched Against A Running Container" (rule 420e5bb4). */
export const SEED_RULE_QUERY = `process where container.id : "*" and event.type== "start" and

/* use of kubectl exec to enter a container */
process.entry_leader.entry_meta.type : "container" and

/* process is the inital process run in a container */
process.entry_leader.same_as_process== true and

/* interactive process */
process.interactive == true`;

export const PROCESS_INDEX = 'logs-cloud_defend.process-default';
export const T0 = Date.parse('2025-06-01T12:00:00.000Z');

export interface ExecEventOptions {
  id?: string;
  timestamp?: number;
  interactive?: boolean;
  sameAsProcess?: boolean;
  entryMetaType?: string;
  eventType?: string | string[];
  namespace?: string;
  user?: string;
  image?: string;
  containerId?: string | null;
  entryLeader?: string;
  /** process.entry_leader.start (absent unless given). */
  leaderStart?: string;
  extra?: Doc;
}

/** A cloud_defend process event; by default one the seed rule matches (an interactive `kubectl exec` shell). */
export function execEvent(o: ExecEventOptions = {}): Doc {
  const ts = new Date(o.timestamp ?? T0).toISOString();
  const entryLeader = o.entryLeader ?? `leader-${o.id ?? 'x'}`;
  const doc: Doc = {
    '@timestamp': ts,
    event: { kind: 'event', category: ['process'], type: o.eventType ?? ['start'], action: 'exec', dataset: 'cloud_defend.process', id: o.id ?? 'e' },
    container: { ...(o.containerId === null ? {} : { id: o.containerId ?? 'c0ffee' }), image: { name: o.image ?? 'nginx', tag: 'latest' } },
    orchestrator: { namespace: o.namespace ?? 'default', resource: { name: 'web-1', type: 'pod' }, cluster: { name: 'prod' } },
    user: { id: '0', name: o.user ?? 'root' },
    host: { name: 'node-1' },
    process: {
      name: 'bash',
      args: ['bash'],
      entity_id: `proc-${o.id ?? 'x'}`,
      interactive: o.interactive ?? true,
      entry_leader: {
        entity_id: entryLeader,
        same_as_process: o.sameAsProcess ?? true,
        entry_meta: { type: o.entryMetaType ?? 'container' },
        interactive: true,
        ...(o.leaderStart === undefined ? {} : { start: o.leaderStart }),
      },
    },
    data_stream: { type: 'logs', dataset: 'cloud_defend.process', namespace: 'default' },
    ...o.extra,
  };
  return doc;
}

/** Bulk `create` operations for documents (explicit ids when the document says `_id_for_test`). */
export function createOps(docs: Doc[], index = PROCESS_INDEX, ids?: (string | undefined)[]): BulkOperation[] {
  return docs.map((d, i) => {
    const op: BulkOperation = { action: 'create', index, source: JSON.stringify(d), line: i * 2 + 2 };
    const id = ids?.[i];
    if (id !== undefined) op.id = id;
    return op;
  });
}

export function exceptionItem(id: string, entries: unknown[], expire_time: string | null = null): ExceptionItemForMatching {
  return { id, item_id: `item-${id}`, list_id: 'contract-list', entries, expire_time };
}

export interface AlertOptions {
  status?: 'open' | 'acknowledged' | 'closed';
  severity?: 'low' | 'medium' | 'high' | 'critical';
  risk?: number;
  time?: number;
  namespace?: string;
  user?: string;
  image?: string;
  pod?: string;
  ruleId?: string;
  ruleName?: string;
  reason?: string;
  tags?: string[];
  assignees?: string[];
  containerId?: string;
}

/** A stored alert in Kibana's document shape (ECS source fields + nested `kibana.alert.*`). */
export function alertDoc(id: string, o: AlertOptions = {}): StoredAlert {
  const time = new Date(o.time ?? T0).toISOString();
  return {
    id,
    index: '.alerts-security.alerts-default',
    doc: {
      '@timestamp': time,
      container: { id: o.containerId ?? `ctr-${id}`, image: { name: o.image ?? 'nginx', tag: 'latest' } },
      orchestrator: { namespace: o.namespace ?? 'default', resource: { name: o.pod ?? 'web-1' }, cluster: { name: 'prod' } },
      user: { id: '0', name: o.user ?? 'root' },
      host: { name: 'node-1' },
      process: { name: 'bash', args: ['bash', '-i'], interactive: true },
      kibana: {
        alert: {
          uuid: id,
          status: 'active',
          workflow_status: o.status ?? 'open',
          workflow_tags: o.tags ?? [],
          workflow_assignee_ids: o.assignees ?? [],
          severity: o.severity ?? 'high',
          risk_score: o.risk ?? 73,
          reason: o.reason ?? `process event with process bash, by ${o.user ?? 'root'} created high alert`,
          original_time: time,
          rule: {
            uuid: `uuid-${o.ruleId ?? '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1'}`,
            rule_id: o.ruleId ?? '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1',
            name: o.ruleName ?? 'Interactive Exec Command Launched Against A Running Container',
          },
        },
      },
    },
  };
}

export function execution(id: string, ruleId: string, startedAt: number, status: Execution['status'] = 'succeeded'): Execution {
  return {
    id,
    rule_id: ruleId,
    status,
    trigger: 'schedule',
    started_at: new Date(startedAt).toISOString(),
    finished_at: new Date(startedAt + 1000).toISOString(),
    duration_ms: 1000,
    window: { from: new Date(startedAt - 360_000).toISOString(), to: new Date(startedAt).toISOString() },
    events_matched: 1,
    alerts_created: 1,
    alerts_existing: 0,
    suppressed: 0,
    max_signals_reached: false,
    gaps: [],
    warnings: [],
    error: null,
  };
}

export function auditEvent(id: string, at: number, user: string, action: string): AuditEvent {
  return {
    id,
    '@timestamp': new Date(at).toISOString(),
    user,
    source_ip: '127.0.0.1',
    action,
    outcome: 'success',
    target: { type: 'alert', id: 'a1' },
    before: null,
    after: { status: 'closed' },
  };
}
