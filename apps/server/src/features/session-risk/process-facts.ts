/**
 * What the recognisers see of one process: read once from an event document (or from a process of the
 * session tree), with the paths it names resolved against its working directory and, for curl and wget,
 * what it downloads and where the download goes.
 */
import { getField, strings } from '../../services/detection/get-field';

/** A process as read from the session's events. */
export interface ProcessFacts {
  /** `process.entity_id`, or a key made from the other fields when the event has none. */
  key: string;
  entity_id: string | null;
  parent_entity_id: string | null;
  /** `process.name`; for a busybox applet (`busybox nc ...`), the applet. */
  name: string;
  executable: string | null;
  /** `process.args`; for a busybox applet, without the leading `busybox`. */
  args: readonly string[];
  /** `process.name` and `process.args` as recorded (what evidence shows). */
  recorded_name: string;
  recorded_args: readonly string[];
  working_directory: string | null;
  /** `process.start`, else `@timestamp`, as epoch ms; null when neither parses. */
  time: number | null;
}

/**
 * One input process: either a cloud_defend event document (`process.entity_id`, `process.args`, ...,
 * nested or with dotted keys) or a process of the session tree (`entity_id`, `parent_entity_id`, `args`, ...).
 */
export type ProcessInput = Readonly<Record<string, unknown>>;

function basename(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function timeOf(value: unknown): number | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'number') return Number.isFinite(first) ? first : null;
  if (typeof first !== 'string') return null;
  const ms = Date.parse(first);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * The value at a dotted path: walked directly through nested objects (how events are stored), else
 * through `getField`, which also finds dotted keys (`{"process.args": ...}`).
 */
function field(doc: ProcessInput, path: string, parts: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const part of parts) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) {
      cur = undefined;
      break;
    }
    cur = (cur as Record<string, unknown>)[part]; // checked to be a non-array object above
  }
  return cur === undefined ? getField(doc, path) : cur;
}

function firstString(v: unknown): string | null {
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string') return first;
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  return null;
}

function allStrings(v: unknown): string[] {
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return strings({ v }, 'v');
}

interface FieldPaths {
  entity: [string, string[]];
  parent: [string, string[]];
  name: [string, string[]];
  executable: [string, string[]];
  args: [string, string[]];
  cwd: [string, string[]];
  start: [string, string[]];
}

function pathsFor(prefix: string, parent: string): FieldPaths {
  const at = (path: string): [string, string[]] => [path, path.split('.')];
  return {
    entity: at(`${prefix}entity_id`), parent: at(parent), name: at(`${prefix}name`), executable: at(`${prefix}executable`),
    args: at(`${prefix}args`), cwd: at(`${prefix}working_directory`), start: at(`${prefix}start`),
  };
}

const EVENT_PATHS = pathsFor('process.', 'process.parent.entity_id');
const TREE_PATHS = pathsFor('', 'parent_entity_id');
const TIMESTAMP: [string, string[]] = ['@timestamp', ['@timestamp']];

function isEventDocument(input: ProcessInput): boolean {
  if (typeof input.process === 'object' && input.process !== null) return true;
  for (const k in input) if (k.startsWith('process.')) return true;
  return false;
}

/** Reads the fields the recognisers use from one input process. */
export function readProcess(input: ProcessInput): ProcessFacts {
  const paths = isEventDocument(input) ? EVENT_PATHS : TREE_PATHS;
  const read = ([path, parts]: [string, string[]]) => field(input, path, parts);
  const entityId = firstString(read(paths.entity));
  const parentId = firstString(read(paths.parent));
  const recordedArgs: readonly string[] = allStrings(read(paths.args));
  const executable = firstString(read(paths.executable));
  const recordedName = firstString(read(paths.name)) ?? (executable ? basename(executable) : recordedArgs[0] ? basename(recordedArgs[0]) : '');
  const applet = recordedName === 'busybox' && recordedArgs.length > 1;
  const name = applet ? (recordedArgs[1] ?? recordedName) : recordedName;
  const args = applet ? recordedArgs.slice(1) : recordedArgs;
  const time = timeOf(read(paths.start)) ?? timeOf(read(TIMESTAMP));
  const key = entityId ?? `\u0000${recordedName}\u0000${time ?? ''}\u0000${recordedArgs.join('\u0000')}`;
  return {
    key, entity_id: entityId, parent_entity_id: parentId, name, executable, args, recorded_name: recordedName, recorded_args: recordedArgs,
    working_directory: firstString(read(paths.cwd)), time,
  };
}

