/** The bulk API's limits and their defaults (the EXECWATCH_BULK_* settings; see config.ts). */

/** Limits of the bulk API; each has a default (see BULK_DEFAULTS). */
export interface BulkIngestOptions {
  /** Largest body, after decoding (413 beyond). */
  bodyLimit?: string;
  /** Requests prepared and stored at once. */
  concurrency?: number;
  /** Bodies held at once: being received, waiting for their turn, or being stored (429 beyond). */
  maxBodies?: number;
  /** Bytes of bodies held at once (429 beyond); one body alone may always take up to `bodyLimit`. */
  bufferLimit?: string;
  /** Largest document (source line): a larger one fails its own item. */
  documentLimit?: string;
  /** The whole body must arrive within this many ms of the request being let in (408 otherwise). */
  bodyTimeoutMs?: number;
  /** At most this many ms without a byte of the body (408 otherwise). */
  idleTimeoutMs?: number;
  /** Longest wait for a turn to be stored (429 after it). */
  turnTimeoutMs?: number;
  /**
   * Longest a turn is held: past it the next request goes ahead while this one finishes, so nothing stuck can
   * stop ingest (default: turnTimeoutMs).
   */
  turnHoldMs?: number;
  /** `Retry-After` on 429, in seconds. */
  retryAfterSeconds?: number;
}

/** The built-in limits: the documented defaults of the EXECWATCH_BULK_* settings. */
export const BULK_DEFAULTS: Required<BulkIngestOptions> = {
  bodyLimit: '100mb',
  concurrency: 3,
  maxBodies: 8,
  bufferLimit: '256mb',
  documentLimit: '10mb',
  bodyTimeoutMs: 10 * 60_000,
  idleTimeoutMs: 30_000,
  turnTimeoutMs: 2 * 60_000,
  turnHoldMs: 2 * 60_000,
  retryAfterSeconds: 1,
};

let configured: BulkIngestOptions = {};

/**
 * Sets the server's own limits (main.ts, from its configuration) for the bulk routes the app builds; options
 * given to createBulkIngest still win (tests).
 */
export function setBulkIngestDefaults(opts: BulkIngestOptions): void {
  configured = { ...opts };
}

/** What setBulkIngestDefaults set. */
export const configuredBulkLimits = (): BulkIngestOptions => configured;

