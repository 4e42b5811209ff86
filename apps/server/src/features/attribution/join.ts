/**
 * Who started an exec session: joins an exec alert (Defend for Containers) with the kube-apiserver audit
 * requests that could have created its entry leader. Pure: the caller fetches the pod's audit documents.
 *
 * The join never guesses. Exactly one request that fits every constraint is an `exact` match; two or more
 * are `ambiguous` (all returned, nearest first), even when one person sent them; none is `none` with a reason.
 */
import { readAuditDoc, type AuditObjectRef, type AuditStageRecord, type AuditUser } from './audit-doc';
import { AUDIT_STAGES, type AuditStage } from './audit-event';
import { parseRequestUri, SESSION_SUBRESOURCES, type PodSessionRequest, type SessionSubresource } from './request-uri';

/** The exec alert's side of the join. */
export interface ExecTarget {
  /** orchestrator.cluster.name */
  cluster?: string;
  /** orchestrator.namespace */
  namespace: string;
  /** orchestrator.resource.name */
  pod: string;
  /** container.name (often absent) */
  container?: string;
  /** process.entry_leader.args; empty when the alert did not record them (then any command fits). */
  entryArgs: string[];
  /** process.entry_leader.start, epoch ms */
  entryStart: number;
}

/** How far a request's `requestReceivedTimestamp` may lie before and after the entry leader's start. */
export interface TimeWindow {
  beforeMs: number;
  afterMs: number;
}

/**
 * Default windows, by subresource.
 * - exec: the apiserver receives the request, authorizes it, runs admission (a webhook's default timeout is
 *   10 s) and hands it to the kubelet, which asks the runtime to start the process: the request comes first,
 *   by well under a second normally and by up to ~10 s with a slow webhook or node. After the start, only the
 *   clock offset between the control plane and the node can put the request: NTP keeps that to milliseconds,
 *   2 s is generous.
 * - attach starts no process: kubectl attaches after the container it waits for is running (`kubectl run -it`,
 *   `kubectl debug -it`), so the request may follow the start by seconds: 10 s either side.
 * - ephemeralcontainers (`kubectl debug`): the kubelet may pull the debug image before starting it: 60 s before.
 * A wider window never makes a wrong `exact` out of a present request (a second fitting request makes it
 * ambiguous); it only raises the chance that another request fits when the right one is missing from the log.
 */
export const DEFAULT_WINDOWS: Readonly<Record<SessionSubresource, TimeWindow>> = {
  exec: { beforeMs: 10_000, afterMs: 2_000 },
  attach: { beforeMs: 10_000, afterMs: 10_000 },
  ephemeralcontainers: { beforeMs: 60_000, afterMs: 2_000 },
};

export interface AttributeOptions {
  /**
   * False when the caller knows the alert's cluster has never sent audit events: an empty result is then
   * `no_audit_events_from_cluster` (audit logging not wired up) rather than `no_audit_events_for_pod`.
   */
  clusterHasAuditEvents?: boolean;
  /** Overrides of DEFAULT_WINDOWS, per subresource and bound. */
  windows?: Partial<Record<SessionSubresource, Partial<TimeWindow>>>;
}

/** success: the upgrade (101) or the ephemeral-container patch (2xx) went through; pending: no response seen yet. */
export type RequestStatus = 'success' | 'pending' | 'refused';

export interface AttributionCandidate {
  auditID: string;
  username: string | null;
  groups: string[];
  impersonatedUser: AuditUser | null;
  sourceIPs: string[];
  userAgent: string | null;
  verb: string;
  subresource: SessionSubresource;
  objectRef: AuditObjectRef;
  /** The `container` parameter (exec, attach), or null. */
  container: string | null;
  /** The request named more than one container (the apiserver used the first, shown here). */
  containerRepeated: boolean;
  /** The `command` parameters (exec), empty otherwise. */
  command: string[];
  requestReceivedTimestamp: string;
  responseCode: number | null;
  decision: string | null;
  authorizationReason: string | null;
  /** requestReceivedTimestamp minus the entry leader's start, ms (negative: the request came first). */
  distanceMs: number;
  status: RequestStatus;
}

