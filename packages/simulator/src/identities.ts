/**
 * Who sends the exec requests, as the kube-apiserver authenticates them: people (OIDC users in groups), the CI
 * runner's service account, and an attacker holding a stolen service-account token. Each comes with the addresses,
 * clients and RBAC bindings that identity really has, so the audit log tells a consistent story.
 */
import { Random } from './random';
import { ATTACKER_IP } from './scripts';
import type { SessionKind } from './sessions';
import { world, type Pod } from './world';

/** `user` and `impersonatedUser` of an audit event. */
export interface AuditUserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** One exec request's sender, as the audit event records it. */
export interface Requester {
  user: AuditUserInfo;
  impersonatedUser?: AuditUserInfo;
  sourceIPs: string[];
  userAgent: string;
  /** The `authorization.k8s.io/reason` of an allowed request. */
  allowReason: string;
}

/** kubectl 1.30 and later open exec streams over WebSocket (verb `get`); older clients use SPDY (verb `create`). */
export function execVerb(userAgent: string): 'get' | 'create' {
  const kubectl = /^kubectl\/v1\.(\d+)\./.exec(userAgent);
  if (kubectl) return Number(kubectl[1]) >= 30 ? 'get' : 'create';
  // Python clients stream over WebSocket; Go clients (client-go's SPDY executor) post.
  return /python|OpenAPI-Generator/i.test(userAgent) ? 'get' : 'create';
}

interface Person {
  username: string;
  groups: string[];
  /** Desk in the office (10.20.64.0/22, routed into the VPC) and the VPN exit (198.51.100.0/24). */
  office: string;
  vpn: string;
  /** The kubectl builds on their machines, most used first. */
  clients: string[];
  allowReason(namespace: string): string;
}

const SRE_REASON = 'RBAC: allowed by ClusterRoleBinding "sre-exec" of ClusterRole "exec" to Group "sre"';
const PLATFORM_REASON = 'RBAC: allowed by ClusterRoleBinding "platform-ops" of ClusterRole "cluster-admin" to Group "platform-ops"';
const developersReason = (ns: string) => `RBAC: allowed by RoleBinding "developers-exec/${ns}" of Role "pod-exec" to Group "developers"`;

export const people = {
  alice: {
    username: 'alice@example.com', groups: ['sre', 'system:authenticated'], office: '10.20.64.23', vpn: '198.51.100.14',
    clients: ['kubectl/v1.31.0 (darwin/arm64) kubernetes/9edcffc', 'kubectl/v1.30.2 (darwin/arm64) kubernetes/3968350'], allowReason: () => SRE_REASON,
  },
  bob: {
    username: 'bob@example.com', groups: ['sre', 'system:authenticated'], office: '10.20.65.108', vpn: '198.51.100.37',
    clients: ['kubectl/v1.30.2 (linux/amd64) kubernetes/3968350'], allowReason: () => SRE_REASON,
  },
  carol: {
    username: 'carol@example.com', groups: ['platform-ops', 'system:authenticated'], office: '10.20.64.71', vpn: '198.51.100.52',
    clients: ['kubectl/v1.31.0 (darwin/arm64) kubernetes/9edcffc', 'kubectl/v1.29.2 (darwin/arm64) kubernetes/4b8e819'], allowReason: () => PLATFORM_REASON,
  },
  omar: {
    username: 'omar@example.com', groups: ['platform-ops', 'system:authenticated'], office: '10.20.66.12', vpn: '198.51.100.66',
    clients: ['kubectl/v1.31.1 (linux/amd64) kubernetes/948afe5'], allowReason: () => PLATFORM_REASON,
  },
  dana: {
    username: 'dana@example.com', groups: ['developers', 'system:authenticated'], office: '10.20.65.44', vpn: '198.51.100.81',
    clients: ['kubectl/v1.30.2 (darwin/arm64) kubernetes/3968350'], allowReason: developersReason,
  },
  evan: {
    username: 'evan@example.com', groups: ['developers', 'system:authenticated'], office: '10.20.66.140', vpn: '198.51.100.93',
    clients: ['kubectl/v1.31.0 (windows/amd64) kubernetes/9edcffc', 'kubectl/v1.28.4 (windows/amd64) kubernetes/bae2c62'], allowReason: developersReason,
  },
  /** A contractor without exec rights anywhere: refused. */
  frank: {
    username: 'frank@example.com', groups: ['contractors', 'system:authenticated'], office: '10.20.67.9', vpn: '198.51.100.120',
    clients: ['kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc'], allowReason: () => '',
  },
} as const satisfies Record<string, Person>;

const admins: readonly Person[] = [people.alice, people.bob, people.carol, people.omar];
const developers: readonly Person[] = [people.dana, people.evan];

/** The break-glass identity SREs act as (`kubectl --as`) when an incident runbook says so. */
const BREAKGLASS: AuditUserInfo = { username: 'sre-breakglass', groups: ['sre-breakglass', 'system:authenticated'] };
const BREAKGLASS_REASON = 'RBAC: allowed by ClusterRoleBinding "sre-breakglass" of ClusterRole "cluster-admin" to User "sre-breakglass"';

/** A uuid that stays the same for a name (service-account and pod uids). */
function stableUuid(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return new Random(h).uuid();
}

