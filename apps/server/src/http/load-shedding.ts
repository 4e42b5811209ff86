/**
 * Load shedding: when the server falls behind while people are waiting on it, new bulk ingest requests are
 * refused (429, Elasticsearch's `es_rejected_execution_exception` with `Retry-After`) before they are
 * authenticated or read, so that analysts' pages, health checks and sign-in keep their share of the event loop.
 * Shippers send the refused requests again later; nothing but bulk requests is ever refused here.
 *
 * "Behind" is measured, not guessed: the event loop's delay (perf_hooks), as the 99th percentile of each
 * window (one second by default), and the bulk requests in flight. Refusing for delay happens when every one
 * of the last `windows` windows lagged beyond `maxLoopDelayMs` (one stall, a garbage collection or the
 * machine's other work, is not overload) while a person's request (to Execwatch's API, not a health check) is
 * in flight: storing a large batch stalls the loop by itself, and with nobody else waiting, ingest may take it
 * all. Refusing for count happens when `maxBulkInFlight` bulk requests are in flight already.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sendEsRejection } from '../ingest/es-rejection';
import { isBulkPath } from './server-limits';

/** The event loop's recent delay: the lowest of the last windows' 99th percentiles, in ms (so: sustained lag). */
export interface LoopDelaySource {
  sustainedP99Ms(): number;
  close(): void;
}

/** Measures the event loop's delay with perf_hooks over windows of `windowMs`; `windows` of them make "sustained". */
export function eventLoopDelaySource(opts: { windowMs?: number; windows?: number; resolutionMs?: number } = {}): LoopDelaySource {
  const windowMs = opts.windowMs ?? 1000;
  const windows = Math.max(1, opts.windows ?? 2);
  const histogram = monitorEventLoopDelay({ resolution: opts.resolutionMs ?? 10 });
  histogram.enable();
  const recent: number[] = [];
  const timer = setInterval(() => {
    // percentile() is in ns; an empty window (no samples yet) reads as no delay
    recent.push(histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0);
    if (recent.length > windows) recent.shift();
    histogram.reset();
  }, windowMs);
  timer.unref();
  return {
    sustainedP99Ms: () => (recent.length < windows ? 0 : Math.min(...recent)),
    close: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

export interface SheddingPolicy {
  /** Refuse new bulk requests while the loop's sustained p99 delay is above this (ms) and people wait on the server; 0 never refuses for delay. */
  maxLoopDelayMs: number;
  /** Refuse new bulk requests while this many are in flight; 0 sets no limit. */
  maxBulkInFlight: number;
}

export const SHEDDING_DEFAULTS: SheddingPolicy = { maxLoopDelayMs: 200, maxBulkInFlight: 32 };

/** What the shedding decision looks at. */
export interface LoadSample {
  /** The loop's sustained p99 delay, ms. */
  loopDelayMs: number;
  bulkInFlight: number;
  /** Requests in flight of anyone but shippers and health checks. */
  interactiveInFlight: number;
}

/** Why a new bulk request is refused now, or null to let it in. */
export function shedDecision(sample: LoadSample, policy: SheddingPolicy): string | null {
  if (policy.maxLoopDelayMs > 0 && sample.interactiveInFlight > 0 && sample.loopDelayMs > policy.maxLoopDelayMs) {
    return `the server is overloaded (event loop delay p99 [${Math.round(sample.loopDelayMs)}ms] is above [${policy.maxLoopDelayMs}ms]); send it again later`;
  }
  if (policy.maxBulkInFlight > 0 && sample.bulkInFlight >= policy.maxBulkInFlight) {
    return `[${sample.bulkInFlight}] bulk requests are in flight already (at most [${policy.maxBulkInFlight}]); send it again later`;
  }
  return null;
}

/**
 * People's requests: Execwatch's own API but its health check and the audit webhook. (Outside `/api` are the
 * web app's files, whose pages then call the API, and Elasticsearch's API, which shippers call.)
 */
const PEOPLE_PATH = /^\/api\/(?!(?:health|k8s\/audit)\/?(?:[?#]|$))/i;

export interface LoadShedder {
  /** The request listener that refuses new bulk requests under overload and passes everything else to `next`. */
  wrap(next: RequestListener): RequestListener;
  /** Bulk requests let in and not yet answered. */
  bulkInFlight(): number;
  /** People's requests (Execwatch's API but health checks and the audit webhook) not yet answered. */
  interactiveInFlight(): number;
  close(): void;
}

/** A load shedder over a delay source (eventLoopDelaySource, or a stand-in in tests). */
export function createLoadShedder(opts: { source: LoopDelaySource; policy?: SheddingPolicy; retryAfterSeconds?: number }): LoadShedder {
  const policy = opts.policy ?? SHEDDING_DEFAULTS;
  const retryAfter = opts.retryAfterSeconds ?? 1;
  let bulk = 0;
  let interactive = 0;
  return {
    wrap: (next) => (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST' && isBulkPath(req.url)) {
        const reason = shedDecision({ loopDelayMs: opts.source.sustainedP99Ms(), bulkInFlight: bulk, interactiveInFlight: interactive }, policy);
        if (reason !== null) {
          sendEsRejection(req, res, `rejected execution of bulk request: ${reason}`, retryAfter);
          return;
        }
        bulk++;
        res.once('close', () => bulk--);
      } else if (PEOPLE_PATH.test(req.url ?? '/')) {
        interactive++;
        res.once('close', () => interactive--);
      }
      next(req, res);
    },
    bulkInFlight: () => bulk,
    interactiveInFlight: () => interactive,
    close: () => opts.source.close(),
  };
}
