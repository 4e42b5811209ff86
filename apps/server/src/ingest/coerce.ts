/**
 * Boolean and numeric ECS fields sent as strings (`"true"`, `"42"`), coerced as Elasticsearch's mapping coerces
 * them (`coerce` is on by default for numbers; booleans take `"true"` and `"false"`), so that
 * `process.interactive: "true"` matches `process.interactive == true` in a rule.
 *
 * Only documents that hold such a string pay: a regular expression over the raw line (native code, no parse)
 * finds the candidates; only those are parsed, walked and written again.
 */
import { ECS_FIELD_TYPES } from '@execwatch/exceptions';
import type { BulkOperation } from '../store/ports';

type Coerced = 'boolean' | 'integer' | 'float';

const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
const FLOAT_TYPES = new Set(['float', 'double', 'half_float', 'scaled_float']);

/** Dotted field -> how its string values are coerced, for the ECS fields the project knows. */
const COERCED: ReadonlyMap<string, Coerced> = (() => {
  const m = new Map<string, Coerced>();
  for (const [field, type] of Object.entries(ECS_FIELD_TYPES)) {
    if (type === 'boolean') m.set(field, 'boolean');
    else if (INTEGER_TYPES.has(type)) m.set(field, 'integer');
    else if (FLOAT_TYPES.has(type)) m.set(field, 'float');
  }
  return m;
})();

/** Every object path that leads to a coerced field (`process`, `process.entry_leader`, ...): the walk stops elsewhere. */
const PREFIXES: ReadonlySet<string> = (() => {
  const s = new Set<string>();
  for (const field of COERCED.keys()) {
    const parts = field.split('.');
    for (let i = 1; i < parts.length; i++) s.add(parts.slice(0, i).join('.'));
  }
  return s;
})();

/**
 * A string value that is a boolean or a decimal number, after a key (or first in an array). Clients send compact
 * JSON (or one space after the colon): a literal start lets the regular expression skip ahead fast.
 */
const VALUE = /:\[?"(?:true|false|[-+]?\d+(?:\.\d+)?)"|: \[?"(?:true|false|[-+]?\d+(?:\.\d+)?)"/g;

/** Last key parts of coerced fields; for those keyword fields share (`thread.id`, `user.id`), the parents that make them coerced. */
const LEAVES: ReadonlyMap<string, ReadonlySet<string> | null> = (() => {
  const other = new Set<string>();
  for (const field of Object.keys(ECS_FIELD_TYPES)) if (!COERCED.has(field)) other.add(field.slice(field.lastIndexOf('.') + 1));
  const m = new Map<string, Set<string> | null>();
  for (const field of COERCED.keys()) {
    const parts = field.split('.');
    const leaf = parts[parts.length - 1] as string; // split gives at least one part
    const parent = parts[parts.length - 2];
    if (!other.has(leaf) || parent === undefined) m.set(leaf, null);
    else if (m.get(leaf) !== null) m.set(leaf, (m.get(leaf) ?? new Set<string>()).add(parent));
  }
  return m;
})();

/** The key that opens the object around `at` (`"thread":{"id":...` gives `thread`), looked for nearby only. */
function enclosingKey(text: string, at: number): string | null {
  let depth = 0;
  for (let i = at, stop = Math.max(0, at - 2000); i >= stop; i--) {
    const c = text.charCodeAt(i);
    if (c === 125 /* } */) depth++;
    else if (c === 123 /* { */) {
      if (depth === 0) {
        let j = i - 1;
        while (j >= 0 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 58)) j--;
        if (text.charCodeAt(j) !== 34) return null;
        const open = text.lastIndexOf('"', j - 1);
        return open < 0 ? null : text.slice(open + 1, j);
      }
      depth--;
    }
  }
  return null;
}

/** Whether a line may hold a coerced field's value as a string: only such lines are parsed. */
function isCandidate(text: string): boolean {
  VALUE.lastIndex = 0;
  for (let m = VALUE.exec(text); m !== null; m = VALUE.exec(text)) {
    // the key ends just before the colon
    const close = m.index - 1;
    if (text.charCodeAt(close) !== 34 /* " */) continue;
    const open = text.lastIndexOf('"', close - 1);
    if (open < 0) continue;
    const key = text.slice(open + 1, close);
    const dot = key.lastIndexOf('.');
    const leaf = dot < 0 ? key : key.slice(dot + 1);
    const parents = LEAVES.get(leaf);
    if (parents === undefined) continue;
    if (parents === null) return true;
    const parent = dot < 0 ? enclosingKey(text, open - 1) : key.slice(key.lastIndexOf('.', dot - 1) + 1, dot);
    if (parent !== null && parents.has(parent.slice(parent.lastIndexOf('.') + 1))) return true;
  }
  return false;
}

const NUMBER_TEXT = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The coerced value of `text` for a field of kind `kind`, or undefined to keep it as sent. */
function coerceValue(text: string, kind: Coerced): boolean | number | undefined {
  if (kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  if (!NUMBER_TEXT.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  if (kind === 'float') return n;
  // integer fields truncate decimals, as Elasticsearch's coerce does
  const t = Math.trunc(n);
  return Number.isSafeInteger(t) ? t : undefined;
}

/** Coerces in place under `prefix`; true when something changed. Dotted keys (`"process.pid"`) count as their path. */
function walk(node: Record<string, unknown>, prefix: string, depth: number): boolean {
  if (depth > 20) return false;
  let changed = false;
  for (const key of Object.keys(node)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const value = node[key];
    const kind = COERCED.get(path);
    if (kind !== undefined) {
      if (typeof value === 'string') {
        const v = coerceValue(value, kind);
        if (v !== undefined) {
          node[key] = v;
          changed = true;
        }
      } else if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (typeof item !== 'string') return;
          const v = coerceValue(item, kind);
          if (v !== undefined) {
            value[i] = v;
            changed = true;
          }
        });
      }
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && PREFIXES.has(path)) {
      if (walk(value as Record<string, unknown>, path, depth + 1)) changed = true; // a JSON object
    }
  }
  return changed;
}

/** The source line with its boolean and numeric ECS strings coerced, or null when it has none (or is not a JSON object). */
export function coerceSourceText(text: string): string | null {
  if (!isCandidate(text)) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null; // the store answers the bad line
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  return walk(doc as Record<string, unknown>, '', 0) ? JSON.stringify(doc) : null;
}

/** Coerces the sources of bulk operations in place (see the module comment). */
export function coerceOperations(operations: BulkOperation[]): void {
  for (const op of operations) {
    const src = op.source;
    // latin1 keeps every byte one character: enough for the candidate test, and no UTF-8 decoding of every line
    const probe = typeof src === 'string' ? src : Buffer.from(src.buffer, src.byteOffset, src.length).toString('latin1');
    if (!isCandidate(probe)) continue;
    const text = typeof src === 'string' ? src : Buffer.from(src.buffer, src.byteOffset, src.length).toString('utf8');
    const coerced = coerceSourceText(text);
    if (coerced !== null) op.source = coerced;
  }
}
