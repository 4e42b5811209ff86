import { errors } from '@elastic/elasticsearch';
import type { EsContext } from './context';
import { isConflict, isNotFound, withRetry } from './retry';

/** A rule-run lease as stored in the rules index. */
export interface Lease {
  rule_id: string;
  owner: string;
  /** Epoch ms after which another instance may take the run over. */
  until: number;
}

export const leaseId = (ruleId: string) => `lease:${ruleId}`;

function leaseDocument(lease: Lease) {
  return { type: 'lease', rule_id: lease.rule_id, owner: lease.owner, until: new Date(lease.until).toISOString(), body: lease };
}

/**
 * Claims a rule run with optimistic concurrency: the lease document is read, and written back only
 * if nobody wrote it since (`if_seq_no`/`if_primary_term`); an absent lease is created with
 * `op_type=create`. A held, unexpired lease of another owner is refused; an expired one is taken over.
 * Of several instances racing, exactly one write succeeds; the others see a 409 and lose.
 */
export async function claimLease(ctx: EsContext, ruleId: string, owner: string, until: number): Promise<boolean> {
  const index = ctx.names.rules;
  const id = leaseId(ruleId);
  const current = await withRetry('read lease', () => readLease(ctx, id), ctx.retry, ctx.log);
  const next = leaseDocument({ rule_id: ruleId, owner, until });
  try {
    if (current === null) {
      await withRetry('create lease', () => ctx.client.create({ index, id, document: next, refresh: true }), ctx.retry, ctx.log);
      return true;
    }
    if (current.lease.owner !== owner && current.lease.until > ctx.now()) return false;
    await withRetry(
      'take lease',
      () => ctx.client.index({ index, id, document: next, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm, refresh: true }),
      ctx.retry,
      ctx.log,
    );
    return true;
  } catch (err) {
    if (!isConflict(err)) throw err;
    // A retried write whose first attempt did land also answers 409: the lease is then ours.
    const after = await withRetry('read lease', () => readLease(ctx, id), ctx.retry, ctx.log);
    return after !== null && after.lease.owner === owner && after.lease.until === until;
  }
}

/** Gives a lease back (only its owner can), so the next run need not wait for it to expire. */
export async function releaseLease(ctx: EsContext, ruleId: string, owner: string): Promise<void> {
  const index = ctx.names.rules;
  const id = leaseId(ruleId);
  const current = await withRetry('read lease', () => readLease(ctx, id), ctx.retry, ctx.log);
  if (current === null || current.lease.owner !== owner) return;
  try {
    await withRetry(
      'release lease',
      () => ctx.client.delete({ index, id, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm, refresh: true }),
      ctx.retry,
      ctx.log,
    );
  } catch (err) {
    // Someone took it over after expiry, or it is gone already: nothing of ours to release.
    if (!isConflict(err) && !isNotFound(err)) throw err;
  }
}

async function readLease(ctx: EsContext, id: string): Promise<{ lease: Lease; seqNo: number; primaryTerm: number } | null> {
  try {
    const res = await ctx.client.get<{ body?: Lease }>({ index: ctx.names.rules, id });
    const lease = res._source?.body;
    if (!res.found || !lease || res._seq_no === undefined || res._primary_term === undefined) return null;
    return { lease, seqNo: res._seq_no, primaryTerm: res._primary_term };
  } catch (err) {
    if (err instanceof errors.ResponseError && err.statusCode === 404) return null;
    throw err;
  }
}
