import type { Doc } from './ports';

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `doc` with the value at each dotted path of `fields` replaced (parents created as objects), or removed
 * where the value is null (a path that is not there stays absent). `doc` is not changed; the objects on the changed paths are copies.
 */
export function setPaths(doc: Doc, fields: Readonly<Record<string, unknown>>): Doc {
  const out: Doc = { ...doc };
  for (const [path, value] of Object.entries(fields)) {
    const parts = path.split('.');
    const leaf = parts.pop() as string; // split always yields at least one part
    if (value === null && !hasPath(out, parts)) continue;
    let node = out;
    for (const part of parts) {
      const next = node[part];
      const copy: Doc = isObject(next) ? { ...next } : {};
      node[part] = copy;
      node = copy;
    }
    if (value === null) delete node[leaf];
    else node[leaf] = value;
  }
  return out;
}

function hasPath(doc: Doc, parts: readonly string[]): boolean {
  let node: unknown = doc;
  for (const part of parts) {
    if (!isObject(node)) return false;
    node = node[part];
  }
  return isObject(node);
}
