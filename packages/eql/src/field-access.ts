/**
 * Reading a field from a document that may use nested objects, dotted keys, or both, where arrays are multi-valued.
 * A getter returns `undefined` when the field is absent, `null` for an explicit null, a scalar, or an array of values
 * (which may itself hold nulls or nested arrays; see someValue).
 */
import { SITES_2, SITES_3, SITES_4 } from './getter-sites';

export type RawGetter = (doc: object) => unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Values found by the current slowGet; module state rather than an array so that a miss allocates nothing.
let foundFirst: unknown;
let foundMore: unknown[] | null = null;
let foundCount = 0;

function found(v: unknown): void {
  if (foundCount === 0) foundFirst = v;
  else if (foundCount === 1) foundMore = [foundFirst, v];
  else foundMore?.push(v);
  foundCount++;
}

/**
 * The keys a path can be spelled with from each segment on: `keys[from][j]` is segments `from..j` joined by dots,
 * built once per getter so that a walk trying dotted keys allocates no strings.
 */
type KeyTable = string[][];

function keyTable(segs: string[]): KeyTable {
  return segs.map((_, from) => segs.slice(from).map((_s, k) => segs.slice(from, from + k + 1).join('.')));
}

/** Visits every value reachable at the path segments from `from` on below `node`, as nested objects and dotted keys alike. */
function collect(node: unknown, keys: KeyTable, from: number): void {
  if (from === keys.length) {
    if (Array.isArray(node)) for (const v of node) found(v);
    else if (node !== undefined) found(node);
    return;
  }
  if (Array.isArray(node)) {
    for (const el of node) collect(el, keys, from);
    return;
  }
  if (!isPlainObject(node)) return;
  const spellings = keys[from];
  for (let k = 0; k < spellings.length; k++) {
    const key = spellings[k];
    if (Object.prototype.hasOwnProperty.call(node, key)) collect(node[key], keys, from + k + 1);
  }
}

function slowGet(doc: object, keys: KeyTable): unknown {
  foundCount = 0;
  foundFirst = undefined;
  foundMore = null;
  collect(doc, keys, 0);
  const result = foundCount === 0 ? undefined : foundCount === 1 ? foundFirst : foundMore;
  foundFirst = undefined;
  foundMore = null;
  return result;
}

/**
 * A precompiled getter for `path`; the common all-nested (or single flat key) case reads without allocating.
 * When a document holds the same field both nested and as a dotted key, the nested value wins on this fast path.
 */
export function makeGetter(path: string): RawGetter {
  let g = getters.get(path);
  if (!g) {
    g = buildGetter(path);
    if (getters.size < MAX_MEMOIZED_GETTERS) getters.set(path, g);
  }
  return g;
}

/** One getter per distinct path for the whole process, so paths keep their read sites (see getter-sites.ts). */
const getters = new Map<string, RawGetter>();
const MAX_MEMOIZED_GETTERS = 10_000;
const nextSite = [0, 0, 0, 0, 0];

function buildGetter(path: string): RawGetter {
  const segs = path.split('.');
  const n = segs.length;
  const keys = keyTable(segs);
  if (n === 1) {
    const key = segs[0];
    return (doc) => (doc as Record<string, unknown>)[key];
  }
  // Property reads on arrays give undefined for these names, so arrays need no test on the fast path: they fall
  // through to the full walk, as do dotted keys and misses.
  const arraySafe = segs.every((x) => x !== 'length' && !/^\d+$/.test(x));
  if (arraySafe && n <= 4) {
    const site = nextSite[n]++;
    const [s0, s1, s2, s3] = segs;
    const miss = (doc: object): unknown => slowGet(doc, keys);
    if (n === 2) return SITES_2[site % SITES_2.length](s0, s1, path, miss);
    if (n === 3) return SITES_3[site % SITES_3.length](s0, s1, s2, path, miss);
    return SITES_4[site % SITES_4.length](s0, s1, s2, s3, path, miss);
  }
  return (doc) => {
    let o: unknown = doc;
    for (let i = 0; i < n; i++) {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return slowGet(doc, keys);
      const v: unknown = (o as Record<string, unknown>)[segs[i]];
      if (v === undefined) return slowGet(doc, keys);
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
