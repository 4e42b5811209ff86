/**
 * Fields with a column of their own in the events table (all inside the window index), so pre-filters on
 * them are decided from the index without reading documents. `g_nested_arrays` is 1 when a parent of
 * any of them is an array of objects; such rows always pass to the exact matcher.
 *
 * The columns are stored, not generated: their values are worked out when a document is prepared for
 * storage (doc-prep.ts, off the request thread), so an insert only copies them into the row and indexes.
 */
export const HOT_FIELD_COLUMNS: Readonly<Record<string, string>> = {
  'process.interactive': 'g_interactive',
  'process.entry_leader.same_as_process': 'g_same_as_process',
  'process.entry_leader.entry_meta.type': 'g_entry_meta_type',
  'event.type': 'g_event_type',
};

/** Fields whose existence has a column. */
export const HOT_EXISTS_COLUMNS: Readonly<Record<string, string>> = {
  'container.id': 'g_has_container_id',
  'process.interactive': 'g_interactive IS NOT NULL',
  'process.entry_leader.same_as_process': 'g_same_as_process IS NOT NULL',
  'process.entry_leader.entry_meta.type': 'g_entry_meta_type IS NOT NULL',
  'event.type': 'g_event_type IS NOT NULL',
};

export const NESTED_ARRAYS_COLUMN = 'g_nested_arrays';

/** A stored column: the value of the field at `path` (`->>`), or with `exists`, 1 when it has a non-null value. */
export interface StoredColumn {
  name: string;
  path: readonly string[];
  exists: boolean;
  /** Its SQL over the JSONB document `d`. */
  sql: (d: string) => string;
}

function storedColumn(name: string, field: string, exists = false): StoredColumn {
  const read = (d: string) => `${d} ->> '$.${field}'`;
  return { name, path: field.split('.'), exists, sql: exists ? (d) => `(${read(d)}) IS NOT NULL` : read };
}

/**
 * The stored columns read straight from the JSONB document `d`, in the order doc-prep.ts returns them.
 * The entry leader's start and id key the session index (start first, so new rows land near the end of
 * the index instead of all over it).
 */
export const STORED_COLUMNS: readonly StoredColumn[] = [
  storedColumn('g_interactive', 'process.interactive'),
  storedColumn('g_same_as_process', 'process.entry_leader.same_as_process'),
  storedColumn('g_entry_meta_type', 'process.entry_leader.entry_meta.type'),
  storedColumn('g_has_container_id', 'container.id', true),
  storedColumn('g_event_type', 'event.type'),
  storedColumn('g_leader_id', 'process.entry_leader.entity_id'),
  storedColumn('g_leader_start', 'process.entry_leader.start'),
];

/** SQL: 1 when a parent object of a hot field in document `d` is an array. */
export function arrayParentsSql(d: string): string {
  return `json_type(${d}, '$.process') = 'array' OR json_type(${d}, '$.event') = 'array' OR json_type(${d}, '$.container') = 'array'
      OR json_type(${d}, '$.process.entry_leader') = 'array' OR json_type(${d}, '$.process.entry_leader.entry_meta') = 'array'`;
}

/**
 * SQL for `g_nested_arrays` of document `d`, given the hot columns already worked out (`col(name)` is
 * their SQL). A path through an array reads as NULL, so when every hot field has a value no parent of
 * them can be an array and the five json_type lookups are skipped (the common case for process events).
 */
export function nestedArraysSql(d: string, col: (name: string) => string): string {
  return `CASE WHEN ${col('g_interactive')} IS NULL OR ${col('g_same_as_process')} IS NULL OR ${col('g_entry_meta_type')} IS NULL
      OR NOT ${col('g_has_container_id')} OR ${col('g_event_type')} IS NULL
    THEN ${arrayParentsSql(d)}
    ELSE 0 END`;
}

const hotIndex = (name: string): number => STORED_COLUMNS.findIndex((c) => c.name === name);
const [INTERACTIVE, SAME_AS_PROCESS, ENTRY_META_TYPE, HAS_CONTAINER_ID, EVENT_TYPE] = [
  'g_interactive', 'g_same_as_process', 'g_entry_meta_type', 'g_has_container_id', 'g_event_type',
].map(hotIndex) as [number, number, number, number, number]; // all five are stored columns

/**
 * What nestedArraysSql decides on before any lookup, from the stored column values (STORED_COLUMNS order,
 * from `offset`): whether some hot field is missing, so its parents need looking at.
 */
export function someHotFieldMissing(values: readonly unknown[], offset = 0): boolean {
  return values[offset + INTERACTIVE] === null || values[offset + SAME_AS_PROCESS] === null || values[offset + ENTRY_META_TYPE] === null
    || !values[offset + HAS_CONTAINER_ID] || values[offset + EVENT_TYPE] === null;
}
