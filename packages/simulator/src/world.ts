/**
 * The simulated cluster: nodes, namespaces, workloads and their pods. Built once from a fixed seed so pod names and
 * container ids stay the same across simulator seeds (exceptions written against the demo keep matching).
 */
import { Random } from './random';

export type WorkloadRole = 'app' | 'database' | 'system' | 'ops' | 'ci' | 'monitoring';

export interface Workload {
  namespace: string;
  name: string;
  container: string;
  image: string;
  tag: string;
  parentType: 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';
  replicas: number;
  role: WorkloadRole;
  /** Main process of the container (pid 1 inside it). */
  init: { executable: string; args: string[]; user: UserRef };
  /**
   * Who `kubectl exec` runs as: the image's USER (root when the image names none), whoever the main process
   * drops to (postgres and redis start as root and switch).
   */
  execUser: UserRef;
  /** Working directory of an exec: the image's WORKDIR. */
  workdir: string;
  /** Package manager in the image, if it has one. */
  packages?: 'apt' | 'apk';
  /** Exec liveness/readiness probe, when the workload has one. */
  probe?: string;
  /** Shell available for `kubectl exec -it`. */
  shell?: string;
  /** Process the app forks for its workers, if it does. */
  worker?: { executable: string; args: string[] };
  /** Whether the workload faces the internet (where attackers land). */
  exposed?: boolean;
}

export interface UserRef {
  id: string;
  name: string;
  groupId: string;
  groupName: string;
}

/** Shared, never-mutated parts of every event from one pod. */
export interface Pod {
  workload: Workload;
  name: string;
  containerId: string;
  podIp: string;
  node: Node;
  host: Record<string, unknown>;
  cloud: Record<string, unknown>;
  agent: Record<string, unknown>;
  orchestrator: Record<string, unknown>;
  container: Record<string, unknown>;
  /** entity id, pid and start of pid 1 in the container (entry leader of the app's own processes). */
  initEntityId: string;
  initPid: number;
  initStart: string;
}

export interface Node {
  name: string;
  hostId: string;
  agentId: string;
  ip: string;
  zone: string;
}

export interface World {
  clusterName: string;
  pods: Pod[];
  byRole: Record<WorkloadRole, Pod[]>;
  byNamespace: Record<string, Pod[]>;
  exposed: Pod[];
}

/** Linux users of the images (in-container identities, not the people or accounts that exec). */
export const users = {
  root: { id: '0', name: 'root', groupId: '0', groupName: 'root' },
  app: { id: '1000', name: 'app', groupId: '1000', groupName: 'app' },
  node: { id: '1000', name: 'node', groupId: '1000', groupName: 'node' },
  postgres: { id: '999', name: 'postgres', groupId: '999', groupName: 'postgres' },
  redis: { id: '999', name: 'redis', groupId: '1000', groupName: 'redis' },
  nobody: { id: '65534', name: 'nobody', groupId: '65534', groupName: 'nogroup' },
  /** The ops toolbox image's own user, shared by everyone who execs into the toolbox. */
  sreAdmin: { id: '1100', name: 'sre-admin', groupId: '1100', groupName: 'sre' },
  ciRunner: { id: '1001', name: 'runner', groupId: '1001', groupName: 'runner' },
} as const satisfies Record<string, UserRef>;

