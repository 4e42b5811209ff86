/**
 * Fields with a generated column in the events table (all inside the window index), so pre-filters on
 * them are decided from the index without reading documents. `g_nested_arrays` is 1 when a parent of
 * any of them is an array of objects; such rows always pass to the exact matcher.
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
