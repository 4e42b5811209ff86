/**
 * kube-apiserver audit events (`audit.k8s.io/v1`, level Metadata) for exec requests, the `EventList` the audit
 * webhook backend posts, and the webhook's batching (events leave the apiserver in batches, seconds late).
 */
import { execVerb, type AuditUserInfo, type Requester } from './identities';
import type { Random } from './random';

export const AUDIT_API_VERSION = 'audit.k8s.io/v1';

export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete';

export interface AuditResponseStatus {
  metadata: Record<string, never>;
  code: number;
  status?: 'Failure';
  message?: string;
  reason?: string;
  details?: { name: string; kind: string };
}

/** One `audit.k8s.io/v1` Event of an exec request, at Metadata level. */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: typeof AUDIT_API_VERSION;
  level: 'Metadata';
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: AuditUserInfo;
  impersonatedUser?: AuditUserInfo;
  sourceIPs: string[];
  userAgent: string;
  objectRef: { resource: 'pods'; namespace: string; name: string; apiVersion: 'v1'; subresource: 'exec' };
  responseStatus?: AuditResponseStatus;
  /** RFC 3339 with microseconds, as Kubernetes writes MicroTime. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** The body of one audit webhook POST. */
export interface AuditEventList {
  kind: 'EventList';
  apiVersion: typeof AUDIT_API_VERSION;
  metadata: Record<string, never>;
  items: AuditEvent[];
}

/** Wraps audit events in the EventList the webhook backend sends. */
export function toEventList(events: readonly AuditEvent[]): AuditEventList {
  return { kind: 'EventList', apiVersion: AUDIT_API_VERSION, metadata: {}, items: [...events] };
}

