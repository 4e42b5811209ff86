/**
 * Elasticsearch's REST compatibility media types: `application/vnd.elasticsearch+json; compatible-with=8` (and
 * `+x-ndjson` for bulk bodies), which Elastic's 8.x clients send in `Accept` and `Content-Type`.
 */
import { ElasticsearchError } from './es-errors';

/** The compatibility versions an Elasticsearch 8 cluster answers. */
export const COMPATIBLE_VERSIONS: readonly number[] = [7, 8];

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseMediaRanges(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').flatMap((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (!type) return [];
    const map = new Map<string, string>();
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq > 0) map.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"|"$/g, ''));
    }
    return [{ type: type.toLowerCase(), params: map }];
  });
}

const isVendorType = (type: string) => type.startsWith('application/vnd.elasticsearch+');

/**
 * The compatibility version a header asks for (`compatible-with=N` on a vnd.elasticsearch type), null when it asks
 * for none; a version other than 7 or 8 is refused with 400 as by Elasticsearch 8.
 */
function requestedVersion(header: string | undefined, name: string): number | null {
  for (const range of parseMediaRanges(header)) {
    if (!isVendorType(range.type)) continue;
    const raw = range.params.get('compatible-with');
    if (raw === undefined) continue;
    const version = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!COMPATIBLE_VERSIONS.includes(version)) {
      throw new ElasticsearchError(400, 'media_type_header_exception', `Invalid media-type value on header [${name}]: compatible-with must be one of [${COMPATIBLE_VERSIONS.join(', ')}], not [${raw.slice(0, 20)}]`);
    }
    return version;
  }
  return null;
}

/**
 * The Content-Type of JSON answers to a request with these headers: the compatibility type when `Accept` asks for
 * one (or, without an `Accept` of its own, when the body was sent as one), else null (plain `application/json`).
 */
export function responseMediaType(accept: string | undefined, contentType: string | undefined): string | null {
  const fromAccept = requestedVersion(accept, 'Accept');
  const fromBody = requestedVersion(contentType, 'Content-Type');
  const acceptsAnything = !accept || parseMediaRanges(accept).every((r) => r.type === '*/*');
  const version = fromAccept ?? (acceptsAnything ? fromBody : null);
  return version === null ? null : `application/vnd.elasticsearch+json; compatible-with=${version}`;
}

/** Whether a request body's Content-Type is JSON (plain or Elasticsearch's compatibility type). */
export function isJsonContentType(contentType: string | undefined): boolean {
  const [range] = parseMediaRanges(contentType);
  return range !== undefined && (range.type === 'application/json' || range.type === 'application/vnd.elasticsearch+json');
}
