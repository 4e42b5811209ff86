/** Posting generated events to a running server: process events to `/_bulk`, audit events to `/api/k8s/audit`. */
import { toEventList, type AuditEvent, type AuditEventList } from './audit';
import { authorizationHeader, toBulkBody, type Credentials } from './bulk';
import { Simulator } from './simulator';
import { CLUSTER_NAME } from './world';

export interface BulkResult {
  stored: number;
  failed: number;
  /** First per-item error reason, if any. */
  firstError?: string;
}

interface BulkResponseShape {
  errors?: boolean;
  items?: Record<string, { status?: number; error?: { type?: string; reason?: string } }>[];
}

/** Posts events as one bulk request; rejects on HTTP errors, resolves with per-item outcome counts. */
export async function postEvents(url: string, auth: Credentials | undefined, events: object[], index?: string): Promise<BulkResult> {
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
  if (auth) headers.authorization = authorizationHeader(auth);
  const res = await fetch(new URL('/_bulk', url), { method: 'POST', headers, body: toBulkBody(events, index) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /_bulk answered ${res.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as BulkResponseShape; // the server's bulk response; fields are checked below
  let failed = 0;
  let firstError: string | undefined;
  for (const item of body.items ?? []) {
    const outcome = Object.values(item)[0];
    if (!outcome || (outcome.status ?? 500) >= 300) {
      failed++;
      firstError ??= outcome?.error ? `${outcome.error.type ?? 'error'}: ${outcome.error.reason ?? ''}` : 'unknown item error';
    }
  }
  return { stored: (body.items?.length ?? 0) - failed, failed, firstError };
}

export interface AuditPostResult {
  stored: number;
  /** Events the server already had (a batch sent again). */
  duplicates: number;
  /** Events it refused. */
  failed: number;
  firstError?: string;
}

interface AuditResponseShape {
  stored?: number;
  duplicates?: number;
  errors?: { item?: unknown; reason?: string }[];
}

/**
 * Posts audit events as the kube-apiserver's webhook backend does: one `audit.k8s.io/v1` EventList to
 * `/api/k8s/audit?cluster=NAME` (default the simulated cluster). Rejects on HTTP errors.
 */
export async function postAudit(url: string, auth: Credentials | undefined, events: readonly AuditEvent[] | AuditEventList, cluster: string = CLUSTER_NAME): Promise<AuditPostResult> {
  const body = 'items' in events ? events : toEventList(events);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = authorizationHeader(auth);
  const target = new URL('/api/k8s/audit', url);
  target.searchParams.set('cluster', cluster);
  const res = await fetch(target, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /api/k8s/audit answered ${res.status}: ${text.slice(0, 300)}`);
  const result = JSON.parse(text) as AuditResponseShape; // the webhook route's answer; fields are checked below
  const errors = Array.isArray(result.errors) ? result.errors : [];
  return {
    stored: typeof result.stored === 'number' ? result.stored : 0,
    duplicates: typeof result.duplicates === 'number' ? result.duplicates : 0,
    failed: errors.length,
    firstError: errors[0]?.reason,
  };
}

export interface StartSimulatorOptions {
  url: string;
  auth: Credentials;
  eventsPerSecond: number;
  seed?: number;
  sessionsPerMinute?: number;
  attackerRatio?: number;
  /**
   * Post the sessions' audit events to `/api/k8s/audit` as the apiserver's webhook would, in batches 1 to 30 s late.
   * Default on, for the simulated cluster; `false` turns it off.
   */
  audit?: false | { cluster?: string; flushEveryMs?: readonly [number, number] };
  onError?(e: Error): void;
  /** Called after each successful post. */
  onBatch?(result: BulkResult): void;
  /** Called after each audit batch the server took. */
  onAuditBatch?(result: AuditPostResult): void;
}

/**
 * Posts a realistic stream to `/_bulk` once a second until stopped, and the audit webhook's batches as they fall due.
 * A tick whose previous posts are still running is folded into the next one (the events of the elapsed time are
 * generated then), so a slow server is never flooded. An audit batch the server refuses is reported and dropped.
 */
export function startSimulator(opts: StartSimulatorOptions): { stop(): Promise<void> } {
  const audit = opts.audit === false ? undefined : { cluster: opts.audit?.cluster ?? CLUSTER_NAME };
  const sim = new Simulator({
    seed: opts.seed, sessionsPerMinute: opts.sessionsPerMinute, attackerRatio: opts.attackerRatio, audit: audit !== undefined,
    auditFlushEveryMs: opts.audit === false ? undefined : opts.audit?.flushEveryMs,
  });
  // The first post carries one second of events, like every later one.
  let last = Date.now() - 1000;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const report = (e: unknown) => opts.onError?.(e instanceof Error ? e : new Error(String(e)));
  const tick = () => {
    if (inFlight || stopped) return;
    const now = Date.now();
    // After a long stall, at most 10 seconds' worth is posted at once: the stream resumes instead of flooding.
    const elapsedMs = Math.min(now - last, 10_000);
    const count = Math.max(1, Math.round((opts.eventsPerSecond * elapsedMs) / 1000));
    last = now;
    const events = sim.next(now, count);
    const batches = audit ? sim.nextAudit(now) : [];
    const postBatches = async () => {
      for (const batch of batches) {
        try {
          const result = await postAudit(opts.url, opts.auth, batch, audit?.cluster);
          if (result.failed > 0) report(new Error(`${result.failed} of ${batch.items.length} audit events rejected (${result.firstError})`));
          opts.onAuditBatch?.(result);
        } catch (e) {
          report(e);
        }
      }
    };
    inFlight = postEvents(opts.url, opts.auth, events)
      .then((result) => {
        if (result.failed > 0) report(new Error(`${result.failed} of ${events.length} events rejected (${result.firstError})`));
        opts.onBatch?.(result);
      })
      .catch(report)
      .then(postBatches)
      .finally(() => {
        inFlight = undefined;
      });
  };
  const timer = setInterval(tick, 1000);
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
