/**
 * Reads a few fields out of a JSONB document (SQLite's binary JSON, https://sqlite.org/jsonb.html) in JS,
 * with the values SQLite's `->>` gives, in one pass over the object keys on their paths. Storing an event
 * needs its stored columns and `@timestamp`; asking SQLite for each costs a function call that copies and
 * compares the whole document. Whatever this reader is not sure to read exactly as SQLite does (escaped
 * keys, JSON5 values, floats, large integers, arrays of anything but plain strings, dates outside the usual
 * ISO 8601 form), it reports as undecided, and the caller asks SQLite instead.
 */

// Element types: the low four bits of an element's first byte.
const NULL = 0;
const TRUE = 1;
const FALSE = 2;
const INT = 3;
const TEXT = 7;
const TEXTJ = 8;
const TEXTRAW = 10;
const ARRAY = 11;
const OBJECT = 12;

/** A field's value could not be decided here (see the module comment). */
export const UNDECIDED = Symbol('undecided');

/** What `json_type()` says of a value, by element type (13–15 are reserved). */
const JSON_TYPES = ['null', 'true', 'false', 'integer', 'integer', 'real', 'real', 'text', 'text', 'text', 'text', 'array', 'object'];

/** Where an element's payload starts, set by elementEnd. */
let payloadStart = 0;

/**
 * The offset just past the JSONB element at `i` of `b` (its header and payload; past `b`'s end when `b` is
 * cut short); sets payloadStart.
 */