export type NoneReason = 'no_audit_events_from_cluster' | 'no_audit_events_for_pod' | 'no_matching_request' | 'refused_only';

/** What a pod session request can fail on. `subresource`: not an exec, attach or ephemeral-container request. */
export type Constraint = 'subresource' | 'verb' | 'request_uri' | 'container' | 'command' | 'time' | 'response';

export type Attribution =
  | { match: 'exact'; detail: string; candidates: [AttributionCandidate]; refused: AttributionCandidate[] }
  | { match: 'ambiguous'; detail: string; candidates: AttributionCandidate[]; refused: AttributionCandidate[] }
  | {
      match: 'none';
      reason: NoneReason;
      detail: string;
      candidates: [];
      refused: AttributionCandidate[];
      /** How many of the pod's requests failed each constraint (a request can fail several). */
      failures: Partial<Record<Constraint, number>>;
    };

const SESSION_VERBS: Readonly<Record<SessionSubresource, readonly string[]>> = {
  // create: SPDY (POST); get: WebSocket (GET), kubectl 1.30 and later
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  ephemeralcontainers: ['patch', 'update'],
};

const stageRank = (stage: AuditStage | null): number => (stage === null ? AUDIT_STAGES.length : AUDIT_STAGES.indexOf(stage));

/** One request, its stages merged. */
interface MergedRequest {
  auditID: string;
  /** The stages in stage order (RequestReceived first). */
  stages: AuditStageRecord[];
  verb: string | null;
  requestURI: string | null;
  user: AuditUser;
  impersonatedUser: AuditUser | null;
  sourceIPs: string[];
  userAgent: string | null;
  objectRef: AuditObjectRef;
  requestReceivedTimestamp: string | null;
  requestReceivedMs: number | null;
  /** Response codes, latest stage first. */
  codes: number[];
  decision: string | null;
  decisionReason: string | null;
  ephemeralContainerNames: string[] | null;
}

function firstOf<T>(stages: AuditStageRecord[], pick: (s: AuditStageRecord) => T | null): T | null {
  for (const s of stages) {
    const v = pick(s);
    if (v !== null) return v;
  }
  return null;
}

function lastOf<T>(stages: AuditStageRecord[], pick: (s: AuditStageRecord) => T | null): T | null {
  for (let i = stages.length - 1; i >= 0; i--) {
    const v = pick(stages[i] as AuditStageRecord); // i within bounds
    if (v !== null) return v;
  }
  return null;
}

/**
 * Groups stage events into requests. The key is the auditID together with the request's receive time:
 * a client may set the auditID itself (the `Audit-ID` header), so two requests can share one, while
 * every stage of one request carries the same requestReceivedTimestamp.
 */
