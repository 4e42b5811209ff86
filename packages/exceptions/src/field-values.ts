/**
 * Reads a dotted ECS field from a document, nested (`{ process: { name } }`) or flattened
 * (`{ "process.name": ... }`) or any mix, as Elasticsearch's `_source` allows.
 */

/** A compiled field reader: the leaf values at `field` (arrays flattened, null/undefined dropped). */
export type FieldReader = (doc: unknown) => unknown[];

/** Compiles a reader for `field` once, so matching never re-splits the path. */
export function compileFieldReader(field: string): FieldReader {
  const segments = field.split('.');
  return (doc) => {
    const out: unknown[] = [];
    collect(doc, segments, 0, out);
    return out;
  };
}

function collect(node: unknown, segments: string[], start: number, out: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const child of node) collect(child, segments, start, out);
    return;
  }
  if (start === segments.length) {
    out.push(node);
    return;
  }
  if (typeof node !== 'object') return;
  const record = node as Record<string, unknown>; // checked: non-null, non-array object
  let key = '';
  for (let end = start; end < segments.length; end++) {
    key = end === start ? segments[end] : `${key}.${segments[end]}`;
    if (Object.prototype.hasOwnProperty.call(record, key)) collect(record[key], segments, end + 1, out);
  }
}

/** Leaf values as the strings a keyword field would index (objects are not leaves). */
export function stringValues(values: unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') out.push(String(v));
  }
  return out;
}
