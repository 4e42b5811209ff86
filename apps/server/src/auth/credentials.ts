/** Credentials carried by an `Authorization` header. */
export type HeaderCredentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'api_key'; id: string; key: string }
  | { kind: 'invalid'; reason: string };

const MAX_HEADER = 4096;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function decodeBase64Pair(encoded: string): [string, string] | null {
  if (!BASE64.test(encoded)) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/**
 * Parses `Authorization: Basic base64(user:pass)` or `Authorization: ApiKey base64(id:key)` (Elasticsearch's forms),
 * or `Authorization: Bearer base64(id:key)` (an API key as a bearer token).
 * Returns undefined when there is no header, `invalid` for anything malformed or unsupported.
 */
export function parseAuthorization(header: string | undefined): HeaderCredentials | undefined {
  if (header === undefined || header === '') return undefined;
  if (header.length > MAX_HEADER) return { kind: 'invalid', reason: 'authorization header too long' };
  const space = header.indexOf(' ');
  if (space < 0) return { kind: 'invalid', reason: 'malformed authorization header' };
  const scheme = header.slice(0, space).toLowerCase();
  const pair = decodeBase64Pair(header.slice(space + 1).trim());
  if (scheme === 'basic') {
    if (!pair || pair[0] === '') return { kind: 'invalid', reason: 'malformed basic credentials' };
    return { kind: 'basic', username: pair[0], password: pair[1] };
  }
  // A bearer token is an API key's `encoded` form: what a kube-apiserver audit webhook kubeconfig can send (`token:`).
  if (scheme === 'apikey' || scheme === 'bearer') {
    if (!pair || pair[0] === '' || pair[1] === '') return { kind: 'invalid', reason: 'malformed api key' };
    return { kind: 'api_key', id: pair[0], key: pair[1] };
  }
  return { kind: 'invalid', reason: 'unsupported authorization scheme' };
}