export function elementEnd(b: Uint8Array, i: number): number {
  const x = b[i] as number; // callers keep i < length
  const size = x >> 4;
  if (size <= 11) {
    payloadStart = i + 1;
    return payloadStart + size;
  }
  if (size === 12) {
    payloadStart = i + 2;
    return payloadStart + (b[i + 1] as number);
  }
  if (size === 13) {
    payloadStart = i + 3;
    return payloadStart + (((b[i + 1] as number) << 8) | (b[i + 2] as number));
  }
  if (size === 14) {
    payloadStart = i + 5;
    return payloadStart + (b[i + 1] as number) * 0x1000000 + (((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 8) | (b[i + 4] as number));
  }
  payloadStart = i + 9;
  let n = 0;
  for (let k = 1; k <= 8; k++) n = n * 256 + (b[i + k] as number);
  return payloadStart + n;
}

/**
 * Levels objectTooDeep keeps track of: where each open container ends and whether it is an object. SQLite nests
 * JSON at most 1000 deep, and expanded dotted keys add at most the depth limit, so this is never outgrown; if it
 * were, the exact walk decides.
 */
const MAX_LEVELS = 2048;
const levelEnds = new Float64Array(MAX_LEVELS);
const levelIsObject = new Uint8Array(MAX_LEVELS);

/**
 * The keys leading to the first object of the JSONB document `doc` that lies deeper than `limit`, or null when
 * none does. Depth as Elasticsearch's `index.mapping.depth.limit` counts it: the document is at depth 1, each
 * object inside one more, arrays add none. A document that is not an object has no depth to exceed.
 * One pass over the element headers without recursion, scalars (keys among them) skipped by their size: about
 * as much as reading the stored columns out with JsonbFieldReader (a 3.5 kB event has some 300 elements).
 */
export function objectTooDeep(doc: Uint8Array, limit: number): string[] | null {
  const n = doc.length;
  if (n === 0 || ((doc[0] as number) & 15) !== OBJECT) return null;
  if (limit < 1) return [];
  let top = 0;
  let objects = 1;
  levelEnds[0] = Math.min(elementEnd(doc, 0), n);
  levelIsObject[0] = 1;
  let i = payloadStart;
  for (;;) {
    while (i >= (levelEnds[top] as number)) {
      if (top === 0) return null;
      objects -= levelIsObject[top] as number;
      top--;
    }
    const x = doc[i] as number; // i < levelEnds[0] <= n
    const type = x & 15;
    const size = x >> 4;
    let header: number;
    let payload: number;
    if (size <= 11) {
      header = 1;
      payload = size;
    } else if (size === 12) {
      header = 2;
      payload = doc[i + 1] ?? 0;
    } else if (size === 13) {
      header = 3;
      payload = ((doc[i + 1] ?? 0) << 8) | (doc[i + 2] ?? 0);
    } else {
      // a 4- or 8-byte size: rare, read by elementEnd
      const end = elementEnd(doc, i);
      header = payloadStart - i;
      payload = end - payloadStart;
    }
    if (type !== OBJECT && type !== ARRAY) {
      i += header + payload;
      continue;
    }
    if (type === OBJECT && objects === limit) return keysToDeepObject(doc, limit);
    if (top + 1 === MAX_LEVELS) return keysToDeepObject(doc, limit);
    top++;
    levelEnds[top] = i + header + payload;
    levelIsObject[top] = type === OBJECT ? 1 : 0;
    objects += type === OBJECT ? 1 : 0;
    i += header;
  }
}

/** objectTooDeep's answer, walked again keeping the keys (only for a document found too deep). */
function keysToDeepObject(doc: Uint8Array, limit: number): string[] | null {
  const keys: string[] = [];
  const visit = (start: number, end: number, isObject: boolean, depth: number): boolean => {
    let i = start;
    while (i < end) {
      let key: string | null = null;
      if (isObject) {
        const keyEnd = elementEnd(doc, i);
        key = text(doc, payloadStart, Math.min(keyEnd, end));
        i = keyEnd;
        if (!(i < end)) return false;
      }
      const type = (doc[i] as number) & 15;
      const valueEnd = Math.min(elementEnd(doc, i), end);
      const valueStart = payloadStart;
      if (type === OBJECT || type === ARRAY) {
        if (key !== null) keys.push(key);
        if (type === OBJECT && depth === limit) return true;
        if (visit(valueStart, valueEnd, type === OBJECT, type === OBJECT ? depth + 1 : depth)) return true;
        if (key !== null) keys.pop();
      }
      i = valueEnd;
    }
    return false;
  };
  const end = Math.min(elementEnd(doc, 0), doc.length);
  return visit(payloadStart, end, true, 1) ? keys : null;
}

/** A node of the path tree: the keys wanted inside an object, and which field a key ends at. */
interface PathNode {
  keys: Uint8Array[];
  children: (PathNode | null)[];
  /** The field index a key ends at, -1 for inner keys. */
  fields: number[];
}

function newNode(): PathNode {
  return { keys: [], children: [], fields: [] };
}

/**
 * Reads the fields at `paths` (each a list of object keys from the top) out of JSONB documents. `read(doc)`
 * fills `types` (the element type at each path, -1 when the path leads nowhere, as SQLite's lookup would:
 * missing key, or a parent that is not an object), `starts` and `ends` (payload offsets), or returns false
 * when the walk met something it cannot follow exactly (the caller then asks SQLite).
 */
export class JsonbFieldReader {
  readonly types: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private readonly root: PathNode = newNode();

  constructor(paths: readonly (readonly string[])[]) {
    this.types = new Int32Array(paths.length);
    this.starts = new Int32Array(paths.length);
    this.ends = new Int32Array(paths.length);
    paths.forEach((path, field) => {
      let node = this.root;
      path.forEach((key, depth) => {
        const bytes = Buffer.from(key, 'utf8');
        let k = node.keys.findIndex((b) => Buffer.compare(b, bytes) === 0);
        if (k === -1) {
          k = node.keys.length;
          // walk() keeps the keys found in a 31-bit set
          if (k === 31) throw new Error(`more than 31 keys wanted inside ${path.slice(0, depth).join('.') || 'the document'}`);
          node.keys.push(bytes);
          node.children.push(null);
          node.fields.push(-1);
        }
        if (depth === path.length - 1) {
          if (node.fields[k] !== -1) throw new Error(`path ${path.join('.')} is given twice`);
          node.fields[k] = field;
        } else {
          node = node.children[k] ??= newNode();
        }
      });
    });
  }

  /** Reads the document `doc` (a whole JSONB value); false when SQLite must decide. */
  read(doc: Uint8Array): boolean {
    this.types.fill(-1);
    if (doc.length === 0 || ((doc[0] as number) & 15) !== OBJECT) return true; // no object, no fields
    const end = elementEnd(doc, 0);
    if (!(end <= doc.length)) return false;
    return this.walk(doc, payloadStart, end, this.root);
  }

  private walk(b: Uint8Array, start: number, end: number, node: PathNode): boolean {
    const keys = node.keys;
    let wanted = keys.length;
    // keys found so far, as a bit set (a node has only a few)
    let found = 0;
    let i = start;
    while (i < end && wanted > 0) {
      const keyType = (b[i] as number) & 15;
      const keyEnd = elementEnd(b, i);
      const keyStart = payloadStart;
      // (negated so that sizes read past the end of a damaged document, NaN, stop the walk too)
      if (!(keyEnd < end)) return false; // a key with no value: not SQLite's output
      const valueEnd = elementEnd(b, keyEnd);
      const valueStart = payloadStart;
      if (!(valueEnd <= end)) return false;
      if (keyType === TEXT || keyType === TEXTRAW) {
        const len = keyEnd - keyStart;
        for (let k = 0; k < keys.length; k++) {
          const key = keys[k] as Uint8Array; // k < keys.length
          if ((found & (1 << k)) !== 0 || key.length !== len || !sameBytes(b, keyStart, key)) continue;
          // the first of duplicate keys counts, as in SQLite's lookup
          found |= 1 << k;
          wanted--;
          const field = node.fields[k] as number;
          if (field !== -1) {
            this.types[field] = (b[keyEnd] as number) & 15;
            this.starts[field] = valueStart;
            this.ends[field] = valueEnd;
          }
          const child = node.children[k];
          if (child && ((b[keyEnd] as number) & 15) === OBJECT && !this.walk(b, valueStart, valueEnd, child)) return false;
          break;
        }
      } else {
        return false; // an escaped key (TEXTJ, TEXT5) may spell a wanted one; other types are no keys
      }
      i = valueEnd;
    }
    return true;
  }
}

function sameBytes(b: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let k = 0; k < key.length; k++) if (b[at + k] !== key[k]) return false;
  return true;
}

