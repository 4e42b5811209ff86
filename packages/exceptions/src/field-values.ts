/**
 * Reads a dotted ECS field from a document, nested (`{ process: { name } }`) or flattened
 * (`{ "process.name": ... }`) or any mix, as Elasticsearch's `_source` allows.
 */

/** A compiled field reader: the leaf values at `field` (arrays flattened, null/undefined dropped). */
export type FieldReader = (doc: unknown) => unknown[];

/**
 * Compiles a reader for `field` once: the keys to try at each depth (`a`, `a.b`, `a.b.c` for
 * flattened sources) are joined here, so reading a document allocates nothing but the result.
 */
export function compileFieldReader(field: string): FieldReader {
  const segments = field.split('.');
  const n = segments.length;
  const keys: { key: string; next: number }[][] = [];
  for (let start = 0; start < n; start++) {
    const options: { key: string; next: number }[] = [];
    let key = '';
    for (let end = start; end < n; end++) {
      key = end === start ? segments[end] : `${key}.${segments[end]}`;
      options.push({ key, next: end + 1 });
    }
    keys.push(options);
  }
  const collect = (node: unknown, start: number, out: unknown[]): void => {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      for (const child of node) collect(child, start, out);
      return;
    }
    if (start === n) {
      out.push(node);
      return;
    }
    if (typeof node !== 'object') return;
    const record = node as Record<string, unknown>; // checked: non-null, non-array object
    for (const { key, next } of keys[start]) {
      const child = record[key];
      if (child !== undefined && Object.prototype.hasOwnProperty.call(record, key)) collect(child, next, out);
    }
  };
  return (doc) => {
    const out: unknown[] = [];
    collect(doc, 0, out);
    return out;
  };
}

/** Leaf values as the strings a keyword field would index (objects are not leaves). */
export function stringValues(values: unknown[]): string[] {
  let allStrings = true;
  for (const v of values) {
    if (typeof v !== 'string') {
      allStrings = false;
      break;
    }
  }
  // The common case (keyword fields) needs no copy; the array is never mutated by callers.
  if (allStrings) return values as string[];
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') out.push(String(v));
  }
  return out;
}
