import { z } from 'zod';
import { kibanaEntrySchema, type KibanaEntry, type NestedSubEntry } from '@execwatch/api';

/**
 * Kibana has no case-insensitive entries and Elasticsearch `wildcard` patterns cannot fold case
 * (only `*`, `?` and `\`), so a case-insensitive entry is written for Kibana as the closest
 * entry Kibana reads with the same meaning:
 * - `match` / `match_any`: a `match_any` over every upper/lower-case spelling of the values, exactly
 *   equivalent, when that is at most MAX_CASE_VARIANTS values;
 * - otherwise (long values, `wildcard`): the same entry without the flag, i.e. case-sensitive in Kibana,
 *   which hides less there, never more.
 * The original entries travel in `meta.execwatch.case_insensitive_entries` (Kibana keeps `meta` as is),
 * with the exported entries as a fingerprint, so an Execwatch import restores them unless the entries
 * were edited meanwhile.
 */
export const MAX_CASE_VARIANTS = 64;

type Entries = readonly KibanaEntry[];
const originalEntriesSchema = z.array(kibanaEntrySchema).min(1);
type Meta = Record<string, unknown>;

/** Rewrites an item's entries for Kibana; returns the item unchanged when no entry is case-insensitive. */
export function toKibanaEntries<T extends { entries: Entries; meta?: Meta }>(item: T): T {
  if (!item.entries.some(hasCaseInsensitive)) return item;
  const exported = item.entries.map(exportEntry);
  const execwatch = isRecord(item.meta?.execwatch) ? item.meta.execwatch : {};
  return {
    ...item,
    entries: exported,
    meta: { ...(item.meta ?? {}), execwatch: { ...execwatch, case_insensitive_entries: { original: item.entries, exported } } },
  };
}

/** Restores entries written by `toKibanaEntries` when the item's entries are still the exported ones. */
export function fromKibanaEntries<T extends { entries: Entries; meta?: Meta }>(item: T): T {
  const execwatch = item.meta?.execwatch;
  if (!isRecord(execwatch)) return item;
  const saved = execwatch.case_insensitive_entries;
  if (!isRecord(saved) || !Array.isArray(saved.original) || !Array.isArray(saved.exported)) return item;
  if (JSON.stringify(saved.exported) !== JSON.stringify(item.entries)) return item;
  // the fingerprint ties `original` to the exported entries only if nobody edited the file in between
  const parsed = originalEntriesSchema.safeParse(saved.original);
  if (!parsed.success) return item;
  const { case_insensitive_entries: _dropped, ...restExecwatch } = execwatch;
  const { execwatch: _old, ...restMeta } = item.meta ?? {};
  const meta: Meta = Object.keys(restExecwatch).length > 0 ? { ...restMeta, execwatch: restExecwatch } : restMeta;
  const out = { ...item, entries: parsed.data };
  if (Object.keys(meta).length > 0) return { ...out, meta };
  delete out.meta;
  return out;
}

function hasCaseInsensitive(entry: KibanaEntry): boolean {
  if (entry.type === 'nested') return entry.entries.some((e) => 'case_insensitive' in e && e.case_insensitive === true);
  return 'case_insensitive' in entry && entry.case_insensitive === true;
}

function exportEntry(entry: KibanaEntry): KibanaEntry {
  switch (entry.type) {
    case 'nested':
      return { ...entry, entries: entry.entries.map((e) => exportSubEntry(e)) };
    case 'match':
    case 'match_any':
    case 'wildcard':
      return exportSubEntry(entry);
    default:
      return entry;
  }
}

function exportSubEntry(entry: NestedSubEntry): NestedSubEntry;
function exportSubEntry(entry: KibanaEntry): KibanaEntry;
function exportSubEntry(entry: KibanaEntry): KibanaEntry {
  if (entry.type !== 'match' && entry.type !== 'match_any' && entry.type !== 'wildcard') return entry;
  const { case_insensitive: ci, ...plain } = entry;
  if (ci === true && (plain.type === 'match' || plain.type === 'match_any')) {
    const variants = caseVariants(plain.type === 'match' ? [plain.value] : plain.value, MAX_CASE_VARIANTS);
    if (variants) return { field: plain.field, operator: plain.operator, type: 'match_any', value: variants };
  }
  return plain;
}

/** Every case spelling of the values, or null when there would be more than `limit`. */
export function caseVariants(values: readonly string[], limit: number): string[] | null {
  const out = new Set<string>();
  for (const value of values) {
    let spellings = [''];
    for (const ch of value) {
      const lower = ch.toLowerCase();
      const upper = ch.toUpperCase();
      const options = lower === upper || lower.length !== 1 || upper.length !== 1 ? [ch] : [lower, upper];
      if (spellings.length * options.length > limit) return null;
      spellings = spellings.flatMap((s) => options.map((o) => s + o));
    }
    for (const s of spellings) out.add(s);
    if (out.size > limit) return null;
  }
  return [...out];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
