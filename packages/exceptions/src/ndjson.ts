import { z } from 'zod';
import {
  exceptionListTypeSchema,
  exportDetailsSchema,
  kibanaEntrySchema,
  namespaceTypeSchema,
  osTypeSchema,
  type ExportDetails,
} from '@execwatch/api';
import { fromKibanaEntries, toKibanaEntries } from './case-insensitive-export';
import { checkWildcardPattern } from './wildcard';

const MAX_LINE_CHARS = 1_000_000;
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date');

/** A list line of Kibana's export, as its import accepts it (unknown keys are kept). */
export const importedListSchema = z.looseObject({
  description: z.string(),
  name: z.string().min(1),
  type: exceptionListTypeSchema,
  list_id: z.string().min(1),
  id: z.string().min(1).optional(),
  immutable: z.boolean().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  namespace_type: namespaceTypeSchema.default('single'),
  os_types: z.array(osTypeSchema).default([]),
  tags: z.array(z.string()).default([]),
  version: z.number().int().min(1).optional(),
  created_at: z.string().optional(),
  created_by: z.string().optional(),
  updated_at: z.string().optional(),
  updated_by: z.string().optional(),
  tie_breaker_id: z.string().optional(),
});
export type ImportedList = z.infer<typeof importedListSchema>;

/** An item line of Kibana's export, as its import accepts it (unknown keys are kept). */
export const importedItemSchema = z.looseObject({
  description: z.string(),
  entries: z.array(kibanaEntrySchema).min(1, 'an item needs at least one entry'),
  list_id: z.string().min(1),
  item_id: z.string().min(1),
  name: z.string().min(1),
  type: z.literal('simple'),
  id: z.string().min(1).optional(),
  comments: z
    .array(
      z.looseObject({
        comment: z.string().min(1),
        id: z.string().optional(),
        created_at: z.string().optional(),
        created_by: z.string().optional(),
      }),
    )
    .default([]),
  expire_time: isoDate.optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  namespace_type: namespaceTypeSchema.default('single'),
  os_types: z.array(osTypeSchema).default([]),
  tags: z.array(z.string()).default([]),
  created_at: z.string().optional(),
  created_by: z.string().optional(),
  updated_at: z.string().optional(),
  updated_by: z.string().optional(),
  tie_breaker_id: z.string().optional(),
});
export type ImportedItem = z.infer<typeof importedItemSchema>;

export interface NdjsonLineError {
  line: number;
  message: string;
}

export interface ParsedExceptionsNdjson {
  lists: ImportedList[];
  items: ImportedItem[];
  details: ExportDetails | null;
  errors: NdjsonLineError[];
}

/**
 * Reads Kibana's exception export format: a list line, item lines and an export-details line, in any
 * order and for any number of lists. A bad line is reported by its 1-based number and the rest kept;
 * an item with a wildcard pattern beyond the cap (`checkWildcardPattern`) is a bad line.
 * Entries written case-insensitively by Execwatch's export come back as they were.
 */
export function parseExceptionsNdjson(text: string): ParsedExceptionsNdjson {
  const out: ParsedExceptionsNdjson = { lists: [], items: [], details: null, errors: [] };
  const lines = text.split('\n');
  lines.forEach((rawLine, i) => {
    const line = i + 1;
    const source = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (source.trim() === '') return;
    if (source.length > MAX_LINE_CHARS) {
      out.errors.push({ line, message: `line is longer than ${MAX_LINE_CHARS} characters` });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      out.errors.push({ line, message: `not JSON: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      out.errors.push({ line, message: 'expected a JSON object' });
      return;
    }
    const record = value as Record<string, unknown>; // checked: non-null, non-array object
    if ('exported_exception_list_count' in record || 'exported_exception_list_item_count' in record) {
      const parsed = exportDetailsSchema.safeParse(record);
      if (parsed.success) out.details = parsed.data;
      else out.errors.push({ line, message: `export details: ${describe(parsed.error)}` });
      return;
    }
    if ('entries' in record || 'item_id' in record) {
      if (Array.isArray(record.entries) && record.entries.some(isValueListEntry)) {
        out.errors.push({ line, message: 'value lists are not supported' });
        return;
      }
      const parsed = importedItemSchema.safeParse(record);
      if (!parsed.success) {
        out.errors.push({ line, message: `exception list item: ${describe(parsed.error)}` });
        return;
      }
      const item = fromKibanaEntries(parsed.data);
      const refused = refusedWildcard(item.entries);
      if (refused !== null) out.errors.push({ line, message: `exception list item: ${refused}` });
      else out.items.push(item);
      return;
    }
    const parsed = importedListSchema.safeParse(record);
    if (parsed.success) out.lists.push(parsed.data);
    else out.errors.push({ line, message: `exception list: ${describe(parsed.error)}` });
  });
  return out;
}

/**
 * Writes one list and its items in Kibana's export format (list line, item lines, export-details
 * line, newline-terminated). Case-insensitive entries are written as Kibana reads them (see
 * case-insensitive-export.ts).
 */
export function exportExceptionsNdjson<L extends object, I extends { entries: readonly z.infer<typeof kibanaEntrySchema>[]; meta?: Record<string, unknown> }>(
  list: L,
  items: readonly I[],
): string {
  const details: ExportDetails = {
    exported_exception_list_count: 1,
    exported_exception_list_item_count: items.length,
    missing_exception_list_item_count: 0,
    missing_exception_list_items: [],
    missing_exception_lists: [],
    missing_exception_lists_count: 0,
  };
  const lines = [JSON.stringify(list), ...items.map((item) => JSON.stringify(toKibanaEntries(item))), JSON.stringify(details)];
  return `${lines.join('\n')}\n`;
}

/** The first wildcard entry beyond the pattern cap, as `entries.N.value: why`, or null. */
function refusedWildcard(entries: readonly z.infer<typeof kibanaEntrySchema>[]): string | null {
  for (const [i, entry] of entries.entries()) {
    if (entry.type !== 'wildcard') continue;
    const why = checkWildcardPattern(entry.value);
    if (why !== null) return `entries.${i}.value: ${why}`;
  }
  return null;
}

function isValueListEntry(entry: unknown): boolean {
  return typeof entry === 'object' && entry !== null && (entry as { type?: unknown }).type === 'list'; // narrowed to object
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
