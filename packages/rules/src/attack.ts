/** MITRE ATT&CK reference data for the techniques the seed rule maps to. */

export interface AttackRef {
  id: string;
  name: string;
  url: string;
}

export interface AttackMitigation extends AttackRef {
  description: string;
}

export interface AttackDataSource extends AttackRef {
  component: string;
  description: string;
}

export interface AttackProcedure extends AttackRef {
  description: string;
}

export interface AttackTechnique extends AttackRef {
  tactics: AttackRef[];
  description: string;
  platforms: string[];
  parent: AttackRef | null;
  subtechniques: AttackRef[];
  mitigations: AttackMitigation[];
  detection: AttackDataSource[];
  procedures: AttackProcedure[];
}

const EXECUTION: AttackRef = { id: 'TA0002', name: 'Execution', url: 'https://attack.mitre.org/tactics/TA0002/' };

const ref = (kind: 'techniques' | 'mitigations' | 'datasources' | 'software' | 'groups', id: string, name: string): AttackRef => ({
  id,
  name,
  url: `https://attack.mitre.org/${kind}/${id.replace('.', '/')}/`,
});

const T1609: AttackTechnique = {
  ...ref('techniques', 'T1609', 'Container Administration Command'),
  tactics: [EXECUTION],
  description:
    'Adversaries run commands inside containers through a container administration service such as the Docker daemon, ' +
    'the Kubernetes API server or the kubelet. In Docker this can be an entrypoint set at deployment or `docker exec` ' +
    'into a running container; in Kubernetes, anyone with enough permissions can execute in a pod through the API server, ' +
    'the kubelet or `kubectl exec`.',
  platforms: ['Containers'],
  parent: null,
  subtechniques: [],
  mitigations: [
    { ...ref('mitigations', 'M1042', 'Disable or Remove Feature or Program'), description: 'Strip tools and software containers do not need.' },
    {
      ...ref('mitigations', 'M1038', 'Execution Prevention'),
      description:
        'Prefer read-only containers and file systems and minimal images so commands cannot run; where possible restrict files, ' +
        'processes and system calls with application control such as SELinux.',
    },
    {
      ...ref('mitigations', 'M1035', 'Limit Access to Resource Over Network'),
      description:
        'Reach the container service only over managed, secured channels (local Unix sockets, SSH); require TLS and disable ' +
        'unauthenticated access to the Docker and Kubernetes APIs; restrict the source addresses allowed to reach a cloud API ' +
        'server and consider just-in-time access to it.',
    },
    {
      ...ref('mitigations', 'M1026', 'Privileged Account Management'),
      description:
        'Do not run containers as root by default; in Kubernetes, enforce Pod Security Standards against privileged containers ' +
        'and use the NodeRestriction admission controller to confine each kubelet to its own node.',
    },
    {
      ...ref('mitigations', 'M1018', 'User Account Management'),
      description:
        'Authenticate users of the container service and give them least privilege through role-based access control; avoid ' +
        'wildcard permissions and the system:masters group, and prefer namespaced RoleBindings to ClusterRoleBindings.',
    },
  ],
  detection: [
    {
      ...ref('datasources', 'DS0017', 'Command'),
      component: 'Command Execution',
      description:
        'Watch commands run within containers, capturing `docker exec` and `kubectl exec` with their metadata, and look for ' +
        'unusual executions through the container services.',
    },
    {
      ...ref('datasources', 'DS0009', 'Process'),
      component: 'Process Creation',
      description:
        'Track new processes inside containers, which can reveal activity started through the Docker daemon or the Kubernetes ' +
        'API server.',
    },
  ],
  procedures: [
    { ...ref('software', 'S0601', 'Hildegard'), description: 'Ran through the kubelet API run command and by executing commands on running containers.' },
    { ...ref('software', 'S0599', 'Kinsing'), description: 'Ran from an Ubuntu container entry point that executes shell scripts.' },
    { ...ref('software', 'S0683', 'Peirates'), description: 'Runs commands with kubectl or the Kubernetes API.' },
    { ...ref('software', 'S0623', 'Siloscape'), description: 'Sends kubectl commands to victim clusters over IRC and runs kubectl locally to spread in a cluster.' },
    { ...ref('groups', 'G0139', 'TeamTNT'), description: 'Ran Hildegard through the kubelet API run command and by executing commands on running containers.' },
  ],
};

const T1059: AttackTechnique = {
  ...ref('techniques', 'T1059', 'Command and Scripting Interpreter'),
  tactics: [EXECUTION],
  description: 'Adversaries abuse command and script interpreters, such as shells, to run commands, scripts or binaries.',
  platforms: ['Linux', 'macOS', 'Windows', 'Network', 'Containers', 'IaaS'],
  parent: null,
  subtechniques: [ref('techniques', 'T1059.004', 'Unix Shell')],
  mitigations: [],
  detection: [],
  procedures: [],
};

const T1059_004: AttackTechnique = {
  ...ref('techniques', 'T1059.004', 'Unix Shell'),
  tactics: [EXECUTION],
  description: 'Adversaries use Unix shells such as sh or bash to run commands, interactively or from scripts.',
  platforms: ['Linux', 'macOS', 'Network'],
  parent: ref('techniques', 'T1059', 'Command and Scripting Interpreter'),
  subtechniques: [],
  mitigations: [],
  detection: [],
  procedures: [],
};

const TECHNIQUES = new Map<string, AttackTechnique>([T1609, T1059, T1059_004].map((t) => [t.id, t]));

/** ATT&CK data for a technique or sub-technique id (`T1609`, `T1059.004`), or null when not bundled. */
export function attackTechnique(id: string): AttackTechnique | null {
  return TECHNIQUES.get(id.trim().toUpperCase()) ?? null;
}

/** Every bundled technique. */
export function attackTechniques(): AttackTechnique[] {
  return [...TECHNIQUES.values()];
}