/** UTF-8 text of bytes [start, end) of `b`. */
function text(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

/** Escapes in a TEXTJ string that JSON.parse reads exactly as SQLite does (`\u` escapes are left to SQLite). */
function plainEscapes(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] === 92 /* \ */ && b[++i] === 117 /* u */) return false;
  return true;
}

/** The string a TEXTJ payload spells; UNDECIDED when JSON.parse would not read it as SQLite did. */
function unescaped(raw: string): string | typeof UNDECIDED {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return UNDECIDED;
  }
}

/** A JSON integer SQLite and JS read as the same number (at most 15 digits). */
function intValue(b: Uint8Array, start: number, end: number): number | typeof UNDECIDED {
  const n = end - start;
  if (n === 0 || n > 16 || (n === 16 && b[start] !== 45 /* - */)) return UNDECIDED;
  const v = Number(text(b, start, end));
  if (!Number.isSafeInteger(v)) return UNDECIDED;
  return v === 0 ? 0 : v; // -0 reads as 0
}

/**
 * The value of the field read at slot `f` as SQLite's `->>` gives it: NULL, 1/0 for true/false, integers,
 * strings, and arrays of plain strings as their JSON text; UNDECIDED otherwise.
 */
export function fieldValue(r: JsonbFieldReader, b: Uint8Array, f: number): string | number | null | typeof UNDECIDED {
  const type = r.types[f] as number; // f < fields
  const start = r.starts[f] as number;
  const end = r.ends[f] as number;
  switch (type) {
    case -1:
    case NULL:
      return null;
    case TRUE:
      return 1;
    case FALSE:
      return 0;
    case INT:
      return intValue(b, start, end);
    case TEXT:
    case TEXTRAW:
      return text(b, start, end);
    case TEXTJ:
      return plainEscapes(b, start, end) ? unescaped(text(b, start, end)) : UNDECIDED;
    case ARRAY:
      return stringArrayJson(b, start, end);
    default:
      return UNDECIDED;
  }
}

/** The JSON text SQLite writes for an array of TEXT or TEXTJ strings (`["a","b"]`); UNDECIDED for other arrays. */
function stringArrayJson(b: Uint8Array, start: number, end: number): string | typeof UNDECIDED {
  let out = '[';
  for (let i = start; i < end; ) {
    const type = (b[i] as number) & 15;
    const next = elementEnd(b, i);
    if (!(next <= end) || (type !== TEXT && type !== TEXTJ)) return UNDECIDED;
    if (i > start) out += ',';
    out += `"${text(b, payloadStart, next)}"`;
    i = next;
  }
  return `${out}]`;
}

/** The text field at slot `f` as isoEpochMs reads it (UNDECIDED for a text it cannot decide). */
export function fieldEpochMs(r: JsonbFieldReader, b: Uint8Array, f: number): number | typeof UNDECIDED {
  const type = r.types[f] as number; // f < fields
  if (type === TEXT || type === TEXTRAW) return isoEpochMsAt(b, r.starts[f] as number, r.ends[f] as number);
  const t = fieldValue(r, b, f);
  return typeof t === 'string' ? isoEpochMs(t) : UNDECIDED;
}

