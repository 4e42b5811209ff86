/**
 * Elasticsearch's `filter_path` response filtering: a comma-separated list of dotted paths, where `*` matches any
 * part of one field name, `**` any number of levels, and a leading `-` excludes instead of including. Arrays are
 * looked through (a path names the fields of their elements), and what is left empty is dropped. With both kinds,
 * the exclusions are applied first, then the inclusions.
 */
import { wildcardMatches } from './names';

type Pattern = readonly string[];

export interface FilterPath {
  include: Pattern[];
  exclude: Pattern[];
}

/** At most this many paths of at most this many fields are read from the parameter (longer lists are cut). */
const MAX_PATHS = 64;
const MAX_SEGMENTS = 32;

/** The parsed parameter, or null when there is nothing to filter by. */
export function parseFilterPath(raw: unknown): FilterPath | null {
  const text = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string').join(',') : typeof raw === 'string' ? raw : '';
  const include: Pattern[] = [];
  const exclude: Pattern[] = [];
  for (const part of text.split(',').slice(0, MAX_PATHS)) {
    const trimmed = part.trim();
    const negated = trimmed.startsWith('-');
    const segments = (negated ? trimmed.slice(1) : trimmed).split('.').filter((s) => s !== '');
    if (segments.length === 0) continue;
    (negated ? exclude : include).push(segments.slice(0, MAX_SEGMENTS));
  }
  return include.length === 0 && exclude.length === 0 ? null : { include, exclude };
}

const segmentMatches = (segment: string, key: string) => (segment.includes('*') ? wildcardMatches(segment, key) : segment === key);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the patterns say about one field: matched whole, or the patterns left for what is inside it. */
function step(patterns: readonly Pattern[], key: string): { whole: boolean; inner: Pattern[] } {
  let whole = false;
  const inner = new Map<string, Pattern>();
  const keep = (p: Pattern) => {
    if (p.length === 0) whole = true;
    else inner.set(p.join('\u0000'), p);
  };
  for (const p of patterns) {
    const [head, ...rest] = p;
    if (head === undefined) continue;
    if (head === '**') {
      // `**` takes this field and may take more, or none: then what follows it must match this field
      inner.set(p.join('\u0000'), p);
      if (rest.length === 0) whole = true;
      else if (rest[0] !== undefined && segmentMatches(rest[0], key)) keep(rest.slice(1));
    } else if (segmentMatches(head, key)) keep(rest);
  }
  return { whole, inner: [...inner.values()] };
}

function includeOnly(value: unknown, patterns: readonly Pattern[]): unknown {
  if (Array.isArray(value)) {
    const kept = value.map((v) => includeOnly(v, patterns)).filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (!isObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const { whole, inner } = step(patterns, key);
    if (whole) out[key] = child;
    else if (inner.length > 0) {
      const kept = includeOnly(child, inner);
      if (kept !== undefined) out[key] = kept;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function excludeAll(value: unknown, patterns: readonly Pattern[]): unknown {
  if (Array.isArray(value)) return value.map((v) => excludeAll(v, patterns));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const { whole, inner } = step(patterns, key);
    if (whole) continue;
    out[key] = inner.length > 0 ? excludeAll(child, inner) : child;
  }
  return out;
}

/** `body` filtered as Elasticsearch filters a response by `filter_path` (an object filtered to nothing is `{}`). */
export function applyFilterPath(body: unknown, filter: FilterPath): unknown {
  let value = filter.exclude.length > 0 ? excludeAll(body, filter.exclude) : body;
  if (filter.include.length > 0) value = includeOnly(value, filter.include) ?? {};
  return value;
}
