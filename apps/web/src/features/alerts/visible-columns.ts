/**
 * The analyst's column choice as stored in this browser, with the columns added to the table since then shown
 * once: they are new, not hidden. A choice saved before the table remembered which columns it had offered counts
 * as having seen every column but `addedSinceFirstRelease`.
 */
export function mergeStoredColumns(opts: {
  stored: unknown;
  seen: unknown;
  known: readonly string[];
  defaults: readonly string[];
  addedSinceFirstRelease: readonly string[];
}): string[] {
  const { stored, seen, known, defaults, addedSinceFirstRelease } = opts;
  if (!Array.isArray(stored)) return [...defaults];
  const chosen = stored.filter((id): id is string => typeof id === 'string' && known.includes(id));
  if (chosen.length === 0) return [...defaults];
  const seenIds = Array.isArray(seen) ? seen.filter((id): id is string => typeof id === 'string') : known.filter((id) => !addedSinceFirstRelease.includes(id));
  const added = defaults.filter((id) => !seenIds.includes(id) && !chosen.includes(id));
  if (added.length === 0) return chosen;
  // A new column goes where the default order puts it: after the last chosen column that precedes it there.
  const out = [...chosen];
  for (const id of added) {
    const before = defaults.slice(0, defaults.indexOf(id)).filter((d) => out.includes(d));
    const anchor = before[before.length - 1];
    out.splice(anchor === undefined ? 0 : out.indexOf(anchor) + 1, 0, id);
  }
  return out;
}
