/**
 * Command lines as Defend for Containers sees them: typed lines parsed into the processes they start. What is
 * typed is written the way a shell runs it: ` && `, ` || ` and ` ; ` run pipelines one after another, ` | `
 * starts siblings together, redirections leave no trace in the args, builtins (`history`, `cd`, `export`) start
 * no process, and some programs start their own children (`sh -c "..."` its line, apt-get its fetchers, `nc -e`
 * the shell it hands the connection to).
 */

export interface ProcessTemplate {
  name: string;
  /** Absolute, or `./x` for a file in the working directory (resolved by the writer). */
  executable: string;
  args: string[];
  /** How long it runs, ms (min, max). */
  runMs: readonly [number, number];
  exitCode: number;
  /** What it starts itself, run one pipeline after another. */
  children: Command;
  /** A shell wired to a remote address (reverse shell): an attacker's later commands may run in it. */
  remoteShell: boolean;
}

/** Processes started together: the members of one pipeline. */
export type Pipeline = ProcessTemplate[];

/** One typed line: its pipelines, run one after another. */
export type Command = Pipeline[];

const binaryPaths: Record<string, string> = {
  bash: '/bin/bash', sh: '/bin/sh', cat: '/bin/cat', ls: '/bin/ls', ps: '/bin/ps', grep: '/bin/grep', mount: '/bin/mount',
  uname: '/bin/uname', chmod: '/bin/chmod', rm: '/bin/rm', df: '/bin/df', kill: '/bin/kill', hostname: '/bin/hostname',
  sed: '/bin/sed', date: '/bin/date', echo: '/bin/echo', sleep: '/bin/sleep', tar: '/bin/tar', mkdir: '/bin/mkdir', ln: '/bin/ln',
  node: '/usr/local/bin/node', npm: '/usr/local/bin/npm', python3: '/usr/local/bin/python3', go: '/usr/local/go/bin/go',
  pip: '/usr/local/bin/pip', pytest: '/usr/local/bin/pytest', 'redis-cli': '/usr/local/bin/redis-cli', psql: '/usr/lib/postgresql/16/bin/psql',
  pg_isready: '/usr/lib/postgresql/16/bin/pg_isready', 'apt-get': '/usr/bin/apt-get', apk: '/sbin/apk', dpkg: '/usr/bin/dpkg',
  java: '/opt/java/openjdk/bin/java', jcmd: '/opt/java/openjdk/bin/jcmd', kubectl: '/usr/local/bin/kubectl', nginx: '/usr/sbin/nginx',
  iptables: '/usr/sbin/iptables', 'iptables-save': '/usr/sbin/iptables-save', nsenter: '/usr/bin/nsenter', capsh: '/sbin/capsh',
  jest: '/builds/project/node_modules/.bin/jest',
};

/** Shell builtins: typed, they start no process. */
const builtins = new Set(['history', 'cd', 'export', 'unset', 'set', 'source', 'alias', 'exit', 'true', ':']);
const shells = new Set(['sh', 'bash', 'dash', 'ash']);

/** Run times by program (ms); anything else is a short command. */
const runTimes: Record<string, readonly [number, number]> = {
  'apt-get': [4_000, 14_000], apk: [1_200, 6_000], dpkg: [300, 2_500], http: [400, 3_000], gpgv: [30, 200],
  curl: [120, 2_500], wget: [150, 3_000], npm: [12_000, 45_000], jest: [6_000, 30_000], make: [8_000, 40_000], go: [6_000, 35_000],
  gradlew: [25_000, 80_000], java: [24_000, 78_000], pytest: [5_000, 30_000], pip: [4_000, 20_000], git: [400, 4_000],
  top: [1_000, 1_200], psql: [40, 900], kubectl: [200, 1_800], dig: [20, 300], nslookup: [20, 400], tar: [300, 3_000],
  find: [800, 9_000], grep: [5, 4_000], du: [50, 2_500], nsenter: [2, 20], '.kworker': [60_000, 600_000], agent: [60_000, 600_000], nc: [60_000, 600_000],
};
const SHORT_RUN: readonly [number, number] = [2, 120];

/** What usually ends badly inside a container. */
const exitCodes: Record<string, number> = { nsenter: 1, crontab: 1 };

/** Splits a command line into words, honouring single and double quotes (no expansions). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Splits a line into its pipelines (on unquoted `&&`, `||`, `;`) and each into its members (on unquoted `|`). */
function splitLine(line: string): string[][] {
  const sequence: string[][] = [];
  let pipeline: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  const endMember = () => {
    if (current.trim()) pipeline.push(current.trim());
    current = '';
  };
  const endPipeline = () => {
    endMember();
    if (pipeline.length > 0) sequence.push(pipeline);
    pipeline = [];
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    const next = line[i + 1];
    if (quote) {
      if (ch === quote) quote = null;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if ((ch === '&' && next === '&') || (ch === '|' && next === '|')) {
      endPipeline();
      i++;
    } else if (ch === ';') {
      endPipeline();
    } else if (ch === '|') {
      endMember();
    } else {
      current += ch;
    }
  }
  endPipeline();
  return sequence;
}

const redirectOperator = /^(\d*|&)(>>?|<)&?$/;
const redirectAttached = /^(\d*|&)(>>?|<)&?\S+$/;

/** The words a program receives: redirections (`> f`, `2>/dev/null`, `>& /dev/tcp/...`, `0>&1`) are the shell's. */
function argsOf(segment: string): string[] {
  const words = splitWords(segment);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (redirectOperator.test(w)) i++;
    else if (!redirectAttached.test(w)) out.push(w);
  }
  return out;
}

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