/**
 * `path` made absolute against `cwd` with `.` and `..` folded (no symlinks: the process tree has none).
 * A relative path without a working directory, or one starting with `~`, is returned as given.
 */
export function resolvePath(path: string, cwd: string | null): string {
  let full: string;
  if (path.startsWith('/')) full = path;
  else if (cwd && cwd.startsWith('/') && !path.startsWith('~')) full = `${cwd}/${path}`;
  else return path;
  const out: string[] = [];
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** Arguments after argv[0] that are not options (`-x`, `--long`), resolved as paths; all of them after `--`. */
export function operandPaths(p: ProcessFacts): string[] {
  const out: string[] = [];
  let optionsEnded = false;
  for (let i = 1; i < p.args.length; i++) {
    const a = p.args[i] ?? '';
    if (!optionsEnded && a === '--') {
      optionsEnded = true;
      continue;
    }
    if (!optionsEnded && a.startsWith('-')) continue;
    if (a !== '') out.push(resolvePath(a, p.working_directory));
  }
  return out;
}

/** How a curl or wget process spends its download. */
export interface Transfer {
  /** Any URL of the process names a host other than this machine's loopback. */
  remote: boolean;
  /** Files the download is written to (resolved; `/dev/null` left out). */
  outputs: string[];
  /** The download goes to standard output (into a pipe). */
  toStdout: boolean;
}

/** Short options that take a value (the rest of the cluster, or the next argument). */
const CURL_VALUED = new Set('AbcCdDeEFHKmPQrtTuUwxXyYz');
const CURL_VALUED_LONG = new Set([
  '--header', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--user', '--user-agent', '--request', '--cookie', '--cookie-jar',
  '--proxy', '--max-time', '--connect-timeout', '--write-out', '--cacert', '--cert', '--key', '--form', '--referer', '--retry', '--resolve',
  '--unix-socket', '--upload-file', '--range', '--config', '--dump-header', '--oauth2-bearer', '--limit-rate', '--interface',
]);
const WGET_VALUED = new Set('aABDeiIlQRtTUwX');
const WGET_VALUED_LONG = new Set([
  '--header', '--user', '--password', '--user-agent', '--tries', '--timeout', '--wait', '--post-data', '--post-file', '--body-data',
  '--method', '--ca-certificate', '--certificate', '--private-key', '--execute', '--input-file', '--output-file', '--append-output',
  '--accept', '--reject', '--level', '--quota', '--domains', '--exclude-directories', '--include-directories',
]);

function hostOf(url: string): string {
  const scheme = url.indexOf('://');
  let rest = scheme >= 0 ? url.slice(scheme + 3) : url;
  const at = rest.indexOf('@');
  const slash = rest.indexOf('/');
  if (at >= 0 && (slash < 0 || at < slash)) rest = rest.slice(at + 1);
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    return (close > 0 ? rest.slice(1, close) : rest.slice(1)).toLowerCase();
  }
  let end = rest.length;
  for (const stop of ['/', ':', '?', '#']) {
    const i = rest.indexOf(stop);
    if (i >= 0 && i < end) end = i;
  }
  return rest.slice(0, end).toLowerCase();
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host.startsWith('127.') || host === '::1' || host === '0.0.0.0' || host === '';
}

/** The last path segment of a URL (what `curl -O` and `wget` name the file), or '' for none. */
function urlFileName(url: string): string {
  const scheme = url.indexOf('://');
  let rest = scheme >= 0 ? url.slice(scheme + 3) : url;
  for (const stop of ['?', '#']) {
    const i = rest.indexOf(stop);
    if (i >= 0) rest = rest.slice(0, i);
  }
  const slash = rest.indexOf('/');
  if (slash < 0) return '';
  const path = rest.slice(slash);
  return path.slice(path.lastIndexOf('/') + 1);
}

interface ParsedOptions {
  /** Values of the options the caller asked for, by option ('o' or '--output'). */
  values: Map<string, string[]>;
  flags: Set<string>;
  operands: string[];
}

