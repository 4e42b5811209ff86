import type { ExceptionEntry, NestedSubEntry } from '@execwatch/api';
import { usableItems, type MatchableExceptionItem, type SkippedItem } from './item-input';

/** An Elasticsearch query DSL clause (plain JSON). */
export type QueryClause = Record<string, unknown>;

/** Kibana's default: `indices.query.bool.max_clause_count` is at least 1024. */
export const DEFAULT_EXCEPTION_CHUNK_SIZE = 1024;

/**
 * Builds the query Kibana's `buildExceptionFilter` builds for the same items: a bool/should of items,
 * each a bool/filter of its entries (a single entry stands alone), with more than `chunkSize` items
 * split into nested should-chunks. The detection engine puts it in `must_not`. Returns null when no
 * item is in force. Case-insensitive entries (an Execwatch extension) use the `case_insensitive`
 * option of `term`/`wildcard` queries, which Elasticsearch supports on keyword fields.
 */
export function buildExceptionFilter(
  items: readonly MatchableExceptionItem[],
  opts: { now: number; chunkSize?: number },
): { query: QueryClause | null; skipped: SkippedItem[] } {
  const chunkSize = Math.max(1, opts.chunkSize ?? DEFAULT_EXCEPTION_CHUNK_SIZE);
  const { usable, skipped } = usableItems(items, opts.now);
  if (usable.length === 0) return { query: null, skipped };
  const itemClauses = (chunk: typeof usable) => chunk.flatMap((item) => buildItemClauses(item.entries, item.osTypes));
  if (usable.length <= chunkSize) return { query: { bool: { should: itemClauses(usable) } }, skipped };
  const chunks: QueryClause[] = [];
  for (let i = 0; i < usable.length; i += chunkSize) chunks.push({ bool: { should: itemClauses(usable.slice(i, i + chunkSize)) } });
  return { query: { bool: { should: chunks } }, skipped };
}

/** One item's clauses; `os_types` multiply the item into one clause per OS field and type, as Kibana does. */
export function buildItemClauses(entries: ExceptionEntry[], osTypes: readonly string[] = []): QueryClause[] {
  if (osTypes.length > 0) {
    const osFields = ['host.os.type', 'host.os.name.caseless'];
    return osFields.flatMap((osField) =>
      osTypes.map((os) => ({
        bool: {
          filter: [
            buildEntryClause({ field: osField, operator: 'included', type: 'match', value: os }),
            ...entries.map((e) => buildEntryClause(e)),
          ],
        },
      })),
    );
  }
  if (entries.length === 1) return [buildEntryClause(entries[0])];
  return [{ bool: { filter: entries.map((e) => buildEntryClause(e)) } }];
}

/** One entry's clause; `parent` prefixes fields inside a nested entry. */
export function buildEntryClause(entry: ExceptionEntry | NestedSubEntry, parent?: string): QueryClause {
  if (entry.type === 'nested') return buildNestedClause(entry.field, entry.entries);
  const field = parent ? `${parent}.${entry.field}` : entry.field;
  let clause: QueryClause;
  switch (entry.type) {
    case 'match':
      clause = shouldOne(phraseOrTerm(field, entry.value, entry.case_insensitive === true));
      break;
    case 'match_any': {
      const ci = entry.case_insensitive === true;
      clause =
        entry.value.length === 1
          ? shouldOne(phraseOrTerm(field, entry.value[0], ci))
          : { bool: { minimum_should_match: 1, should: entry.value.map((v) => shouldOne(phraseOrTerm(field, v, ci))) } };
      break;
    }
    case 'wildcard':
      clause = {
        bool: {
          filter: {
            wildcard: { [field]: entry.case_insensitive === true ? { value: entry.value, case_insensitive: true } : entry.value },
          },
        },
      };
      break;
    case 'exists':
      clause = shouldOne({ exists: { field } });
      break;
  }
  return entry.operator === 'excluded' ? { bool: { must_not: clause } } : clause;
}

function buildNestedClause(path: string, entries: NestedSubEntry[]): QueryClause {
  const query = entries.length === 1 ? buildEntryClause(entries[0], path) : { bool: { filter: entries.map((e) => buildEntryClause(e, path)) } };
  return { nested: { path, query, score_mode: 'none' } };
}

function shouldOne(inner: QueryClause): QueryClause {
  return { bool: { minimum_should_match: 1, should: [inner] } };
}

function phraseOrTerm(field: string, value: string, caseInsensitive: boolean): QueryClause {
  return caseInsensitive ? { term: { [field]: { value, case_insensitive: true } } } : { match_phrase: { [field]: value } };
}
