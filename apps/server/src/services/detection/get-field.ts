/** Reads ECS fields from nested documents (and from documents that kept dotted keys). */
import type { Doc } from '../../store/ports';

function resolve(obj: Doc, parts: string[], i: number): unknown {
  let cur: unknown = obj;
  for (; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    const o = cur as Doc; // checked to be a plain object above
    const next = o[parts[i] as string]; // i < parts.length
    if (next !== undefined) {
      cur = next;
      continue;
    }
    // a dotted key such as {"image.name": ...} spans several path segments
    for (let j = i + 2; j <= parts.length; j++) {
      const key = parts.slice(i, j).join('.');
      if (key in o) {
        const found = resolve(o, [key, ...parts.slice(j)], 0);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }
  return cur;
}

const splitCache = new Map<string, string[]>();

/** The value at a dotted ECS path; tolerates a dotted key at any level (`{"image.name": ...}`). */
export function getField(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const obj = doc as Doc; // narrowed to a non-null object above
  const direct = obj[path];
  if (direct !== undefined) return direct;
  let parts = splitCache.get(path);
  if (!parts) {
    parts = path.split('.');
    if (splitCache.size < 10_000) splitCache.set(path, parts);
  }
  return parts.length > 1 ? resolve(obj, parts, 0) : undefined;
}

/** First string value of a field (arrays give their first element; numbers become strings). */
export function str(doc: unknown, path: string): string | null {
  const v = getField(doc, path);
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string') return first;
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  return null;
}

/** All values of a field as strings. */
export function strings(doc: unknown, path: string): string[] {
  const v = getField(doc, path);
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.filter((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean').map(String);
}

/** First value of a field as a boolean (`"true"`/`"false"` strings accepted), or null. */
export function bool(doc: unknown, path: string): boolean | null {
  const v = getField(doc, path);
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'boolean') return first;
  if (first === 'true') return true;
  if (first === 'false') return false;
  return null;
}

/** First value of a field as a finite number (numeric strings accepted), or null. */
export function num(doc: unknown, path: string): number | null {
  const v = getField(doc, path);
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'number' && Number.isFinite(first)) return first;
  if (typeof first === 'string' && first.trim() !== '' && Number.isFinite(Number(first))) return Number(first);
  return null;
}
