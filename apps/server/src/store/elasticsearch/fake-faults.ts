/**
 * Test support: cluster trouble the fake cluster can be told to produce for the next N requests:
 * an HTTP status (429, 503, ...), a dropped connection, or a partial `_eql/search` answer
 * (`is_partial` with shard failures, some hits missing).
 */
import { errors } from '@elastic/elasticsearch';

export type Fault =
  | { kind: 'status'; status: number; type?: string; reason?: string }
  | { kind: 'connection'; message?: string }
  | { kind: 'partial'; reason?: string };

interface ArmedFault {
  fault: Fault;
  /** Only requests whose path ends with `/<endpoint>`; null = any request (partial faults: `_eql/search` only). */
  endpoint: string | null;
  remaining: number;
}

type Json = Record<string, unknown>;

const DEFAULT_STATUS_TYPE: Record<number, string> = {
  429: 'es_rejected_execution_exception',
  500: 'internal_server_error',
  502: 'bad_gateway',
  503: 'unavailable_shards_exception',
  504: 'gateway_timeout',
};

/** Faults armed for upcoming requests, taken in the order they were armed. */
export class FaultPlan {
  private readonly armed: ArmedFault[] = [];

  /** The next `count` requests (to `endpoint` when given) get `fault`. */
  add(fault: Fault, count: number, endpoint?: string): void {
    if (!Number.isInteger(count) || count < 1) throw new Error(`fault count must be a positive integer, got ${count}`);
    this.armed.push({ fault, endpoint: endpoint ?? (fault.kind === 'partial' ? '_eql/search' : null), remaining: count });
  }

  /** The fault for a request to `path`, consuming one use, or null when none applies. */
  take(path: string): Fault | null {
    const hit = this.armed.find((a) => a.remaining > 0 && (a.endpoint === null || path.endsWith(`/${a.endpoint}`)));
    if (!hit) return null;
    hit.remaining--;
    return hit.fault;
  }

  /** Uses left over all armed faults. */
  get pending(): number {
    return this.armed.reduce((n, a) => n + a.remaining, 0);
  }

  clear(): void {
    this.armed.length = 0;
  }
}

/** The error a status or connection fault answers with (the mock turns it into the HTTP response or a rejection). */
export function faultError(fault: Exclude<Fault, { kind: 'partial' }>): Error {
  if (fault.kind === 'connection') return new errors.ConnectionError(fault.message ?? 'connect ECONNREFUSED fake-cluster:9200');
  const type = fault.type ?? DEFAULT_STATUS_TYPE[fault.status] ?? 'fake_cluster_exception';
  const reason = fault.reason ?? `injected ${fault.status}`;
  return new errors.ResponseError({ body: { error: { type, reason }, status: fault.status }, statusCode: fault.status, headers: {}, warnings: [], meta: {} as never }); // the mock reads only body and status
}

/**
 * Turns a complete `_eql/search` answer into a partial one: every second hit is missing (its shard
 * failed), `is_partial` is set and the shard failure names the reason.
 */
export function partialAnswer(answer: Json, index: string, fault: Extract<Fault, { kind: 'partial' }>): Json {
  const hits = (answer.hits ?? {}) as { events?: unknown[]; sequences?: unknown[]; total?: unknown }; // the EQL answer built by the fake cluster
  const keep = <T>(list: T[] | undefined) => list?.filter((_, i) => i % 2 === 0);
  const events = keep(hits.events);
  const sequences = keep(hits.sequences);
  const kept = events?.length ?? sequences?.length ?? 0;
  return {
    ...answer,
    is_partial: true,
    shard_failures: [{ shard: 1, index, reason: { type: 'circuit_breaking_exception', reason: fault.reason ?? '[parent] Data too large' } }],
    hits: { ...hits, total: { value: kept, relation: 'eq' }, ...(events ? { events } : {}), ...(sequences ? { sequences } : {}) },
  };
}