function serviceAccount(namespace: string, name: string, boundPod: { name: string } | undefined, rng: Random): AuditUserInfo {
  const username = `system:serviceaccount:${namespace}:${name}`;
  const user: AuditUserInfo = {
    username,
    uid: stableUuid(username),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
  if (boundPod) {
    // A projected token is bound to the pod it was mounted in; the apiserver records which one and the token's id.
    user.extra = {
      'authentication.kubernetes.io/credential-id': [`JTI=${rng.uuid()}`],
      'authentication.kubernetes.io/pod-name': [boundPod.name],
      'authentication.kubernetes.io/pod-uid': [stableUuid(`pod/${boundPod.name}`)],
    };
  }
  return user;
}

function personRequester(rng: Random, person: Person, namespace: string, canImpersonate: boolean): Requester {
  // Mostly their usual kubectl; now and then an older one (a CI image, a second laptop).
  const client = rng.chance(0.8) ? person.clients[0] : rng.pick(person.clients);
  const requester: Requester = {
    user: { username: person.username, groups: [...person.groups] },
    sourceIPs: [rng.chance(0.6) ? person.office : person.vpn],
    userAgent: client,
    allowReason: person.allowReason(namespace),
  };
  if (canImpersonate && rng.chance(0.15)) {
    requester.impersonatedUser = { ...BREAKGLASS, groups: [...BREAKGLASS.groups] };
    requester.allowReason = BREAKGLASS_REASON;
  }
  return requester;
}

const GITLAB_RUNNER_POD = { name: 'gitlab-runner-7d9f8c6b5-x2kqp', ip: '10.244.2.17' };
const CI_CLIENTS = ['kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819', 'gitlab-runner/v0.0.0 (linux/amd64) kubernetes/$Format'];

function ciRequester(rng: Random): Requester {
  return {
    user: serviceAccount('ci', 'gitlab-runner', GITLAB_RUNNER_POD, rng),
    sourceIPs: [GITLAB_RUNNER_POD.ip],
    userAgent: rng.pick(CI_CLIENTS),
    allowReason: 'RBAC: allowed by RoleBinding "gitlab-runner/ci" of Role "gitlab-runner" to ServiceAccount "gitlab-runner/ci"',
  };
}

/** The service account an exposed workload runs as: its own, or its namespace's default. */
function serviceAccountName(pod: Pod): string {
  return pod.workload.name === 'catalog' ? 'default' : pod.workload.name;
}

const ATTACKER_CLIENTS_OUTSIDE = ['python-requests/2.31.0', 'kubectl/v1.27.1 (linux/amd64) kubernetes/4c94112', 'OpenAPI-Generator/28.1.0/python'];

/**
 * The attacker's request: the token of an exposed workload's service account (left with a debug RoleBinding that
 * allows pods/exec), used from the attacker's own host or from kubectl dropped into the compromised pod.
 */
function attackerRequester(rng: Random, target: Pod): Requester {
  const exposed = world().exposed;
  const source = rng.chance(0.6) ? target : rng.pick(exposed);
  const ns = source.workload.namespace;
  const sa = serviceAccountName(source);
  const user = serviceAccount(ns, sa, source, rng);
  const fromInside = source !== target && rng.chance(0.4);
  return {
    user,
    sourceIPs: [fromInside ? source.podIp : rng.chance(0.8) ? ATTACKER_IP : '192.0.2.146'],
    userAgent: fromInside ? 'kubectl/v1.27.1 (linux/amd64) kubernetes/4c94112' : rng.pick(ATTACKER_CLIENTS_OUTSIDE),
    allowReason: `RBAC: allowed by RoleBinding "${source.workload.name}-debug/${ns}" of Role "pod-exec" to ServiceAccount "${sa}/${ns}"`,
  };
}

/** Who sends the request that starts a session of `kind` in `pod`; `not` is left out when another person is wanted. */
export function pickRequester(rng: Random, kind: SessionKind, pod: Pod, not?: string): Requester {
  const ns = pod.workload.namespace;
  switch (kind) {
    case 'admin': {
      const person = pickPerson(rng, admins, not);
      return personRequester(rng, person, ns, person.groups.includes('sre') && ns !== 'ops');
    }
    case 'developer':
      return personRequester(rng, pickPerson(rng, developers, not), ns, false);
    case 'ci':
      return ciRequester(rng);
    case 'attacker':
      return attackerRequester(rng, pod);
  }
}

function pickPerson(rng: Random, from: readonly Person[], not: string | undefined): Person {
  const candidates = from.filter((p) => p.username !== not);
  return rng.pick(candidates.length > 0 ? candidates : from);
}

/**
 * Someone whose exec into `pod` is refused: a developer in an admin namespace, a contractor in an app namespace, or
 * (attacker) the attacker trying another stolen token first, from the same host.
 */
export function pickRefusedRequester(rng: Random, kind: SessionKind, pod: Pod, successful: Requester): Requester {
  if (kind === 'attacker') {
    const tried = `system:serviceaccount:${pod.workload.namespace}:default`;
    const [ns, name] = tried === successful.user.username ? ['default', 'default'] : [pod.workload.namespace, 'default'];
    return { ...successful, user: serviceAccount(ns, name, undefined, rng), impersonatedUser: undefined, allowReason: '' };
  }
  const person = kind === 'admin' ? rng.pick(developers) : people.frank;
  return { ...personRequester(rng, person, pod.workload.namespace, false), allowReason: '' };
}
