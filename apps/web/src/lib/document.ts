/** Reads a dotted path from a nested document, also accepting flattened dotted keys at any level. */
export function getPath(doc: unknown, path: string): unknown {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const record = doc as Record<string, unknown>; // checked just above
  if (path in record) return record[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    if (head in record) {
      const found = getPath(record[head], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Flattens a nested document to sorted `dotted.path -> value` rows (arrays kept as values). */
export function flattenDocument(doc: unknown, prefix = '', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    for (const [key, value] of Object.entries(doc)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) flattenDocument(value, path, out);
      else out.push([path, value]);
    }
  } else if (prefix) {
    out.push([prefix, doc]);
  }
  if (!prefix) out.sort((a, b) => a[0].localeCompare(b[0]));
  return out;
}

/** A document value as display text. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
