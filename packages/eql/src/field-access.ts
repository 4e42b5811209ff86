/**
 * Reading a field from a document that may use nested objects, dotted keys, or both, where arrays are multi-valued.
 * A getter returns `undefined` when the field is absent, `null` for an explicit null, a scalar, or an array of values
 * (which may itself hold nulls or nested arrays; see forEachValue).
 */
export type RawGetter = (doc: object) => unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects every value reachable at `segs[from..]` below `node`, trying nested objects and dotted keys alike. */
function collect(node: unknown, segs: string[], from: number, out: unknown[]): void {
  if (from === segs.length) {
    if (Array.isArray(node)) for (const v of node) out.push(v);
    else if (node !== undefined) out.push(node);
    return;
  }
  if (Array.isArray(node)) {
    for (const el of node) collect(el, segs, from, out);
    return;
  }
  if (!isPlainObject(node)) return;
  let key = segs[from];
  for (let j = from; j < segs.length; j++) {
    if (j > from) key += `.${segs[j]}`;
    if (Object.prototype.hasOwnProperty.call(node, key)) collect(node[key], segs, j + 1, out);
  }
}

function slowGet(doc: object, segs: string[]): unknown {
  const out: unknown[] = [];
  collect(doc, segs, 0, out);
  if (out.length === 0) return undefined;
  if (out.length === 1) return out[0];
  return out;
}

/**
 * A precompiled getter for `path`; the common all-nested (or single flat key) case reads without allocating.
 * When a document holds the same field both nested and as a dotted key, the nested value wins on this fast path.
 */
export function makeGetter(path: string): RawGetter {
  const segs = path.split('.');
  const n = segs.length;
  if (n === 1) {
    const key = segs[0];
    return (doc) => (doc as Record<string, unknown>)[key];
  }
  const s0 = segs[0];
  const s1 = segs[1];
  if (n === 2) {
    return (doc) => {
      const rec = doc as Record<string, unknown>;
      const o = rec[s0];
      if (isPlainObject(o)) {
        const v = o[s1];
        if (v !== undefined) return v;
      } else if (o === undefined) {
        const flat = rec[path];
        if (flat !== undefined) return flat;
        return undefined;
      }
      return slowGet(doc, segs);
    };
  }
  if (n === 3) {
    const s2 = segs[2];
    return (doc) => {
      const a = (doc as Record<string, unknown>)[s0];
      if (typeof a === 'object' && a !== null) {
        const b = (a as Record<string, unknown>)[s1];
        if (typeof b === 'object' && b !== null) {
          const v = (b as Record<string, unknown>)[s2];
          if (v !== undefined && !Array.isArray(a) && !Array.isArray(b)) return v;
        }
      }
      return slowGet(doc, segs);
    };
  }
  return (doc) => {
    let o: unknown = doc;
    for (let i = 0; i < n; i++) {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return slowGet(doc, segs);
      const v: unknown = (o as Record<string, unknown>)[segs[i]];
      if (v === undefined) {
        const flat = (doc as Record<string, unknown>)[path];
        if (i === 0 && flat !== undefined && !Array.isArray(flat)) return flat;
        return slowGet(doc, segs);
      }
      o = v;
    }
    return o;
  };
}

/** Calls `fn` for each non-null scalar value of a getter result (flattening nested arrays); stops when fn returns true. */
export function someValue(raw: unknown, fn: (v: unknown) => boolean): boolean {
  if (raw === null || raw === undefined) return false;
  if (!Array.isArray(raw)) return fn(raw);
  for (let i = 0; i < raw.length; i++) {
    const v: unknown = raw[i];
    if (v === null || v === undefined) continue;
    if (Array.isArray(v) ? someValue(v, fn) : fn(v)) return true;
  }
  return false;
}

/** Whether a getter result holds no value at all (absent, null, or only nulls). */
export function isNullish(raw: unknown): boolean {
  if (raw === null || raw === undefined) return true;
  if (!Array.isArray(raw)) return false;
  for (const v of raw) if (!isNullish(v)) return false;
  return true;
}

/** The distinct non-null values of a getter result, in order of appearance. */
export function distinctValues(raw: unknown): unknown[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) return [raw];
  const out: unknown[] = [];
  collectDistinct(raw, out);
  return out;
}

function collectDistinct(arr: unknown[], out: unknown[]): void {
  for (let i = 0; i < arr.length; i++) {
    const v: unknown = arr[i];
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) collectDistinct(v, out);
    else if (!out.includes(v)) out.push(v);
  }
}

/** The first non-null value (functions take single values). */
export function firstValue(raw: unknown): unknown {
  if (!Array.isArray(raw)) return raw === undefined ? null : raw;
  for (let i = 0; i < raw.length; i++) {
    const v: unknown = raw[i];
    if (v === null || v === undefined) continue;
    if (!Array.isArray(v)) return v;
    const inner = firstValue(v);
    if (inner !== null) return inner;
  }
  return null;
}
