import { isFieldName } from '@execwatch/api';

export class InvalidFieldError extends Error {
  constructor(field: string) {
    super(`invalid field name: ${JSON.stringify(field.slice(0, 200))}`);
    this.name = 'InvalidFieldError';
  }
}

/** True when `field` is a dotted field name (as the API defines them: nothing that could escape a JSON path). */
export function isValidField(field: string): boolean {
  return isFieldName(field);
}

/** `a.b.c` -> `$."a"."b"."c"` (a SQLite JSON path, always passed as a bound parameter). Throws on invalid names. */
export function jsonPath(field: string): string {
  if (!isValidField(field)) throw new InvalidFieldError(field);
  return `$${field
    .split('.')
    .map((p) => `."${p}"`)
    .join('')}`;
}

/** JSON paths of every proper prefix of `field` (`a.b.c` -> `$."a"`, `$."a"."b"`): where an array could hide deeper values. */
export function parentPaths(field: string): string[] {
  const parts = field.split('.');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(jsonPath(parts.slice(0, i).join('.')));
  return out;
}

/** Reads a dotted field from a nested document, tolerating dotted keys at any level. */
export function getField(doc: unknown, field: string): unknown {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const obj = doc as Record<string, unknown>;
  if (field in obj) return obj[field];
  let dot = field.indexOf('.');
  while (dot !== -1) {
    const head = field.slice(0, dot);
    if (head in obj) {
      const found = getField(obj[head], field.slice(dot + 1));
      if (found !== undefined) return found;
    }
    dot = field.indexOf('.', dot + 1);
  }
  return undefined;
}
