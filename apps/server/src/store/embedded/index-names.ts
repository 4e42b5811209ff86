/** Elasticsearch's index-name rules; returns the reason a name is invalid, or null. */
export function indexNameError(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if (name !== name.toLowerCase()) return 'must be lowercase';
  if (name === '.' || name === '..') return 'must not be \'.\' or \'..\'';
  if (/^[-_+]/.test(name)) return 'must not start with \'_\', \'-\', or \'+\'';
  if (/[\\/*?"<>| ,#:]/.test(name)) return 'must not contain the following characters [\'\\\', \'/\', \'*\', \'?\', \'"\', \'<\', \'>\', \'|\', \' \', \',\', \'#\', \':\']';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'index name is too long, (' + Buffer.byteLength(name, 'utf8') + ' > 255)';
  return null;
}

/** Names matching the built-in `logs-*-*` template behave as data streams (create only, `@timestamp` required). */
export function isDataStreamName(name: string): boolean {
  return /^logs-.*-.*$/.test(name);
}

/** An index pattern (`*` wildcards, comma lists, `-exclusions`) -> a predicate on index names. */
export function indexMatcher(patterns: string[]): (name: string) => boolean {
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
  for (const raw of patterns.flatMap((p) => p.split(','))) {
    const p = raw.trim();
    if (!p) continue;
    const neg = p.startsWith('-') && include.length > 0;
    const body = neg ? p.slice(1) : p;
    const re = new RegExp(`^${body.split('*').map(escapeRegExp).join('.*')}$`);
    (neg ? exclude : include).push(re);
  }
  return (name) => include.some((r) => r.test(name)) && !exclude.some((r) => r.test(name));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
