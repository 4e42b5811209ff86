/** Sends documents to a server's `/_bulk` and maps the per-item results back to input line numbers. */
import type { DocumentItem } from './documents';

export interface ItemFailure {
  lineNo: number;
  reason: string;
}

export interface BatchOutcome {
  stored: number;
  failures: ItemFailure[];
}

/** A failure that makes going on pointless (bad credentials, no server); the command stops with it. */
export class FatalIngestError extends Error {}

export interface BulkClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:5611. */
  url: string;
  /** Full `Authorization` header value, if any. */
  authorization?: string;
  /** Attempts for retryable failures (network errors, 429, 502-504). Default 4. */
  attempts?: number;
  /** First retry delay; doubles each time. Default 500 ms. */
  retryDelayMs?: number;
}

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string } | string;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

function bulkBody(docs: DocumentItem[]): string {
  let body = '';
  for (const d of docs) {
    const meta: Record<string, string> = { _index: d.index };
    if (d.id !== undefined) meta._id = d.id;
    body += `${JSON.stringify({ [d.op]: meta })}\n${d.source}\n`;
  }
  return body;
}

function itemReason(result: BulkItemResult | undefined): string {
  if (!result) return 'no result for this item in the bulk response';
  const { error } = result;
  if (typeof error === 'string') return error;
  if (error) return [error.type, error.reason].filter(Boolean).join(': ') || `status ${result.status ?? 'unknown'}`;
  return `status ${result.status ?? 'unknown'}`;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause; // fetch puts the socket error in `cause`
    if (cause instanceof Error) return `${err.message}: ${cause.message}`;
    return err.message;
  }
  return String(err);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts batches to `/_bulk`; one instance per run. */
export class BulkClient {
  private readonly endpoint: URL;
  private readonly headers: Record<string, string>;
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(opts: BulkClientOptions) {
    this.endpoint = new URL('/_bulk', opts.url);
    this.headers = { 'content-type': 'application/x-ndjson', accept: 'application/json' };
    if (opts.authorization) this.headers.authorization = opts.authorization;
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.retryDelayMs = opts.retryDelayMs ?? 500;
  }

  /** Sends one batch. Resolves with what was stored and what failed (by line); throws FatalIngestError to stop. */
  async send(docs: DocumentItem[]): Promise<BatchOutcome> {
    if (docs.length === 0) return { stored: 0, failures: [] };
    const body = bulkBody(docs);
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await sleep(this.retryDelayMs * 2 ** (attempt - 2));
      let res: Response;
      try {
        res = await fetch(this.endpoint, { method: 'POST', headers: this.headers, body });
      } catch (err) {
        lastProblem = `cannot reach ${this.endpoint.origin} (${describeNetworkError(err)})`;
        continue;
      }
      const text = await res.text();
      if (RETRYABLE_STATUS.has(res.status)) {
        lastProblem = `server answered ${res.status}`;
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        throw new FatalIngestError(
          `server refused the request (${res.status}): set EXECWATCH_USERNAME and EXECWATCH_PASSWORD, or EXECWATCH_API_KEY, for a user allowed to ingest`,
        );
      }
      if (res.status === 404) throw new FatalIngestError(`${this.endpoint.href} not found (404): is --url an Execwatch server?`);
      if (!res.ok) {
        const hint = res.status === 413 ? ' (try a smaller --batch)' : '';
        const reason = `request rejected with ${res.status}${hint}: ${text.slice(0, 200)}`;
        return { stored: 0, failures: docs.map((d) => ({ lineNo: d.lineNo, reason })) };
      }
      return this.mapResponse(docs, text);
    }
    throw new FatalIngestError(`${lastProblem}; gave up after ${this.attempts} attempts`);
  }

  private mapResponse(docs: DocumentItem[], text: string): BatchOutcome {
    let items: unknown;
    try {
      // Only `items` is read, and it is checked to be an array below.
      items = (JSON.parse(text) as { items?: unknown }).items;
    } catch {
      items = undefined;
    }
    if (!Array.isArray(items)) {
      const reason = `unreadable bulk response: ${text.slice(0, 200)}`;
      return { stored: 0, failures: docs.map((d) => ({ lineNo: d.lineNo, reason })) };
    }
    let stored = 0;
    const failures: ItemFailure[] = [];
    docs.forEach((doc, i) => {
      const entry: unknown = items[i];
      // Each item is `{ "<op>": { status, error? } }`, as Elasticsearch answers.
      const result = entry && typeof entry === 'object' ? (Object.values(entry)[0] as BulkItemResult | undefined) : undefined;
      if (result && typeof result.status === 'number' && result.status >= 200 && result.status < 300) stored++;
      else failures.push({ lineNo: doc.lineNo, reason: itemReason(result) });
    });
    return { stored, failures };
  }
}