/**
 * A getopt-like reading of `args`: clusters of short options (`-sSLo file`, `-qO-`), valued options
 * (`-H value`, `--header value`, `--header=value`) and operands. `valued` and `valuedLong` list the options
 * that take a value; `wanted` the options whose values are kept.
 */
function parseOptions(args: readonly string[], valued: ReadonlySet<string>, valuedLong: ReadonlySet<string>, wanted: ReadonlySet<string>): ParsedOptions {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const operands: string[] = [];
  const keep = (opt: string, value: string | undefined) => {
    if (value === undefined || !wanted.has(opt)) return;
    const list = values.get(opt);
    if (list) list.push(value);
    else values.set(opt, [value]);
  };
  for (let i = 1; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const opt = eq >= 0 ? a.slice(0, eq) : a;
      if (eq >= 0) keep(opt, a.slice(eq + 1));
      else if (valuedLong.has(opt) || wanted.has(opt)) keep(opt, args[++i]);
      else flags.add(opt);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j] ?? '';
        if (valued.has(c)) {
          const rest = a.slice(j + 1);
          keep(c, rest !== '' ? rest : args[++i]);
          break;
        }
        flags.add(c);
      }
      continue;
    }
    operands.push(a);
  }
  return { values, flags, operands };
}

const CURL_WANTED = new Set(['o', '--output', '--output-dir']);
const WGET_WANTED = new Set(['O', 'P', '--output-document', '--directory-prefix']);
const CURL_VALUED_ALL = new Set([...CURL_VALUED, 'o']);
const CURL_VALUED_LONG_ALL = new Set([...CURL_VALUED_LONG, '--output', '--output-dir']);
const WGET_VALUED_ALL = new Set([...WGET_VALUED, 'O', 'P', 'o']);
const WGET_VALUED_LONG_ALL = new Set([...WGET_VALUED_LONG, '--output-document', '--directory-prefix']);

function joinDir(dir: string | undefined, file: string): string {
  return dir ? `${dir.endsWith('/') ? dir.slice(0, -1) : dir}/${file}` : file;
}

/** What a curl or wget process downloads and where it puts it; null for any other process. */
export function transferOf(p: ProcessFacts): Transfer | null {
  if (p.name !== 'curl' && p.name !== 'wget') return null;
  const isCurl = p.name === 'curl';
  const parsed = isCurl
    ? parseOptions(p.args, CURL_VALUED_ALL, CURL_VALUED_LONG_ALL, CURL_WANTED)
    : parseOptions(p.args, WGET_VALUED_ALL, WGET_VALUED_LONG_ALL, WGET_WANTED);
  const urls = parsed.operands;
  const remote = urls.some((u) => !isLoopback(hostOf(u)));
  const named: string[] = [];
  let toStdout = false;
  if (isCurl) {
    const dir = parsed.values.get('--output-dir')?.at(-1);
    const explicit = [...(parsed.values.get('o') ?? []), ...(parsed.values.get('--output') ?? [])];
    for (const out of explicit) {
      if (out === '-') toStdout = true;
      else named.push(out.startsWith('/') ? out : joinDir(dir, out));
    }
    if (parsed.flags.has('O') || parsed.flags.has('--remote-name') || parsed.flags.has('--remote-name-all')) {
      for (const u of urls) {
        const file = urlFileName(u);
        if (file) named.push(joinDir(dir, file));
      }
    } else if (explicit.length === 0) {
      toStdout = true;
    }
  } else if (!parsed.flags.has('--spider')) {
    const explicit = [...(parsed.values.get('O') ?? []), ...(parsed.values.get('--output-document') ?? [])];
    const dir = [...(parsed.values.get('P') ?? []), ...(parsed.values.get('--directory-prefix') ?? [])].at(-1);
    if (explicit.length > 0) {
      for (const out of explicit) {
        if (out === '-') toStdout = true;
        else named.push(out);
      }
    } else {
      for (const u of urls) named.push(joinDir(dir, urlFileName(u) || 'index.html'));
    }
  }
  const outputs = named.map((f) => resolvePath(f, p.working_directory)).filter((f) => f !== '/dev/null');
  return { remote, outputs, toStdout };
}
