/**
 * Reads the pod session a kube-apiserver audit event's `requestURI` asks for:
 * `/api/v1/namespaces/{namespace}/pods/{pod}/{exec|attach|ephemeralcontainers}?...`.
 *
 * Query parameters are decoded as Go's `url.ParseQuery` does (`+` is a space, `%XX` needs two hex digits,
 * a `;` in a pair is an error), and single-valued options are read as the apiserver's query conversion does:
 * the first value wins (`Convert_Slice_string_To_string`), and a boolean is false only when absent, `0` or
 * `false` in any case (`Convert_Slice_string_To_bool`). Go's `URL.Query()` drops a malformed pair silently;
 * here the whole URI is refused instead, so a request nobody can read the command of is never matched by it.
 */

export type SessionSubresource = 'exec' | 'attach' | 'ephemeralcontainers';

export const SESSION_SUBRESOURCES: readonly SessionSubresource[] = ['exec', 'attach', 'ephemeralcontainers'];

/** Longest requestURI read (16 KiB): far beyond any kubectl command line, small enough that a hostile event costs little. */
export const MAX_REQUEST_URI_LENGTH = 16 * 1024;

export interface PodSessionRequest {
  namespace: string;
  pod: string;
  subresource: SessionSubresource;
  /** The `container` parameter (the first, when repeated); absent for ephemeralcontainers and when not sent. */
  container?: string;
  /** True when `container` was given more than once (the apiserver used the first). */
  containerRepeated: boolean;
  /** The `command` parameters in order (exec only; empty for attach and ephemeralcontainers). */
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export type RequestUriErrorCode =
  | 'not_a_string'
  | 'too_long'
  | 'malformed_escape'
  | 'semicolon_separator'
  | 'not_a_pod_subresource'
  | 'unsupported_subresource';

export type RequestUriResult =
  | { ok: true; value: PodSessionRequest }
  | { ok: false; error: RequestUriErrorCode; message: string };

const fail = (error: RequestUriErrorCode, message: string): RequestUriResult => ({ ok: false, error, message });

const utf8 = new TextDecoder('utf-8');

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 65 && c <= 70) return c - 55; // A-F
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1;
}

/**
 * Percent-decodes one component; `plusIsSpace` for query components (Go's QueryUnescape), not for paths.
 * Returns null on a `%` not followed by two hex digits. Decoded bytes that are not UTF-8 become U+FFFD.
 */
function unescape(s: string, plusIsSpace: boolean): string | null {
  const hasPercent = s.indexOf('%') !== -1;
  if (!hasPercent) return plusIsSpace && s.indexOf('+') !== -1 ? s.replaceAll('+', ' ') : s;
  const raw = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as number; // i < raw.length
    if (c === 37 /* % */) {
      if (i + 2 >= raw.length) return null;
      const hi = hexValue(raw[i + 1] as number); // bounds checked above
      const lo = hexValue(raw[i + 2] as number);
      if (hi < 0 || lo < 0) return null;
      out[n++] = hi * 16 + lo;
      i += 2;
    } else if (c === 43 /* + */ && plusIsSpace) {
      out[n++] = 32;
    } else {
      out[n++] = c;
    }
  }
  return utf8.decode(out.subarray(0, n));
}

type QueryValues = Map<string, string[]>;

function parseQuery(query: string): { ok: true; values: QueryValues } | { ok: false; error: RequestUriErrorCode; message: string } {
  const values: QueryValues = new Map();
  for (const pair of query.split('&')) {
    if (pair.indexOf(';') !== -1) return { ok: false, error: 'semicolon_separator', message: 'requestURI: invalid semicolon separator in query' };
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = unescape(eq === -1 ? pair : pair.slice(0, eq), true);
    const value = unescape(eq === -1 ? '' : pair.slice(eq + 1), true);
    if (key === null || value === null) {
      return { ok: false, error: 'malformed_escape', message: `requestURI: invalid percent-escape in query parameter "${pair.slice(0, 60)}"` };
    }
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  return { ok: true, values };
}

function boolParam(values: QueryValues, name: string): boolean {
  const first = values.get(name)?.[0];
  if (first === undefined) return false;
  return !(first === '0' || first.toLowerCase() === 'false');
}

function isSessionSubresource(s: string): s is SessionSubresource {
  return (SESSION_SUBRESOURCES as readonly string[]).includes(s);
}

/** Parses a pod exec/attach/ephemeralcontainers requestURI. Never throws. */
export function parseRequestUri(uri: unknown): RequestUriResult {
  if (typeof uri !== 'string') return fail('not_a_string', 'requestURI: expected a string');
  if (uri.length > MAX_REQUEST_URI_LENGTH) {
    return fail('too_long', `requestURI: ${uri.length} characters, more than the ${MAX_REQUEST_URI_LENGTH} read`);
  }
  const q = uri.indexOf('?');
  const rawPath = q === -1 ? uri : uri.slice(0, q);
  const rawQuery = q === -1 ? '' : uri.slice(q + 1);

  // Go decodes the whole path before the apiserver splits it on "/".
  const path = unescape(rawPath, false);
  if (path === null) return fail('malformed_escape', 'requestURI: invalid percent-escape in path');
  const parts = path.split('/');
  // ['', 'api', 'v1', 'namespaces', ns, 'pods', name, subresource], an optional trailing slash allowed
  if (parts.length === 9 && parts[8] === '') parts.pop();
  if (
    parts.length !== 8 ||
    parts[0] !== '' ||
    parts[1] !== 'api' ||
    parts[2] !== 'v1' ||
    parts[3] !== 'namespaces' ||
    parts[5] !== 'pods' ||
    !parts[4] ||
    !parts[6] ||
    !parts[7]
  ) {
    return fail('not_a_pod_subresource', 'requestURI: not /api/v1/namespaces/{namespace}/pods/{name}/{subresource}');
  }
  const [, , , , namespace, , pod, subresource] = parts as [string, string, string, string, string, string, string, string]; // length checked above
  if (!isSessionSubresource(subresource)) {
    return fail('unsupported_subresource', `requestURI: subresource "${subresource.slice(0, 60)}" is not exec, attach or ephemeralcontainers`);
  }

  const parsed = parseQuery(rawQuery);
  if (!parsed.ok) return fail(parsed.error, parsed.message);
  const values = parsed.values;

  const value: PodSessionRequest = {
    namespace,
    pod,
    subresource,
    containerRepeated: false,
    command: [],
    stdin: false,
    stdout: false,
    stderr: false,
    tty: false,
  };
  if (subresource === 'ephemeralcontainers') return { ok: true, value };

  const containers = values.get('container');
  if (containers !== undefined) {
    // an empty first value is no container name (the apiserver then picks the pod's only container)
    if (containers[0]) value.container = containers[0];
    value.containerRepeated = containers.length > 1;
  }
  if (subresource === 'exec') value.command = values.get('command') ?? [];
  value.stdin = boolParam(values, 'stdin');
  value.stdout = boolParam(values, 'stdout');
  value.stderr = boolParam(values, 'stderr');
  value.tty = boolParam(values, 'tty');
  return { ok: true, value };
}
