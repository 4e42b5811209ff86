/** Reads ECS fields from nested documents (and from documents that kept dotted keys). */
import type { Doc } from '../../store/ports';

/** The value at a dotted ECS path; tolerates a dotted key at any level (`{"image.name": ...}`). */
export function getField(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const obj = doc as Doc; // narrowed to a non-null object above
  if (path in obj) return obj[path];
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) {
    const head = parts.slice(0, i).join('.');
    if (head in obj) {
      const found = getField(obj[head], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
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

export function bool(doc: unknown, path: string): boolean | null {
  const v = getField(doc, path);
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'boolean') return first;
  if (first === 'true') return true;
  if (first === 'false') return false;
  return null;
}

export function num(doc: unknown, path: string): number | null {
  const v = getField(doc, path);
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'number' && Number.isFinite(first)) return first;
  if (typeof first === 'string' && first.trim() !== '' && Number.isFinite(Number(first))) return Number(first);
  return null;
}
