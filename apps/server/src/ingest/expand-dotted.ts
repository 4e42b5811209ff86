/**
 * Dotted keys (`{"process.name": "bash"}`) become nested objects, as Elasticsearch maps them.
 * A hand-written scan finds the few lines that need it, so most lines are never parsed in JS.
 */

/** True when the quote at `q` is escaped (preceded by an odd number of backslashes). */
function escapedQuote(line: string, q: number): boolean {
  let n = 0;
  for (let i = q - 1; i >= 0 && line.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
}

/**
 * True when some object key in the JSON text may contain a dot (loose: a false positive only costs a
 * JS parse). Jumps from dot to dot with indexOf: a dot is in a key when the next unescaped quote is
 * followed by a colon. `\u` escapes (which could spell a dot) take the slow path.
 */
export function hasDottedKey(line: string): boolean {
  if (line.indexOf('\\u') !== -1) return true;
  let dot = line.indexOf('.');
  while (dot !== -1) {
    let q = line.indexOf('"', dot + 1);
    while (q !== -1 && escapedQuote(line, q)) q = line.indexOf('"', q + 1);
    if (q === -1) return false;
    let j = q + 1;
    let c = line.charCodeAt(j);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = line.charCodeAt(++j);
    if (c === 58 /* : */) return true;
    dot = line.indexOf('.', q + 1);
  }
  return false;
}

/** A document Elasticsearch would reject while mapping it: dotted fields that conflict, or objects nested too deep. */
export class DottedKeyConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DottedKeyConflict';
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Objects without a prototype: keys such as `__proto__` or `toString` stay plain data. */
const newObject = (): JsonObject => Object.create(null) as JsonObject; // a bare dictionary

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeName(v: Json): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'float';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'boolean') return 'boolean';
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : 'object';
}

function merge(target: JsonObject, path: string[], value: Json, full: string): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i] as string; // i < length
    const existing = Object.hasOwn(node, seg) ? node[seg] : undefined;
    if (existing === undefined) {
      const created = newObject();
      node[seg] = created;
      node = created;
    } else if (isObject(existing)) {
      node = existing;
    } else {
      const at = path.slice(0, i + 1).join('.');
      throw new DottedKeyConflict(
        `Could not dynamically add mapping for field [${full}]. Existing mapping for [${at}] must be of type object but found [${typeName(existing)}].`,
      );
    }
  }
  const last = path[path.length - 1] as string; // path is never empty
  const existing = Object.hasOwn(node, last) ? node[last] : undefined;
  if (existing === undefined) {
    node[last] = value;
  } else if (isObject(existing) && isObject(value)) {
    for (const [k, v] of Object.entries(value)) merge(existing, [k], v, `${full}.${k}`);
  } else if (isObject(existing) || isObject(value)) {
    throw new DottedKeyConflict(`object mapping for [${full}] tried to parse field [${full}] as object, but found a concrete value`);
  } else {
    // The same field given twice (`{"a":{"b":1},"a.b":2}`): Elasticsearch indexes both values.
    node[last] = [...(Array.isArray(existing) ? existing : [existing]), ...(Array.isArray(value) ? value : [value])];
  }
}

/** Elasticsearch's default `index.mapping.depth.limit`: the document is at depth 1, each object inside it one more. */
export const DEFAULT_DEPTH_LIMIT = 20;

/** The deepest nesting of arrays and objects SQLite's JSON reader takes (its JSON_MAX_DEPTH); deeper text is left for it to refuse. */
const MAX_NESTING = 1000;

/** Thrown inside the expansion when the text nests deeper than SQLite reads: the line is then left as it came. */
const TOO_DEEP_FOR_SQLITE = new Error('nested too deep');

/** Elasticsearch's reason for an object beyond the depth limit, naming its path (cut short when long). */
export function depthLimitMessage(limit: number, path: string): string {
  const shown = path.length > 256 ? `${path.slice(0, 256)}...` : path;
  return `Limit of mapping depth [${limit}] has been exceeded due to object field [${shown}]`;
}

/**
 * `v` with dotted keys expanded; `depth` is the depth an object `v` would have (arrays add none), `nesting`
 * how many arrays and objects enclose it. Recursion stops at the depth limit or at SQLite's nesting limit, so
 * no document can run the stack out.
 */
function expandValue(v: Json, prefix: string, depth: number, nesting: number, limit: number): Json {
  if (nesting > MAX_NESTING) throw TOO_DEEP_FOR_SQLITE;
  if (Array.isArray(v)) return v.map((x) => expandValue(x, prefix, depth, nesting + 1, limit));
  if (!isObject(v)) return v;
  if (depth > limit) throw new DottedKeyConflict(depthLimitMessage(limit, prefix));
  const out = newObject();
  for (const [key, value] of Object.entries(v)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (!key.includes('.')) {
      merge(out, [key], expandValue(value, full, depth + 1, nesting + 1, limit), full);
      continue;
    }
    const path = key.split('.');
    if (path.some((p) => p.trim() === '')) {
      throw new DottedKeyConflict(`field name cannot contain only whitespace: ['${full.length > 256 ? `${full.slice(0, 256)}...` : full}']`);
    }
    // `a.b.c` makes objects `a` and `a.b`, one level deeper each
    const inner = path.length - 1;
    if (depth + inner > limit) {
      const over = path.slice(0, limit + 1 - depth).join('.');
      throw new DottedKeyConflict(depthLimitMessage(limit, prefix ? `${prefix}.${over}` : over));
    }
    merge(out, path, expandValue(value, full, depth + inner + 1, nesting + 1, limit), full);
  }
  return out;
}

/**
 * Rewrites a source line with dotted keys expanded. Returns the line unchanged when it is not valid JSON, or
 * nests deeper than SQLite reads (the store reports either); throws DottedKeyConflict for documents
 * Elasticsearch rejects, among them those with objects deeper than `depthLimit`.
 */
export function expandDottedKeys(line: string, depthLimit = DEFAULT_DEPTH_LIMIT): string {
  let parsed: Json;
  try {
    parsed = JSON.parse(line) as Json; // JSON.parse yields JSON values
  } catch {
    return line;
  }
  if (!isObject(parsed)) return line;
  try {
    return JSON.stringify(expandValue(parsed, '', 1, 0, depthLimit));
  } catch (e) {
    if (e === TOO_DEEP_FOR_SQLITE) return line;
    throw e;
  }
}
