/**
 * The ingest lane: the indices an ingest key may write to. Events go to the index patterns of the loaded rules and
 * of the configured event sources (`logs-*` by default, EXECWATCH_INGEST_INDICES); names starting with `.` (system
 * and alert indices) or `execwatch-` (Execwatch's own state) are always refused, in either store, so that a shipper's
 * key can never write users, exceptions or alerts, nor use Execwatch's own privileges on a cluster for it.
 */
import { wildcardMatches } from '../features/es-compat/names';
import type { BulkItemResult, BulkOperation } from '../store/ports';
import type { ParsedBulkBody } from './parse-bulk';

/** The event sources accepted when EXECWATCH_INGEST_INDICES is not set: Elastic's `logs-*` data streams. */
export const DEFAULT_INGEST_INDICES: readonly string[] = ['logs-*'];

/** Prefixes no ingest write may use, whatever the patterns say. */
const RESERVED_PREFIXES = ['.', 'execwatch-'] as const;

/** Elasticsearch's answer to a write outside the caller's privileges, per item. */
export interface LaneRefusal {
  type: 'security_exception';
  reason: string;
}

/** Which indices ingest writes may name (see the module comment). */
export class IngestLane {
  private readonly patterns: string[];
  /** Decisions by index name: a bulk body names a handful of indices for thousands of documents. */
  private readonly decided = new Map<string, LaneRefusal | null>();

  /**
   * @param sources the configured event source patterns
   * @param rulePatterns the index patterns of the loaded rules (read again on each `refresh`)
   */
  constructor(
    private readonly sources: readonly string[],
    private readonly rulePatterns: () => readonly string[] = () => [],
  ) {
    this.patterns = [];
    this.refresh();
  }

  /** Reads the rules' patterns again (after rules were imported). */
  refresh(): void {
    const all = new Set<string>();
    for (const p of [...this.sources, ...this.rulePatterns()]) {
      const trimmed = p.trim();
      // an exclusion (`-logs-x`) or a remote pattern (`cluster:logs-*`) names nothing to write to
      if (trimmed === '' || trimmed.startsWith('-') || trimmed.includes(':')) continue;
      all.add(trimmed);
    }
    this.patterns.splice(0, this.patterns.length, ...[...all].sort());
    this.decided.clear();
  }

  /** The patterns accepted now (for the README, health and tests). */
  accepted(): readonly string[] {
    return this.patterns;
  }

  /** null when an ingest write may name `index`, or Elasticsearch's refusal. */
  check(index: string): LaneRefusal | null {
    const known = this.decided.get(index);
    if (known !== undefined) return known;
    const refusal = this.decide(index);
    if (this.decided.size < 10_000) this.decided.set(index, refusal);
    return refusal;
  }

  private decide(index: string): LaneRefusal | null {
    const shown = index.slice(0, 300);
    const reserved = RESERVED_PREFIXES.find((p) => index.startsWith(p));
    if (reserved !== undefined) {
      const what = reserved === '.' ? "names starting with '.' are system and alert indices" : "names starting with 'execwatch-' hold Execwatch's own state";
      return { type: 'security_exception', reason: `action [indices:data/write/bulk[s]] is unauthorized: index [${shown}] is outside the ingest lane (${what})` };
    }
    if (this.patterns.some((p) => wildcardMatches(p, index))) return null;
    return {
      type: 'security_exception',
      reason: `action [indices:data/write/bulk[s]] is unauthorized: index [${shown}] is outside the ingest lane (accepted: ${this.patterns.join(', ') || 'none'}; see EXECWATCH_INGEST_INDICES)`,
    };
  }
}

/** The lane's refusal of one operation as a bulk item result (403, as a cluster refuses a write it does not allow). */
export function laneRefusalItem(op: Pick<BulkOperation, 'action' | 'index' | 'id'>, refusal: LaneRefusal): BulkItemResult {
  return { action: op.action, _index: op.index, _id: op.id ?? null, status: 403, error: { type: refusal.type, reason: refusal.reason } };
}

/**
 * Takes the operations outside the lane out of a parsed bulk body: each becomes a 403 item at its own position,
 * the others go on to the store.
 */
export function applyIngestLane(parsed: ParsedBulkBody, lane: IngestLane): void {
  let refused = false;
  for (const op of parsed.operations) {
    if (lane.check(op.index) !== null) {
      refused = true;
      break;
    }
  }
  if (!refused) return;
  // operations fill the positions errors left free, in order: find the position of each
  const taken = new Set(parsed.errors.map((e) => e.position));
  const kept: BulkOperation[] = [];
  let k = 0;
  for (let position = 0; position < parsed.items && k < parsed.operations.length; position++) {
    if (taken.has(position)) continue;
    const op = parsed.operations[k++] as BulkOperation; // k < length
    const refusal = lane.check(op.index);
    if (refusal) parsed.errors.push({ position, line: op.line, result: laneRefusalItem(op, refusal) });
    else kept.push(op);
  }
  parsed.operations = kept;
}
