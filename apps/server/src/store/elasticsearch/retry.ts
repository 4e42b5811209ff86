import { errors } from '@elastic/elasticsearch';
import type { Logger } from '../../log';

/** How often and how patiently cluster calls are retried. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

/** The cluster could not be reached or kept refusing; the message is safe to show and record. */
export class ClusterUnavailableError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
  ) {
    super(message);
    this.name = 'ClusterUnavailableError';
  }
}

/**
 * A search kept answering with partial results (shard failures, timeouts) through every retry. A run
 * fails on it rather than marking a window covered whose missing hits would never be looked at again.
 */
export class PartialResultsError extends ClusterUnavailableError {
  constructor(
    message: string,
    /** Why the results were partial (shards and failure types). */
    readonly partialReason: string,
  ) {
    super(message, null);
    this.name = 'PartialResultsError';
  }
}

/** The cluster refused a request (a 4xx other than 404/409); the message names its reason. */
export class ClusterRequestError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'ClusterRequestError';
  }
}

/** HTTP statuses worth another try: throttling and server-side trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** True for errors a retry can cure: connection trouble, timeouts, 429 and 5xx responses. */
export function isRetryableError(err: unknown): boolean {
  if (err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError) return true;
  if (err instanceof errors.ResponseError) return isRetryableStatus(err.statusCode ?? 0);
  return false;
}

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A short, secret-free description of a cluster error for logs and execution records. */
export function describeEsError(err: unknown): string {
  if (err instanceof errors.ResponseError) {
    const body: unknown = err.body;
    const reason = extractReason(body);
    return `elasticsearch responded ${err.statusCode ?? '?'}${reason ? `: ${reason}` : ''}`;
  }
  if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) return `elasticsearch unreachable: ${err.message}`;
  if (err instanceof errors.TimeoutError) return 'elasticsearch request timed out';
  return err instanceof Error ? err.message : String(err);
}

function extractReason(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as { error?: unknown }).error; // checked to be an object just before
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const e = error as { type?: unknown; reason?: unknown }; // checked to be an object just before
    return [e.type, e.reason].filter((v) => typeof v === 'string').join(': ') || null;
  }
  return null;
}

/**
 * Runs a cluster call, retrying retryable failures with backoff; after the last attempt throws a
 * ClusterUnavailableError naming the reason. Non-retryable errors are rethrown at once.
 */
export async function withRetry<T>(what: string, fn: () => Promise<T>, policy: RetryPolicy, log: Logger): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryableError(err)) {
        // 404 and 409 are answers callers act on (absent, conflict); other refusals get a readable reason.
        if (err instanceof errors.ResponseError && !isNotFound(err) && !isConflict(err)) {
          throw new ClusterRequestError(`${what} was rejected: ${describeEsError(err)}`, err.statusCode ?? 400);
        }
        throw err;
      }
      last = err;
      if (attempt + 1 < policy.attempts) {
        const delay = backoffDelay(policy, attempt);
        log.warn('elasticsearch call failed, retrying', { what, attempt: attempt + 1, delay_ms: delay, reason: describeEsError(err) });
        await sleep(delay);
      }
    }
  }
  const status = last instanceof errors.ResponseError ? (last.statusCode ?? null) : null;
  throw new ClusterUnavailableError(`${what} failed after ${policy.attempts} attempts: ${describeEsError(last)}`, status);
}

/** True when the error is Elasticsearch's 404 (missing document or index). */
export function isNotFound(err: unknown): boolean {
  return err instanceof errors.ResponseError && err.statusCode === 404;
}

/** True when the error is a version conflict (409). */
export function isConflict(err: unknown): boolean {
  return err instanceof errors.ResponseError && err.statusCode === 409;
}
