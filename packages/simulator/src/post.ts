/** Posting generated events to a running server's `/_bulk`. */
import { authorizationHeader, toBulkBody, type Credentials } from './bulk';
import { Simulator } from './simulator';

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

export interface StartSimulatorOptions {
  url: string;
  auth: Credentials;
  eventsPerSecond: number;
  seed?: number;
  sessionsPerMinute?: number;
  attackerRatio?: number;
  onError?(e: Error): void;
  /** Called after each successful post. */
  onBatch?(result: BulkResult): void;
}

/**
 * Posts a realistic stream to `/_bulk` once a second until stopped. A tick whose previous post is still running is
 * folded into the next one (the events of the elapsed time are generated then), so a slow server is never flooded.
 */
export function startSimulator(opts: StartSimulatorOptions): { stop(): Promise<void> } {
  const sim = new Simulator({ seed: opts.seed, sessionsPerMinute: opts.sessionsPerMinute, attackerRatio: opts.attackerRatio });
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
    inFlight = postEvents(opts.url, opts.auth, events)
      .then((result) => {
        if (result.failed > 0) report(new Error(`${result.failed} of ${events.length} events rejected (${result.firstError})`));
        opts.onBatch?.(result);
      })
      .catch(report)
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