const workloads: Workload[] = [
  { namespace: 'default', name: 'web-frontend', container: 'nginx', image: 'nginx', tag: '1.25.4', parentType: 'ReplicaSet', replicas: 3, role: 'app',
    init: { executable: '/usr/sbin/nginx', args: ['nginx', '-g', 'daemon off;'], user: users.root }, execUser: users.root, workdir: '/', packages: 'apt',
    probe: 'cat /tmp/healthy', shell: 'bash', worker: { executable: '/usr/sbin/nginx', args: ['nginx: worker process'] }, exposed: true },
  { namespace: 'shop', name: 'checkout-api', container: 'checkout', image: 'registry.example.com/shop/checkout', tag: '2.14.1', parentType: 'ReplicaSet', replicas: 3, role: 'app',
    init: { executable: '/usr/local/bin/node', args: ['node', 'dist/server.js'], user: users.node }, execUser: users.node, workdir: '/app', packages: 'apk',
    probe: '/bin/grpc_health_probe -addr=:9090', shell: 'sh', exposed: true },
  { namespace: 'shop', name: 'catalog', container: 'catalog', image: 'registry.example.com/shop/catalog', tag: '1.9.0', parentType: 'ReplicaSet', replicas: 2, role: 'app',
    init: { executable: '/usr/local/bin/gunicorn', args: ['gunicorn', '-w', '4', '-b', '0.0.0.0:8000', 'catalog.wsgi'], user: users.app }, execUser: users.app, workdir: '/app', packages: 'apt',
    probe: 'cat /tmp/healthy', shell: 'bash', worker: { executable: '/usr/local/bin/gunicorn', args: ['gunicorn', '-w', '4', '-b', '0.0.0.0:8000', 'catalog.wsgi'] }, exposed: true },
  { namespace: 'payments', name: 'payments-api', container: 'payments', image: 'registry.example.com/payments/api', tag: '5.3.0', parentType: 'ReplicaSet', replicas: 2, role: 'app',
    init: { executable: '/opt/java/openjdk/bin/java', args: ['java', '-jar', '/app/payments.jar'], user: users.app }, execUser: users.app, workdir: '/app', packages: 'apt',
    probe: '/bin/grpc_health_probe -addr=:8443', shell: 'bash' },
  { namespace: 'data', name: 'postgres', container: 'postgres', image: 'postgres', tag: '16.2', parentType: 'StatefulSet', replicas: 2, role: 'database',
    init: { executable: '/usr/lib/postgresql/16/bin/postgres', args: ['postgres'], user: users.postgres }, execUser: users.root, workdir: '/', packages: 'apt',
    probe: 'pg_isready -U postgres -h 127.0.0.1', shell: 'bash', worker: { executable: '/usr/lib/postgresql/16/bin/postgres', args: ['postgres: checkpointer'] } },
  { namespace: 'data', name: 'redis', container: 'redis', image: 'redis', tag: '7.2.4-alpine', parentType: 'StatefulSet', replicas: 1, role: 'database',
    init: { executable: '/usr/local/bin/redis-server', args: ['redis-server', '*:6379'], user: users.redis }, execUser: users.root, workdir: '/data', packages: 'apk',
    probe: 'redis-cli ping', shell: 'sh' },
  { namespace: 'kube-system', name: 'coredns', container: 'coredns', image: 'registry.k8s.io/coredns/coredns', tag: 'v1.11.1', parentType: 'ReplicaSet', replicas: 2, role: 'system',
    init: { executable: '/coredns', args: ['/coredns', '-conf', '/etc/coredns/Corefile'], user: users.root }, execUser: users.root, workdir: '/' },
  { namespace: 'kube-system', name: 'kube-proxy', container: 'kube-proxy', image: 'registry.k8s.io/kube-proxy', tag: 'v1.29.2', parentType: 'DaemonSet', replicas: 4, role: 'system',
    init: { executable: '/usr/local/bin/kube-proxy', args: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf'], user: users.root }, execUser: users.root, workdir: '/',
    shell: 'sh' },
  { namespace: 'kube-system', name: 'metrics-server', container: 'metrics-server', image: 'registry.k8s.io/metrics-server/metrics-server', tag: 'v0.7.0', parentType: 'ReplicaSet', replicas: 1, role: 'system',
    init: { executable: '/metrics-server', args: ['/metrics-server', '--secure-port=10250'], user: users.root }, execUser: users.root, workdir: '/' },
  { namespace: 'ops', name: 'ops-toolbox', container: 'toolbox', image: 'registry.example.com/ops/toolbox', tag: '1.8.2', parentType: 'ReplicaSet', replicas: 1, role: 'ops',
    init: { executable: '/bin/sleep', args: ['sleep', 'infinity'], user: users.sreAdmin }, execUser: users.sreAdmin, workdir: '/home/sre-admin', packages: 'apt', shell: 'bash' },
  { namespace: 'monitoring', name: 'prometheus', container: 'prometheus', image: 'prom/prometheus', tag: 'v2.51.0', parentType: 'StatefulSet', replicas: 1, role: 'monitoring',
    init: { executable: '/bin/prometheus', args: ['/bin/prometheus', '--config.file=/etc/prometheus/prometheus.yml'], user: users.nobody }, execUser: users.nobody, workdir: '/prometheus',
    shell: 'sh' },
  { namespace: 'ci', name: 'runner-node', container: 'build', image: 'registry.example.com/ci/runner-node', tag: '20.11', parentType: 'Job', replicas: 3, role: 'ci',
    init: { executable: '/usr/bin/dumb-init', args: ['dumb-init', '--', 'sleep', '3600'], user: users.ciRunner }, execUser: users.ciRunner, workdir: '/builds/project', shell: 'sh' },
  { namespace: 'ci', name: 'runner-go', container: 'build', image: 'registry.example.com/ci/runner-go', tag: '1.22', parentType: 'Job', replicas: 2, role: 'ci',
    init: { executable: '/usr/bin/dumb-init', args: ['dumb-init', '--', 'sleep', '3600'], user: users.ciRunner }, execUser: users.ciRunner, workdir: '/builds/project', shell: 'sh' },
  { namespace: 'ci', name: 'runner-python', container: 'build', image: 'registry.example.com/ci/runner-python', tag: '3.12', parentType: 'Job', replicas: 2, role: 'ci',
    init: { executable: '/usr/bin/dumb-init', args: ['dumb-init', '--', 'sleep', '3600'], user: users.ciRunner }, execUser: users.ciRunner, workdir: '/builds/project', shell: 'sh' },
  // Last, so the pods above keep the names they had before it was added.
  { namespace: 'ci', name: 'runner-jvm', container: 'build', image: 'registry.example.com/ci/runner-jvm', tag: '17', parentType: 'Job', replicas: 2, role: 'ci',
    init: { executable: '/usr/bin/dumb-init', args: ['dumb-init', '--', 'sleep', '3600'], user: users.ciRunner }, execUser: users.ciRunner, workdir: '/builds/project', shell: 'sh' },
];

const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';

function podSuffix(rng: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALNUM[rng.int(0, ALNUM.length - 1)];
  return s;
}

function makeNodes(rng: Random): Node[] {
  const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  const nodes: Node[] = [];
  for (let i = 0; i < 4; i++) {
    const ip = `10.20.${i + 1}.${rng.int(10, 250)}`;
    nodes.push({
      name: `ip-${ip.replaceAll('.', '-')}.eu-west-1.compute.internal`,
      hostId: rng.hex(32),
      agentId: rng.uuid(),
      ip,
      zone: zones[i % zones.length],
    });
  }
  return nodes;
}

const agentIdBase64 = new Map<string, string>();

/**
 * Entity ids look like cloud_defend's: base64 of `<agent id>-<pid>-<start seconds>`. An agent id is 36 characters, a
 * multiple of 3, so its base64 is a fixed prefix and only the short rest is encoded per process.
 */
export function entityId(agentId: string, pid: number, startMs: number): string {
  let prefix = agentIdBase64.get(agentId);
  if (prefix === undefined) {
    prefix = agentId.length % 3 === 0 ? btoa(agentId) : '';
    agentIdBase64.set(agentId, prefix);
  }
  const rest = `-${pid}-${Math.floor(startMs / 1000)}`;
  return prefix ? prefix + btoa(rest) : btoa(agentId + rest);
}

/** The simulated cluster's name, as the audit webhook of its apiserver is configured to say (`?cluster=`). */
export const CLUSTER_NAME = 'prod-eu-west-1';
const CLUSTER_ID = '6f1c2b9e-3d4a-4c55-9b8e-2a7d1e0c4f13';
const POD_EPOCH = Date.UTC(2025, 10, 1);

function makePod(rng: Random, w: Workload, index: number, node: Node, rsHash: string): Pod {
  const name =
    w.parentType === 'StatefulSet' ? `${w.name}-${index}`
    : w.parentType === 'DaemonSet' ? `${w.name}-${podSuffix(rng, 5)}`
    : w.parentType === 'Job' ? `${w.name}-${rng.hex(8)}-project-${rng.int(10, 99)}-concurrent-${index}`
    : `${w.name}-${rsHash}-${podSuffix(rng, 5)}`;
  const containerId = rng.hex(64);
  const podIp = `10.244.${rng.int(0, 3)}.${rng.int(2, 254)}`;
  const initPid = rng.int(2000, 90000);
  const initStartMs = POD_EPOCH + rng.int(0, 20 * 86400) * 1000;
  const host = {
    architecture: 'x86_64',
    hostname: node.name,
    id: node.hostId,
    ip: [node.ip, '169.254.1.1'],
    name: node.name,
    os: { family: 'ubuntu', kernel: '6.5.0-1016-aws', name: 'Linux', platform: 'ubuntu', type: 'linux', version: '22.04.4' },
  };
  const cloud = {
    account: { id: '418273645091' },
    availability_zone: node.zone,
    instance: { name: node.name },
    provider: 'aws',
    region: 'eu-west-1',
  };
  const agent = { id: node.agentId, type: 'cloud-defend', version: '8.13.2' };
  const orchestrator = {
    cluster: { id: CLUSTER_ID, name: CLUSTER_NAME },
    namespace: w.namespace,
    resource: {
      ip: [podIp],
      label: [`app:${w.name}`],
      name,
      parent: { type: w.parentType },
      type: 'pod',
    },
    type: 'kubernetes',
  };
  const container = { id: containerId, image: { name: w.image, tag: w.tag }, name: w.container };
  return {
    workload: w, name, containerId, podIp, node, host, cloud, agent, orchestrator, container,
    initEntityId: entityId(node.agentId, initPid, initStartMs), initPid, initStart: new Date(initStartMs).toISOString(),
  };
}

function buildWorld(): World {
  const rng = new Random(20250917);
  const nodes = makeNodes(rng);
  const pods: Pod[] = [];
  let nodeCursor = 0;
  for (const w of workloads) {
    const rsHash = podSuffix(rng, 10);
    for (let i = 0; i < w.replicas; i++) {
      const node = w.parentType === 'DaemonSet' ? nodes[i % nodes.length] : nodes[nodeCursor++ % nodes.length];
      pods.push(makePod(rng, w, i, node, rsHash));
    }
  }
  const byRole: Record<WorkloadRole, Pod[]> = { app: [], database: [], system: [], ops: [], ci: [], monitoring: [] };
  const byNamespace: Record<string, Pod[]> = {};
  for (const pod of pods) {
    byRole[pod.workload.role].push(pod);
    (byNamespace[pod.workload.namespace] ??= []).push(pod);
  }
  return { clusterName: CLUSTER_NAME, pods, byRole, byNamespace, exposed: pods.filter((p) => p.workload.exposed) };
}

let cached: World | undefined;

/** The (lazily built, shared) simulated cluster. */
export function world(): World {
  cached ??= buildWorld();
  return cached;
}
