/**
 * The audit log's hash chain, the same in both stores.
 *
 * Record `seq` (1, 2, 3, ... without gaps) stores `prev_hash`, the hash of record `seq - 1` (the genesis value
 * for record 1), and `hash = sha256hex(prev_hash + canonicalJson({ seq, event }))`. Changing, removing or
 * reordering a record breaks the link after it; the store also keeps the head (last seq and hash), so records cut
 * off the end are found too, unless the head is rewritten with them. An operator who keeps a head printed by
 * `npm run audit:verify` elsewhere can check a later run against it (`--head seq:hash`), which catches even that.
 */
import { createHash } from 'node:crypto';
import type { AuditChainHead, AuditChainRecord, AuditLog } from '../store/ports';

/** What record 1 chains from. */
export const AUDIT_CHAIN_GENESIS = '0'.repeat(64);

/**
 * JSON with object keys sorted (by UTF-16 code units, as RFC 8785 does) and no white space, so that the same
 * value always gives the same text whatever order its keys were written or read back in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined && typeof v !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value) ?? 'null';
}

/** The hash of record `seq` holding `event`, chained to `prevHash`. */
export function chainHash(prevHash: string, seq: number, event: unknown): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalJson({ seq, event }), 'utf8').digest('hex');
}

/** The event as it reads back from storage (what the hash covers): plain JSON. */
export function storedForm<T>(event: T): T {
  return JSON.parse(JSON.stringify(event)) as T; // a JSON round trip gives the same shape back
}

export interface BrokenLink {
  seq: number;
  id: string | null;
  reason: string;
}

export interface ChainVerdict {
  /** Records checked and found linked, up to the first broken one. */
  verified: number;
  /** Audit records in the store, chained or not. */
  total: number;
  head: AuditChainHead | null;
  broken: BrokenLink | null;
}

const BATCH = 1000;

const idOf = (event: unknown): string | null => {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return null;
  const id: unknown = Reflect.get(event, 'id');
  return typeof id === 'string' ? id : null;
};

const timeOf = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN);

/** Names the first field whose indexed copy no longer says what the stored event says, or null. */
function indexedMismatch(record: AuditChainRecord): string | null {
  const event = record.event;
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return 'the stored event is not a JSON object';
  for (const field of ['id', 'user', 'action'] as const) {
    if (record.indexed[field] !== (Reflect.get(event, field) ?? null)) return field;
  }
  if (timeOf(record.indexed['@timestamp']) !== timeOf(Reflect.get(event, '@timestamp'))) return '@timestamp';
  return null;
}

/**
 * Walks the chain from record 1 and returns the first broken link: a missing record, a record whose content or
 * link changed, an indexed field (what searches filter on) that disagrees with its record, or a head (or the
 * `anchor` an operator kept) that the records no longer reach or match.
 */
export async function verifyAuditChain(log: Pick<AuditLog, 'readChain' | 'chainHead' | 'count'>, opts: { anchor?: AuditChainHead } = {}): Promise<ChainVerdict> {
  const head = await log.chainHead();
  const total = await log.count();
  const checkpoints = [...(head ? [{ ...head, what: 'the recorded head' }] : []), ...(opts.anchor ? [{ ...opts.anchor, what: 'the given --head' }] : [])];
  const lastExpected = Math.max(0, ...checkpoints.map((c) => c.seq));
  let prev = AUDIT_CHAIN_GENESIS;
  let verified = 0;
  const verdict = (broken: BrokenLink | null): ChainVerdict => ({ verified, total, head, broken });

  for (let from = 1; ; from += BATCH) {
    const records = await log.readChain({ from, to: from + BATCH });
    for (const record of records) {
      const expected = verified + 1;
      const id = idOf(record.event);
      if (record.seq !== expected) return verdict({ seq: expected, id: null, reason: `record ${expected} is missing (the next stored record is ${record.seq})` });
      if (record.hash === null || record.prev_hash === null) return verdict({ seq: expected, id, reason: 'the record has no hash: it was never chained' });
      if (record.prev_hash !== prev) return verdict({ seq: expected, id, reason: `its prev_hash is not the hash of record ${expected - 1}` });
      if (chainHash(prev, record.seq, record.event) !== record.hash) return verdict({ seq: expected, id, reason: 'its content was changed (the hash does not match)' });
      const mismatch = indexedMismatch(record);
      if (mismatch !== null) return verdict({ seq: expected, id, reason: `its indexed ${mismatch} differs from the stored event` });
      for (const c of checkpoints) {
        if (c.seq === record.seq && c.hash !== record.hash) return verdict({ seq: expected, id, reason: `its hash differs from ${c.what}` });
      }
      prev = record.hash;
      verified = expected;
    }
    if (records.length === 0 && from > lastExpected) break;
  }
  for (const c of checkpoints) {
    if (c.seq > verified) return verdict({ seq: verified + 1, id: null, reason: `record ${verified + 1} is missing (${c.what} is record ${c.seq})` });
  }
  return verdict(null);
}