function mergeStages(records: AuditStageRecord[]): MergedRequest[] {
  const groups = new Map<string, AuditStageRecord[]>();
  for (const r of records) {
    const key = `${r.auditID}\u0000${r.requestReceivedMs ?? r.requestReceivedTimestamp ?? ''}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const merged: MergedRequest[] = [];
  for (const list of groups.values()) {
    const stages = [...list].sort((a, b) => stageRank(a.stage) - stageRank(b.stage));
    const first = stages[0] as AuditStageRecord; // groups are never empty
    const codes: number[] = [];
    for (let i = stages.length - 1; i >= 0; i--) {
      const code = (stages[i] as AuditStageRecord).responseCode; // i within bounds
      if (code !== null) codes.push(code);
    }
    merged.push({
      auditID: first.auditID,
      stages,
      verb: firstOf(stages, (s) => s.verb),
      requestURI: firstOf(stages, (s) => s.requestURI),
      user: firstOf(stages, (s) => (s.user.username !== null || s.user.groups.length > 0 ? s.user : null)) ?? first.user,
      impersonatedUser: firstOf(stages, (s) => s.impersonatedUser),
      sourceIPs: firstOf(stages, (s) => (s.sourceIPs.length > 0 ? s.sourceIPs : null)) ?? [],
      userAgent: firstOf(stages, (s) => s.userAgent),
      objectRef: {
        resource: firstOf(stages, (s) => s.objectRef.resource),
        subresource: firstOf(stages, (s) => s.objectRef.subresource),
        namespace: firstOf(stages, (s) => s.objectRef.namespace),
        name: firstOf(stages, (s) => s.objectRef.name),
      },
      requestReceivedTimestamp: firstOf(stages, (s) => s.requestReceivedTimestamp),
      requestReceivedMs: firstOf(stages, (s) => s.requestReceivedMs),
      codes,
      // authorization annotations are added after the RequestReceived stage is emitted: the latest wins
      decision: lastOf(stages, (s) => s.decision),
      decisionReason: lastOf(stages, (s) => s.decisionReason),
      ephemeralContainerNames: firstOf(stages, (s) => s.ephemeralContainerNames),
    });
  }
  return merged;
}

const isSuccessCode = (subresource: SessionSubresource, code: number): boolean =>
  subresource === 'ephemeralcontainers' ? code >= 200 && code < 300 : code === 101;

/**
 * A forbid decision refuses; otherwise any stage showing the success code means the session started (a later
 * Panic cannot undo a process already running); then any code >= 400 refuses; no code at all is pending.
 * Anything else (say a 200 on exec) is 'unexpected' and never fits.
 */
function statusOf(req: MergedRequest, subresource: SessionSubresource): { status: RequestStatus | 'unexpected'; code: number | null } {
  const latest = req.codes[0] ?? null;
  if (req.decision === 'forbid') return { status: 'refused', code: latest };
  const success = req.codes.find((c) => isSuccessCode(subresource, c));
  if (success !== undefined) return { status: 'success', code: success };
  if (req.codes.some((c) => c >= 400)) return { status: 'refused', code: req.codes.find((c) => c >= 400) ?? latest };
  if (req.codes.length === 0) return { status: 'pending', code: null };
  return { status: 'unexpected', code: latest };
}

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * The request's command against the entry leader's args: equal element by element, except that the first
 * may differ in directory (`/bin/bash` asked for, `bash` seen, or the reverse). No recorded args: any fits.
 */
export function commandFits(requested: readonly string[], entryArgs: readonly string[]): boolean {
  if (entryArgs.length === 0) return true;
  if (requested.length !== entryArgs.length) return false;
  const [r0, ...rRest] = requested as [string, ...string[]]; // both lengths are >= 1 here
  const [e0, ...eRest] = entryArgs as [string, ...string[]];
  if (r0 !== e0 && basename(r0) !== basename(e0)) return false;
  return rRest.every((arg, i) => arg === eRest[i]);
}

function resolveWindows(options: AttributeOptions): Record<SessionSubresource, TimeWindow> {
  const out = { ...DEFAULT_WINDOWS };
  for (const sub of SESSION_SUBRESOURCES) {
    const o = options.windows?.[sub];
    if (o) out[sub] = { ...DEFAULT_WINDOWS[sub], ...o };
  }
  return out;
}

interface Evaluated {
  request: MergedRequest;
  /** null when not an exec, attach or ephemeral-container request on a pod */
  subresource: SessionSubresource | null;
  failed: Constraint[];
  candidate: AttributionCandidate | null;
  status: RequestStatus | 'unexpected';
}

function sessionSubresource(req: MergedRequest, uri: PodSessionRequest | null): SessionSubresource | null {
  const ref = req.objectRef;
  if (ref.resource !== null) {
    if (ref.resource !== 'pods' || ref.subresource === null) return null;
    return (SESSION_SUBRESOURCES as readonly string[]).includes(ref.subresource) ? (ref.subresource as SessionSubresource) : null; // membership checked
  }
  // no objectRef recorded: the requestURI is all there is
  return uri?.subresource ?? null;
}

function evaluate(req: MergedRequest, target: ExecTarget, windows: Record<SessionSubresource, TimeWindow>): Evaluated {
  const parsed = req.requestURI === null ? null : parseRequestUri(req.requestURI);
  const uri = parsed?.ok ? parsed.value : null;
  const subresource = sessionSubresource(req, uri);
  if (subresource === null) return { request: req, subresource, failed: ['subresource'], candidate: null, status: 'unexpected' };

  const failed: Constraint[] = [];
  if (req.verb === null || !SESSION_VERBS[subresource].includes(req.verb)) failed.push('verb');
  if (subresource !== 'ephemeralcontainers' && uri === null) failed.push('request_uri');

  if (target.container) {
    if (subresource === 'ephemeralcontainers') {
      if (req.ephemeralContainerNames !== null && !req.ephemeralContainerNames.includes(target.container)) failed.push('container');
    } else if (uri?.container !== undefined && uri.container !== target.container) {
      failed.push('container');
    }
  }
  if (subresource === 'exec' && uri !== null && !commandFits(uri.command, target.entryArgs)) failed.push('command');

  const window = windows[subresource];
  const distanceMs = req.requestReceivedMs === null ? null : req.requestReceivedMs - target.entryStart;
  if (distanceMs === null || distanceMs < -window.beforeMs || distanceMs > window.afterMs) failed.push('time');

  const { status, code } = statusOf(req, subresource);
  if (status === 'unexpected') failed.push('response');

  const candidate: AttributionCandidate | null =
    status === 'unexpected' || distanceMs === null || req.requestReceivedTimestamp === null
      ? null
      : {
          auditID: req.auditID,
          username: req.user.username,
          groups: req.user.groups,
          impersonatedUser: req.impersonatedUser,
          sourceIPs: req.sourceIPs,
          userAgent: req.userAgent,
          verb: req.verb ?? '',
          subresource,
          objectRef: {
            resource: req.objectRef.resource ?? 'pods',
            subresource,
            namespace: req.objectRef.namespace ?? uri?.namespace ?? null,
            name: req.objectRef.name ?? uri?.pod ?? null,
          },
          container: uri?.container ?? null,
          containerRepeated: uri?.containerRepeated ?? false,
          command: uri?.command ?? [],
          requestReceivedTimestamp: req.requestReceivedTimestamp,
          responseCode: code,
          decision: req.decision,
          authorizationReason: req.decisionReason,
          distanceMs,
          status,
        };
  return { request: req, subresource, failed, candidate, status };
}

function byDistance(a: AttributionCandidate, b: AttributionCandidate): number {
  return Math.abs(a.distanceMs) - Math.abs(b.distanceMs) || a.distanceMs - b.distanceMs || (a.auditID < b.auditID ? -1 : a.auditID > b.auditID ? 1 : 0);
}

const seconds = (ms: number): string => `${Math.round(Math.abs(ms) / 100) / 10} s`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const label = (sub: SessionSubresource): string => (sub === 'ephemeralcontainers' ? 'ephemeral-container' : sub);

function forPod(record: AuditStageRecord, target: ExecTarget): boolean {
  if (target.cluster && record.cluster && record.cluster !== target.cluster) return false;
  let namespace = record.objectRef.namespace;
  let name = record.objectRef.name;
  if (namespace === null || name === null) {
    const parsed = record.requestURI === null ? null : parseRequestUri(record.requestURI);
    if (parsed?.ok) {
      namespace ??= parsed.value.namespace;
      name ??= parsed.value.pod;
    }
  }
  return namespace === target.namespace && name === target.pod;
}

const CONSTRAINT_ORDER: readonly Constraint[] = ['time', 'container', 'command', 'verb', 'request_uri', 'response', 'subresource'];

function noMatchDetail(evaluated: Evaluated[], target: ExecTarget, windows: Record<SessionSubresource, TimeWindow>, failures: Partial<Record<Constraint, number>>): string {
  const session = evaluated.filter((e) => e.subresource !== null);
  if (session.length === 0) {
    return `${plural(evaluated.length, 'audited request')} to this pod, none an exec, attach or ephemeral-container request`;
  }
  const kinds = SESSION_SUBRESOURCES.filter((sub) => session.some((e) => e.subresource === sub));
  let top: Constraint = 'time';
  let topCount = -1;
  for (const c of CONSTRAINT_ORDER) {
    const n = failures[c] ?? 0;
    if (c !== 'subresource' && n > topCount) {
      top = c;
      topCount = n;
    }
  }
  const head = `${plural(session.length, `${kinds.map(label).join('/')} request`)} to this pod`;
  switch (top) {
    case 'time': {
      const only = kinds.length === 1 ? windows[kinds[0] as SessionSubresource] : null; // kinds is non-empty
      const span = only ? `from ${seconds(only.beforeMs)} before to ${seconds(only.afterMs)} after` : 'within the time window of';
      return `${head}, none ${span} the session start`;
    }
    case 'container':
      return `${head}, none to container "${target.container ?? ''}"`;
    case 'command':
      return `${head}, none running "${target.entryArgs.join(' ')}"`;
    case 'verb':
      return `${head}, none with a session verb (create or get; patch or update for ephemeral containers)`;
    case 'request_uri':
      return `${head}, none with a readable requestURI`;
    default:
      return `${head}, none with a response code of a started session`;
  }
}

/**
 * Attributes an exec alert to the audit request that started it. `auditDocs` are the stored
 * `kubernetes.audit_logs` documents for the alert's namespace and pod (others are ignored), any stage.
 */
export function attribute(target: ExecTarget, auditDocs: readonly unknown[], options: AttributeOptions = {}): Attribution {
  const windows = resolveWindows(options);
  const records: AuditStageRecord[] = [];
  for (const doc of auditDocs) {
    const r = readAuditDoc(doc);
    if (r !== null && forPod(r, target)) records.push(r);
  }
  if (records.length === 0) {
    const fromCluster = options.clusterHasAuditEvents === false;
    return {
      match: 'none',
      reason: fromCluster ? 'no_audit_events_from_cluster' : 'no_audit_events_for_pod',
      detail: fromCluster
        ? `no audit events have been received from ${target.cluster ? `cluster "${target.cluster}"` : 'this cluster'}`
        : `no audit events for pod ${target.namespace}/${target.pod}`,
      candidates: [],
      refused: [],
      failures: {},
    };
  }

  const evaluated = mergeStages(records).map((req) => evaluate(req, target, windows));
  const fitting: AttributionCandidate[] = [];
  const refused: AttributionCandidate[] = [];
  const failures: Partial<Record<Constraint, number>> = {};
  for (const e of evaluated) {
    for (const c of e.failed) failures[c] = (failures[c] ?? 0) + 1;
    if (e.failed.length > 0 || e.candidate === null) continue;
    if (e.candidate.status === 'refused') refused.push(e.candidate);
    else fitting.push(e.candidate);
  }
  refused.sort(byDistance);

  // An attach starts no process: when a request that does (exec, ephemeral container) fits, it is the one.
  const creators = fitting.filter((c) => c.subresource !== 'attach');
  const chosen = (creators.length > 0 ? creators : fitting).sort(byDistance);

  if (chosen.length === 1) {
    const only = chosen[0] as AttributionCandidate; // length checked
    const when = `${seconds(only.distanceMs)} ${only.distanceMs <= 0 ? 'before' : 'after'} the session start`;
    const pending = only.status === 'pending' ? ' (no response recorded yet)' : '';
    return {
      match: 'exact',
      detail: `${label(only.subresource)} request by ${only.username ?? 'an unknown user'} ${when}${pending}`,
      candidates: [only],
      refused,
    };
  }
  if (chosen.length > 1) {
    return {
      match: 'ambiguous',
      detail: `${chosen.length} requests fit this session; none is chosen`,
      candidates: chosen,
      refused,
    };
  }
  if (refused.length > 0) {
    return {
      match: 'none',
      reason: 'refused_only',
      detail: `${plural(refused.length, 'refused request')} ${refused.length === 1 ? 'fits' : 'fit'} this session, no allowed one`,
      candidates: [],
      refused,
      failures,
    };
  }
  return {
    match: 'none',
    reason: 'no_matching_request',
    detail: noMatchDetail(evaluated, target, windows, failures),
    candidates: [],
    refused,
    failures,
  };
}
