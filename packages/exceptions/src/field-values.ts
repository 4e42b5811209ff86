/**
 * Reads a dotted ECS field from a document, nested (`{ process: { name } }`) or flattened
 * (`{ "process.name": ... }`) or any mix, as Elasticsearch's `_source` allows.
 */

/** A compiled field reader: the leaf values at `field` (arrays flattened, null/undefined dropped). */
export type FieldReader = (doc: unknown) => unknown[];

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Compiles a reader for `field` once. Nested objects are walked directly; where a segment is
 * missing, the flattened spellings (`a.b`, `a.b.c` as one key) are tried, and arrays fan out.
 * When a document holds both spellings of one path, the nested one wins.
 */
export function compileFieldReader(field: string): FieldReader {
  const segments = field.split('.');
  const n = segments.length;
  /** Flattened keys to try from each depth: `a.b`, `a.b.c`, ... (the single segment is tried first). */
  const joined: { key: string; next: number }[][] = [];
  for (let start = 0; start < n; start++) {
    const options: { key: string; next: number }[] = [];
    let key = segments[start];
    for (let end = start + 1; end < n; end++) {
      key = `${key}.${segments[end]}`;
      options.push({ key, next: end + 1 });
    }
    joined.push(options);
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
    const seg = segments[start];
    if (hasOwn(record, seg)) {
      collect(record[seg], start + 1, out);
      return;
    }
    for (const { key, next } of joined[start]) if (hasOwn(record, key)) collect(record[key], next, out);
  };
  return (doc) => {
    // Fast path: plain nested objects all the way down.
    let node = doc;
    for (let i = 0; i < n; i++) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) {
        const out: unknown[] = [];
        collect(node, i, out);
        return out;
      }
      const record = node as Record<string, unknown>; // checked: non-null, non-array object
      const seg = segments[i];
      const child = record[seg];
      if (child === undefined || !hasOwn(record, seg)) {
        const out: unknown[] = [];
        collect(record, i, out);
        return out;
      }
      node = child;
    }
    const out: unknown[] = [];
    pushLeaves(node, out);
    return out;
  };
}

function pushLeaves(node: unknown, out: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) for (const child of node) pushLeaves(child, out);
  else out.push(node);
}

/** The leaf values of a field's value as a reader returns them (arrays flattened, null/undefined dropped). */
export function leafValues(value: unknown): unknown[] {
  const out: unknown[] = [];
  pushLeaves(value, out);
  return out;
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