function leaf(args: string[], segment: string): ProcessTemplate {
  const first = args[0] ?? 'sh';
  const executable = first.startsWith('/') || first.startsWith('./') ? first : (binaryPaths[first] ?? `/usr/bin/${first}`);
  const name = basename(executable);
  return {
    name,
    executable,
    args,
    runMs: runTimes[name] ?? SHORT_RUN,
    exitCode: exitCodes[name] ?? 0,
    children: [],
    remoteShell: shells.has(name) && args.includes('-i') && segment.includes('/dev/tcp/'),
  };
}

/** The processes a program starts itself, as far as a process tree shows them. */
function childrenOf(t: ProcessTemplate): Command {
  const [, a1, a2] = t.args;
  if (shells.has(t.name) && a1 === '-c' && a2 !== undefined) return parseCommand(a2);
  if (t.name === 'apt-get' && a1 === 'update') return parseCommand('/usr/lib/apt/methods/http ; /usr/lib/apt/methods/http ; /usr/lib/apt/methods/gpgv');
  if (t.name === 'apt-get' && a1 === 'install') {
    return parseCommand('/usr/lib/apt/methods/http ; dpkg --status-fd 35 --no-triggers --unpack --auto-deconfigure ; dpkg --status-fd 35 --configure --pending');
  }
  if (t.name === 'nc') {
    const e = t.args.indexOf('-e');
    const target = e >= 0 ? t.args[e + 1] : undefined;
    if (target !== undefined) return [[{ ...leaf([target], ''), remoteShell: true }]];
  }
  if (t.name === 'make' && a1 === 'test') return parseCommand('sh -c "go test ./..."');
  if (t.name === 'gradlew') {
    return parseCommand(
      `java -Xmx64m -Xms64m -Dorg.gradle.appname=gradlew -classpath /builds/project/gradle/wrapper/gradle-wrapper.jar org.gradle.wrapper.GradleWrapperMain ${t.args.slice(1).join(' ')}`,
    );
  }
  if (t.name === 'npm' && a1 === 'test') return parseCommand('sh -c "jest --ci"');
  return [];
}

function template(segment: string): ProcessTemplate | null {
  const args = argsOf(segment);
  if (args.length === 0 || builtins.has(args[0])) return null;
  const t = leaf(args, segment);
  t.children = childrenOf(t);
  return t;
}

/** Parses one typed line into the processes it starts. */
export function parseCommand(line: string): Command {
  const out: Command = [];
  for (const members of splitLine(line)) {
    const pipeline = members.map(template).filter((t): t is ProcessTemplate => t !== null);
    // `cat f | sh -i | nc host port > f`: the interactive shell talks to the remote end through nc.
    if (pipeline.some((t) => t.name === 'nc' && !t.args.includes('-z'))) {
      for (const t of pipeline) if (shells.has(t.name) && t.args.includes('-i')) t.remoteShell = true;
    }
    if (pipeline.length > 0) out.push(pipeline);
  }
  return out;
}

/**
 * A parsed line whose programs fail at once with `exitCode` (the same line can work in one image and not in
 * another): they start nothing and do not linger.
 */
export function failing(line: string, exitCode: number): Command {
  return parseCommand(line).map((pipeline) => pipeline.map((t) => ({ ...t, exitCode, runMs: SHORT_RUN, children: [], remoteShell: false })));
}

const parseAll = (lines: string[]): Command[] => lines.map(parseCommand);

const probeCommandCache = new Map<string, Command>();

/** The parsed form of a workload's probe command (cached: probes are most of the background). */
export function probeCommand(line: string): Command {
  let cmd = probeCommandCache.get(line);
  if (!cmd) {
    cmd = parseCommand(line);
    probeCommandCache.set(line, cmd);
  }
  return cmd;
}

export const nonInteractiveExecs = parseAll([
  'cat /etc/nginx/nginx.conf', 'ls /var/log', 'env', 'printenv HOSTNAME', 'date', 'nginx -t', 'cat /proc/1/status',
  'sh -c "du -sh /var/lib/postgresql/data"', 'redis-cli dbsize', 'tail -n 20 /var/log/app/app.log',
]);

export const ciExecs = parseAll([
  'sh -c "npm ci && npm test"', 'sh -c "go test ./..."', 'sh -c "pytest -q"', 'sh -c "git fetch --depth 1 origin"', 'sh -c "./gradlew check"',
]);