/** What `json_type()` gives for the field at slot `f`: null when the path leads nowhere. */
export function fieldJsonType(r: JsonbFieldReader, f: number): string | null {
  const type = r.types[f] as number; // f < fields
  return type === -1 ? null : (JSON_TYPES[type] ?? null);
}

/** ASCII digit `b[i]` as a number, or -1. */
function digit(b: Uint8Array, i: number): number {
  const d = (b[i] as number) - 48; // callers keep i < length
  return d >= 0 && d <= 9 ? d : -1;
}

/** Two ASCII digits from `b[i]` as a number, or a negative one. */
const two = (b: Uint8Array, i: number): number => {
  const hi = digit(b, i);
  const lo = digit(b, i + 1);
  return hi < 0 || lo < 0 ? -1 : hi * 10 + lo;
};

/**
 * isoEpochMs of the text `b[start..end)` (a JSONB TEXT payload: no escapes), reading the common UTC form
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z` from the bytes without a string or a regular expression (0.8 us an
 * event in the preparation thread otherwise); any other form goes to isoEpochMs.
 */
export function isoEpochMsAt(b: Uint8Array, start: number, end: number): number | typeof UNDECIDED {
  const n = end - start;
  const fractionDigits = n - 21; // after `YYYY-MM-DDTHH:MM:SS.` and before `Z`
  const usual = (n === 20 || (fractionDigits >= 1 && fractionDigits <= 15 && b[start + 19] === 46 /* . */))
    && b[start + 4] === 45 /* - */ && b[start + 7] === 45 && b[start + 10] === 84 /* T */ && b[start + 13] === 58 /* : */
    && b[start + 16] === 58 && b[end - 1] === 90; /* Z */
  if (!usual) return isoEpochMs(text(b, start, end));
  const century = two(b, start);
  const yy = two(b, start + 2);
  const year = century < 0 || yy < 0 ? -1 : century * 100 + yy;
  const month = two(b, start + 5);
  const day = two(b, start + 8);
  const hour = two(b, start + 11);
  const minute = two(b, start + 14);
  const second = two(b, start + 17);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return isoEpochMs(text(b, start, end));
  }
  let s = second;
  if (n > 20) {
    let fraction = 0;
    for (let i = start + 20; i < end - 1; i++) {
      const d = digit(b, i);
      if (d < 0) return isoEpochMs(text(b, start, end));
      fraction = fraction * 10 + d;
    }
    // as isoEpochMs: Number(fraction digits) / 10 ** digits, capped at .999
    s += Math.min(fraction / 10 ** fractionDigits, 0.999);
  }
  return Date.UTC(year, month - 1, day, hour, minute, 0) + Math.trunc(s * 1000 + 0.5);
}

/** `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the form nearly every event's time has. */
const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,15}))?(?:Z|([+-])(\d\d):(\d\d))$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
/** Days in month `m` (1-12) of year `y`, Gregorian. */
const daysIn = (y: number, m: number): number => (m === 2 && leap(y) ? 29 : (MONTH_DAYS[m - 1] as number)); // m checked to be 1-12

/**
 * Epoch milliseconds of an ISO 8601 time, computed as SQLite's `round(unixepoch(t, 'subsec') * 1000)` does
 * (the seconds' fraction capped at .999 and rounded half up to the millisecond, the offset subtracted); UNDECIDED for
 * any other form, or out-of-range parts, which SQLite reads by rules of its own.
 */
export function isoEpochMs(t: string): number | typeof UNDECIDED {
  const m = ISO_TIME.exec(t);
  if (!m) return UNDECIDED;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return UNDECIDED;
  let s = second;
  const fraction = m[7];
  // SQLite caps the fraction at 0.999 (so .9996 stays in its second), then rounds to the millisecond
  if (fraction !== undefined) s += Math.min(Number(fraction) / 10 ** fraction.length, 0.999);
  let ms = Date.UTC(year, month - 1, day, hour, minute, 0) + Math.trunc(s * 1000 + 0.5);
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9]);
    const offsetMinutes = Number(m[10]);
    if (offsetHours > 14 || offsetMinutes > 59) return UNDECIDED;
    const offset = offsetHours * 60 + offsetMinutes;
    ms -= (m[8] === '-' ? -offset : offset) * 60000;
  }
  return ms;
}
