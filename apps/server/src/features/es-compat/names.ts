/**
 * Names as Elasticsearch checks them (indices and data streams, index templates, lifecycle policies, pipelines),
 * and which data streams Execwatch says it has.
 */
import { ElasticsearchError } from './es-errors';

const MAX_NAME_BYTES = 255;
/** Characters Elasticsearch refuses in index, template and policy names. */
const FORBIDDEN = /[\\/*?"<>| ,#:\u0000-\u001f]/;

/** Why `name` is not a valid index or data stream name, or null when it is. */
export function invalidIndexName(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return 'must not be empty, "." or ".."';
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `index name is too long, (${Buffer.byteLength(name)} > ${MAX_NAME_BYTES})`;
  if (/^[-_+]/.test(name)) return "must not start with '_', '-', or '+'";
  if (name !== name.toLowerCase()) return 'must be lowercase';
  if (FORBIDDEN.test(name)) return 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]';
  return null;
}

/** An index name, or a `*` wildcard expression of one (for reads); 400 `invalid_index_name_exception` otherwise. */
export function checkIndexExpression(expression: string): void {
  const reason = invalidIndexName(expression.replace(/\*/g, 'x'));
  if (reason) throw new ElasticsearchError(400, 'invalid_index_name_exception', `Invalid index name [${expression.slice(0, 300)}], ${reason}`, { index: expression.slice(0, 300), index_uuid: '_na_' });
}

/**
 * A template, policy or pipeline name: as Elasticsearch, no white space, none of its forbidden characters, not
 * starting with `_`, at most 255 bytes; `*` is allowed where `wildcard` (reads). Templates must also be lowercase.
 */
export function checkResourceName(name: string, what: string, opts: { wildcard: boolean; lowercase: boolean }): void {
  const fail = (reason: string) => new ElasticsearchError(400, 'illegal_argument_exception', `${what} name [${name.slice(0, 300)}] ${reason}`);
  // reads take a comma-separated list of names and wildcard expressions
  for (const part of opts.wildcard ? name.split(',') : [name]) {
    const probe = opts.wildcard ? part.replace(/\*/g, 'x') : part;
    if (probe === '' || Buffer.byteLength(probe) > MAX_NAME_BYTES) throw fail(`must be 1 to ${MAX_NAME_BYTES} bytes long`);
    if (probe.startsWith('_')) throw fail("must not start with '_'");
    if (/\s/.test(probe) || FORBIDDEN.test(probe)) throw fail('must not contain white space or any of [\\, /, *, ?, ", <, >, |, ,, #, :]');
    if (opts.lowercase && probe !== probe.toLowerCase()) throw fail('must be lowercase');
  }
}

/**
 * The data streams Execwatch says exist: `logs-<dataset>-<namespace>`, the names the bulk API stores events under
 * by Elastic's naming scheme (no store port lists the names events were stored under, so any such name counts).
 */
export function isKnownDataStream(name: string): boolean {
  return /^logs-[^-]+-[^-]+$/.test(name) && invalidIndexName(name) === null;
}

/** `*` wildcards as any run of characters (linear time, no regular expression). */
export function wildcardMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