/** A MicroTime (`2026-01-01T10:00:00.123456Z`) from epoch microseconds. */
export function microTime(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(Math.floor(us - ms * 1000)).padStart(3, '0')}Z`;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** Go's `url.QueryEscape`: what kubectl's `url.Values.Encode()` does to each key and value. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(s)) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The requestURI of `kubectl exec -it POD -c CONTAINER -- COMMAND...`: Go encodes the query with its keys sorted,
 * each argv element a `command` parameter; with a tty, stderr is merged into stdout and not asked for. Clients other
 * than kubectl may leave the container out (the apiserver then picks the default one) and ask for stderr.
 */
export function execRequestURI(namespace: string, pod: string, command: readonly string[], container: string | undefined, userAgent: string): string {
  const params: [string, string][] = command.map((c) => ['command', c]);
  const kubectl = userAgent.startsWith('kubectl/');
  if (container !== undefined) params.push(['container', container]);
  if (!kubectl) params.push(['stderr', 'true']);
  params.push(['stdin', 'true'], ['stdout', 'true'], ['tty', 'true']);
  const query = params.map(([k, v]) => `${k}=${queryEscape(v)}`).join('&');
  return `/api/v1/namespaces/${namespace}/pods/${pod}/exec?${query}`;
}

export interface ExecRequest {
  auditID: string;
  requester: Requester;
  namespace: string;
  pod: string;
  container: string;
  command: readonly string[];
  /** Epoch microseconds. */
  receivedUs: number;
  /** Allowed: the 101 upgrade is sent at `startedUs` and the stream closes at `completeUs`. Refused: a 403 at once. */
  allowed: boolean;
  startedUs: number;
  completeUs: number;
}

function responseStatus(req: ExecRequest, verb: string): AuditResponseStatus {
  if (req.allowed) return { metadata: {}, code: 101 };
  return {
    metadata: {},
    status: 'Failure',
    message: `pods "${req.pod}" is forbidden: User "${req.requester.user.username}" cannot ${verb} resource "pods/exec" in API group "" in the namespace "${req.namespace}"`,
    reason: 'Forbidden',
    details: { name: req.pod, kind: 'pods' },
    code: 403,
  };
}

/**
 * The events of one exec request: RequestReceived (before authorization, so without its annotations), then for an
 * allowed request ResponseStarted at the upgrade and ResponseComplete when the stream closes; a refused one goes
 * straight to ResponseComplete with the 403.
 */
export function execRequestEvents(req: ExecRequest): AuditEvent[] {
  const verb = execVerb(req.requester.userAgent);
  const container = req.requester.userAgent.startsWith('kubectl/') || req.requester.userAgent.startsWith('gitlab-runner/') ? req.container : undefined;
  const base: Omit<AuditEvent, 'stage' | 'stageTimestamp' | 'responseStatus' | 'annotations'> = {
    kind: 'Event',
    apiVersion: AUDIT_API_VERSION,
    level: 'Metadata',
    auditID: req.auditID,
    requestURI: execRequestURI(req.namespace, req.pod, req.command, container, req.requester.userAgent),
    verb,
    user: req.requester.user,
    ...(req.requester.impersonatedUser ? { impersonatedUser: req.requester.impersonatedUser } : {}),
    sourceIPs: req.requester.sourceIPs,
    userAgent: req.requester.userAgent,
    objectRef: { resource: 'pods', namespace: req.namespace, name: req.pod, apiVersion: 'v1', subresource: 'exec' },
    requestReceivedTimestamp: microTime(req.receivedUs),
  };
  const annotations = {
    'authorization.k8s.io/decision': req.allowed ? 'allow' : 'forbid',
    'authorization.k8s.io/reason': req.allowed ? req.requester.allowReason : '',
  };
  const status = responseStatus(req, verb);
  const received: AuditEvent = { ...base, stage: 'RequestReceived', stageTimestamp: base.requestReceivedTimestamp };
  const complete: AuditEvent = { ...base, stage: 'ResponseComplete', responseStatus: status, stageTimestamp: microTime(req.completeUs), annotations };
  if (!req.allowed) return [received, complete];
  const started: AuditEvent = { ...base, stage: 'ResponseStarted', responseStatus: status, stageTimestamp: microTime(req.startedUs), annotations };
  return [received, started, complete];
}

/** The webhook's largest batch (`--audit-webhook-batch-max-size`). */
const MAX_BATCH = 400;
/** An event waits at least this long for its flush. */
const MIN_LAG_MS = 1_000;
/** Least and most time between two flushes: with MIN_LAG_MS, an event leaves 1 to 30 s after its stage. */
export const AUDIT_FLUSH_EVERY_MS: readonly [number, number] = [1_000, 29_000];

/**
 * The audit webhook's buffer: events are held until a flush at least a second after their stage, flushes come 1 to
 * 29 s apart (by default), so each event leaves 1 to 30 s after it happened, in batches of at most 400.
 */
export class AuditBatcher {
  private queue: { event: AuditEvent; at: number }[] = [];
  private nextFlush: number | undefined;

  constructor(
    private readonly rng: Random,
    private readonly flushEveryMs: readonly [number, number] = AUDIT_FLUSH_EVERY_MS,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  /** Queues events (their stage times come from `stageTimestamp`). */
  add(events: readonly AuditEvent[]): void {
    for (const event of events) this.queue.push({ event, at: Date.parse(event.stageTimestamp) });
    this.queue.sort((a, b) => a.at - b.at);
  }

  /** Starts the flush timer at `t` (the first call wins); returns when the next flush is. */
  startAt(t: number): number {
    this.nextFlush ??= t + this.rng.int(this.flushEveryMs[0], this.flushEveryMs[1]);
    return this.nextFlush;
  }

  /** The batches flushed up to `now`, oldest first. */
  due(now: number): AuditEvent[][] {
    const batches: AuditEvent[][] = [];
    let flush = this.startAt(now);
    while (flush <= now) {
      let n = 0;
      while (n < this.queue.length && this.queue[n].at <= flush - MIN_LAG_MS) n++;
      const out = this.queue.splice(0, n).map((q) => q.event);
      for (let i = 0; i < out.length; i += MAX_BATCH) batches.push(out.slice(i, i + MAX_BATCH));
      flush += this.rng.int(this.flushEveryMs[0], this.flushEveryMs[1]);
    }
    this.nextFlush = flush;
    return batches;
  }
}
