/**
 * What an exec'd shell can do that matters, as data: each recogniser names a behaviour, its ATT&CK
 * technique, a weight (how strongly it alone says "hostile", 1-100) and a declarative `match` on
 * `process.name`, `process.executable` and `process.args` (Defend for Containers leaves
 * `process.command_line` empty). Shell builtins (`history -c`, `unset HISTFILE`, `>>` redirections) never
 * become processes of their own, so they are only seen inside `sh -c '...'` scripts and similar arguments.
 *
 * Markers are conditions that mean little alone but complete a combination (a fetch to standard output
 * is harmless until a shell reads it). Combinations score what the single behaviours cannot: the order
 * and the link between two of them.
 */
import type { ArgTest, Match } from './matcher';

export interface Technique {
  readonly id: string;
  readonly name: string;
}

export interface Recogniser {
  readonly id: string;
  readonly title: string;
  readonly technique: Technique;
  readonly weight: number;
  readonly match: Match;
}

export interface Marker {
  readonly id: string;
  readonly match: Match;
}

/**
 * Two behaviours (or markers) in a relation:
 * - `after`: some `first` process started no later than some `then` process.
 * - `same-path`: a `first` process downloaded a file that a later `then` process runs or acts on.
 * - `pipeline`: a `first` and a `then` process share a parent and started within `PIPELINE_WINDOW_MS`
 *   (the processes of one typed `a | b` line).
 */
export interface Combination {
  readonly id: string;
  readonly title: string;
  readonly technique: Technique;
  readonly weight: number;
  readonly first: readonly string[];
  readonly then: readonly string[];
  readonly relation: 'after' | 'same-path' | 'pipeline';
}

/** The processes of one pipeline start within milliseconds of each other; nobody types two commands this fast. */
export const PIPELINE_WINDOW_MS = 2_000;

const T = {
  discovery: { id: 'T1613', name: 'Container and Resource Discovery' },
  networkScan: { id: 'T1046', name: 'Network Service Discovery' },
  appToken: { id: 'T1528', name: 'Steal Application Access Token' },
  credFiles: { id: 'T1552.001', name: 'Unsecured Credentials: Credentials In Files' },
  containerApi: { id: 'T1552.007', name: 'Unsecured Credentials: Container API' },
  toolTransfer: { id: 'T1105', name: 'Ingress Tool Transfer' },
  maliciousFile: { id: 'T1204.002', name: 'User Execution: Malicious File' },
  interpreter: { id: 'T1059', name: 'Command and Scripting Interpreter' },
  unixShell: { id: 'T1059.004', name: 'Command and Scripting Interpreter: Unix Shell' },
  permissions: { id: 'T1222.002', name: 'File and Directory Permissions Modification: Linux and Mac File and Directory Permissions Modification' },
  escape: { id: 'T1611', name: 'Escape to Host' },
  cron: { id: 'T1053.003', name: 'Scheduled Task/Job: Cron' },
  shellConfig: { id: 'T1546.004', name: 'Event Triggered Execution: Unix Shell Configuration Modification' },
  localAccount: { id: 'T1136.001', name: 'Create Account: Local Account' },
  sshKeys: { id: 'T1098.004', name: 'Account Manipulation: SSH Authorized Keys' },
  clearHistory: { id: 'T1070.003', name: 'Indicator Removal: Clear Command History' },
  fileDeletion: { id: 'T1070.004', name: 'Indicator Removal: File Deletion' },
  clearLogs: { id: 'T1070.002', name: 'Indicator Removal: Clear Linux or Mac System Logs' },
  decode: { id: 'T1140', name: 'Deobfuscate/Decode Files or Information' },
  containerAdmin: { id: 'T1609', name: 'Container Administration Command' },
} as const satisfies Record<string, Technique>;

/** The technique of the tempo bonus: the exec itself, qualified by how fast it turned risky. */
export const TEMPO_TECHNIQUE: Technique = T.containerAdmin;

const SHELLS = ['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh'];
const PYTHONS = ['python', 'python2', 'python3', ...Array.from({ length: 9 }, (_, i) => `python3.${i + 6}`)];
const INTERPRETERS = [...PYTHONS, 'perl', 'ruby', 'php', 'node', 'lua'];
const NETCATS = ['nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional'];
const FETCHERS = ['curl', 'wget'];
const STAGING_DIRS = ['/tmp/', '/dev/shm/', '/var/tmp/', '/run/shm/', '/dev/mqueue/'];
const STAGING_GLOBS = STAGING_DIRS.map((d) => `${d}*`);
/** Build tools run their own compiled binaries from temporary directories. */
const BUILD_TEMP = ['/tmp/go-build*', '/tmp/pip-*', '/tmp/pytest-of-*', '/tmp/cargo-install*', '/tmp/bazel*', '/tmp/xfs-*', '/tmp/tsx-*', '/tmp/node-compile-cache/*'];
const DELETERS = ['rm', 'unlink', 'shred', 'srm', 'wipe'];
/** Commands whose last operand is the file they write. */
const COPIERS = ['cp', 'mv', 'install', 'ln', 'rsync'];
/** Commands that write (or open for writing) every file they name. */
const FILE_WRITERS = ['tee', 'touch', 'truncate', 'vi', 'vim', 'nano', 'ed'];

/** A short-option cluster (`-lvnp`) containing `flag`; long options (`--list`) excluded. */
const shortFlag = (flag: string): ArgTest => ({ glob: [`-*${flag}*`], unless: ['--*'] });

/** The process writes one of `paths` (as a copy destination, an opened file, or `sed -i`), or a script redirects into it. */
function writes(paths: ArgTest, redirectGlobs: readonly string[]): Match {
  return {
    any: [
      { all: [{ name: COPIERS }, { lastOperand: paths }] },
      { all: [{ name: FILE_WRITERS }, { arg: paths }] },
      { all: [{ name: ['sed'] }, { arg: { glob: ['-i*', '--in-place*'] } }, { arg: paths }] },
      { arg: { glob: redirectGlobs } },
    ],
  };
}

const PACKAGE_INSTALL: Match = {
  any: [
    { all: [{ name: ['apt-get', 'apt', 'aptitude'] }, { arg: { equals: ['install'] } }] },
    { all: [{ name: ['apk'] }, { arg: { equals: ['add'] } }] },
    { all: [{ name: ['yum', 'dnf', 'microdnf', 'tdnf', 'zypper'] }, { arg: { equals: ['install', 'in'] } }] },
    { all: [{ name: ['gem'] }, { arg: { equals: ['install'] } }] },
    {
      all: [
        { any: [{ all: [{ name: ['pip', 'pip2', 'pip3'] }, { arg: { equals: ['install'] } }] }, { all: [{ name: PYTHONS }, { argSequence: [{ equals: ['-m'] }, { equals: ['pip'] }, { equals: ['install'] }] }] }] },
        // A project's own dependencies (`-r requirements.txt`, `-e .`) are what CI installs every run.
        { not: { arg: { equals: ['-r', '--requirement', '-e', '--editable', '.'], prefix: ['--requirement=', '--editable='] } } },
      ],
    },
  ],
};

const NETWORK_TOOL_PACKAGES: ArgTest = {
  equals: [
    'netcat', 'netcat-openbsd', 'netcat-traditional', 'nc', 'ncat', 'nmap', 'socat', 'masscan', 'zmap', 'hydra', 'tcpdump', 'tshark',
    'proxychains', 'proxychains4', 'proxychains-ng', 'sshpass', 'telnet', 'nmap-ncat', 'busybox-extras',
  ],
  glob: ['impacket*', 'pwntools*', 'scapy*', 'netcat*'],
};

const KUBERNETES_API_URL: ArgTest = {
  nocase: true,
  glob: ['*kubernetes.default*', '*$kubernetes_service_host*', '*${kubernetes_service_host}*', '*$kubernetes_port_443_tcp*', 'https://*:10250/*', 'http://*:10255/*'],
};

/** An API-server-looking URL by address (`https://10.96.0.1:443/api/...`), which counts only with the pod's credentials. */
const API_SERVER_BY_ADDRESS: Match = {
  all: [
    { arg: { glob: ['https://*:443/api', 'https://*:443/api/*', 'https://*:443/apis/*', 'https://*:443/version*', 'https://*:6443/*', 'https://*/api/v1/*', 'https://*/apis/*'] } },
    { arg: { nocase: true, glob: ['*authorization: bearer *', '*authorization:bearer *', '*/serviceaccount/ca.crt*', '*/serviceaccount/token*'] } },
  ],
};

const KUBERNETES_API_CALL: Match = {
  any: [
    { all: [{ name: [...FETCHERS, 'http', 'https', 'xh'] }, { any: [{ arg: KUBERNETES_API_URL }, API_SERVER_BY_ADDRESS] }] },
    // Only a script still holds `$KUBERNETES_SERVICE_HOST` unexpanded; the curl it starts has the address.
    { all: [{ name: SHELLS }, { arg: { nocase: true, glob: ['*curl *kubernetes.default*', '*wget *kubernetes.default*', '*curl *kubernetes_service_host*', '*wget *kubernetes_service_host*'] } }] },
  ],
};

export const RECOGNISERS: readonly Recogniser[] = [
  {
    id: 'discovery.container',
    title: 'Container environment discovery',
    technique: T.discovery,
    weight: 3,
    match: {
      any: [
        { name: ['env', 'printenv', 'id', 'whoami', 'groups', 'uname', 'capsh', 'ps', 'ip', 'ifconfig', 'netstat', 'ss', 'lsns', 'lsblk', 'blkid', 'fdisk', 'getcap', 'amicontained'] },
        { all: [{ name: ['mount', 'findmnt'] }, { operands: { max: 0 } }] },
        { arg: { glob: ['*/proc/1/cgroup*', '*/proc/self/cgroup*', '*/proc/*/mountinfo*', '*/proc/1/status*', '*/proc/self/status*', '*/.dockerenv*', '*/proc/1/environ*'] } },
      ],
    },
  },
  {
    id: 'discovery.cluster',
    title: 'Kubernetes cluster discovery',
    technique: T.discovery,
    weight: 6,
    match: {
      any: [
        { all: [{ name: ['kubectl', 'oc'] }, { any: [{ arg: { equals: ['get', 'describe', 'api-resources', 'api-versions', 'cluster-info'] } }, { argSequence: [{ equals: ['auth'] }, { equals: ['can-i', 'whoami'] }] }] }] },
        { arg: { glob: ['*/run/secrets/kubernetes.io/serviceaccount*'], unless: ['*/token*'] } },
        { all: [{ name: ['nslookup', 'dig', 'host', 'getent'] }, { arg: { glob: ['kubernetes*', '*._tcp.*'] } }] },
      ],
    },
  },
  {
    id: 'discovery.network_scan',
    title: 'Network service scan',
    technique: T.networkScan,
    weight: 8,
    match: { any: [{ name: ['nmap', 'masscan', 'zmap', 'rustscan'] }, { all: [{ name: NETCATS }, { arg: shortFlag('z') }] }] },
  },
  {
    id: 'credential_access.service_account_token',
    title: 'Service account token read',
    technique: T.appToken,
    weight: 30,
    match: { arg: { glob: ['*/serviceaccount/token*', '*/run/secrets/tokens/*'] } },
  },
  {
    id: 'credential_access.kubeconfig',
    title: 'Kubeconfig or cluster credentials read',
    technique: T.credFiles,
    weight: 20,
    match: {
      any: [
        { arg: { glob: ['*/.kube/config*', '*/etc/kubernetes/*.conf*', '*/var/lib/kubelet/kubeconfig*', '*/etc/kubernetes/pki/*', '*/var/lib/kubelet/pki/*'] } },
        { all: [{ name: ['kubectl', 'oc'] }, { argSequence: [{ equals: ['config'] }, { equals: ['view'] }] }, { arg: { equals: ['--raw', '--flatten'] } }] },
      ],
    },
  },
  {
    id: 'credential_access.credential_files',
    title: 'Credential files searched or read',
    technique: T.credFiles,
    weight: 12,
    match: {
      any: [
        { arg: { glob: ['*/.aws/credentials*', '*/.docker/config.json*', '*/.ssh/id_*', '*id_rsa*', '*id_ed25519*', '*/etc/shadow*', '*/.git-credentials*', '*/.netrc*', '*/.config/gcloud/*', '*/.azure/*'] } },
        { all: [{ name: ['grep', 'egrep', 'rg', 'ag'] }, { arg: { nocase: true, glob: ['*password*', '*passwd*', '*secret*', '*api_key*', '*apikey*', '*private key*'] } }, { any: [{ arg: shortFlag('r') }, { arg: shortFlag('R') }, { name: ['rg', 'ag'] }] }] },
      ],
    },
  },
  {
    id: 'k8s_api.request',
    title: 'Kubernetes API called from inside the pod',
    technique: T.discovery,
    weight: 25,
    match: KUBERNETES_API_CALL,
  },
  {
    id: 'k8s_api.secrets',
    title: 'Secrets read through the Kubernetes API',
    technique: T.containerApi,
    weight: 15,
    match: {
      any: [
        { all: [KUBERNETES_API_CALL, { arg: { glob: ['*/secrets', '*/secrets/*', '*/secrets?*'] } }] },
        { all: [{ name: ['kubectl', 'oc'] }, { arg: { equals: ['get', 'describe'] } }, { arg: { equals: ['secret', 'secrets'], prefix: ['secret/', 'secrets/'] } }] },
      ],
    },
  },
  {
    id: 'transfer.download',
    title: 'File downloaded from a remote host',
    technique: T.toolTransfer,
    weight: 15,
    match: { any: [{ fetch: 'file' }, { name: ['tftp'] }] },
  },
  {
    id: 'transfer.package_install',
    title: 'Package installed at run time',
    technique: T.toolTransfer,
    weight: 10,
    match: PACKAGE_INSTALL,
  },
  {
    id: 'transfer.network_tool_install',
    title: 'Network or attack tool installed',
    technique: T.toolTransfer,
    weight: 10,
    match: { all: [PACKAGE_INSTALL, { arg: NETWORK_TOOL_PACKAGES }] },
  },
  {
    id: 'execution.staged_binary',
    title: 'Binary run from a temporary directory or just downloaded',
    technique: T.maliciousFile,
    weight: 20,
    match: { any: [{ executable: STAGING_GLOBS, unless: BUILD_TEMP }, { sessionPath: 'downloaded', on: 'executable' }] },
  },
  {
    id: 'execution.staged_script',
    title: 'Script run from a temporary directory or just downloaded',
    technique: T.interpreter,
    weight: 15,
    match: {
      all: [
        { name: [...SHELLS, ...INTERPRETERS] },
        { any: [{ arg: { prefix: STAGING_DIRS, unless: BUILD_TEMP } }, { sessionPath: 'downloaded', on: 'operands' }] },
      ],
    },
  },
  {
    id: 'execution.made_executable',
    title: 'Staged file made executable',
    technique: T.permissions,
    weight: 8,
    match: {
      all: [
        { name: ['chmod'] },
        { arg: { glob: ['*+*x*'], equals: ['755', '775', '777', '700', '711', '750', '0755', '0775', '0777', '0700', '4755', '6755'] } },
        { any: [{ arg: { prefix: STAGING_DIRS } }, { sessionPath: 'downloaded', on: 'operands' }] },
      ],
    },
  },
  {
    id: 'execution.reverse_shell',
    title: 'Reverse shell',
    technique: T.unixShell,
    weight: 40,
    match: {
      any: [
        {
          all: [
            { name: NETCATS },
            {
              any: [
                { arg: { equals: ['-e', '-c', '--exec', '--sh-exec', '--lua-exec'], prefix: ['--exec=', '--sh-exec=', '--lua-exec='] } },
                { arg: { glob: ['-*e', '-*c', '-e/*'], unless: ['--*'] } },
              ],
            },
          ],
        },
        { arg: { glob: ['*/dev/tcp/*', '*/dev/udp/*', '*mkfifo *nc *', '*mknod * p*nc *', '*mkfifo *sh -i*'] } },
        { all: [{ name: ['socat'] }, { arg: { nocase: true, glob: ['exec:*', 'system:*'] } }] },
        {
          all: [
            { name: INTERPRETERS },
            { arg: { nocase: true, glob: ['*socket*', '*fsockopen*'] } },
            { arg: { nocase: true, glob: ['*dup2*', '*pty.spawn*', '*subprocess*', '*child_process*', '*/bin/sh*', '*/bin/bash*', '*exec(*', '*exec "*', '*popen*'] } },
          ],
        },
      ],
    },
  },
  {
    id: 'execution.listener',
    title: 'Network listener or bind shell',
    technique: T.unixShell,
    weight: 20,
    match: {
      any: [
        { all: [{ name: NETCATS }, { any: [{ arg: shortFlag('l') }, { arg: { equals: ['--listen'] } }] }] },
        { all: [{ name: ['socat'] }, { arg: { nocase: true, glob: ['tcp-listen:*', 'tcp4-listen:*', 'tcp6-listen:*', 'udp-listen:*', 'openssl-listen:*'] } }] },
      ],
    },
  },
  {
    id: 'escape.host_namespace',
    title: "Host namespaces or the host's root filesystem entered",
    technique: T.escape,
    weight: 40,
    match: {
      any: [
        { name: ['nsenter'] },
        { all: [{ name: ['chroot'] }, { arg: { prefix: ['/host', '/proc/1/root', '/rootfs', '/node', '/mnt/host'] } }] },
        { arg: { glob: ['/proc/1/root', '/proc/1/root/*', '*/proc/1/root/*'] } },
      ],
    },
  },
  {
    id: 'escape.host_mount',
    title: 'Host disk or kernel escape interface used',
    technique: T.escape,
    weight: 35,
    match: {
      any: [
        { all: [{ name: ['mount', 'debugfs'] }, { arg: { prefix: ['/dev/sd', '/dev/nvme', '/dev/xvd', '/dev/vd', '/dev/hd', '/dev/mapper/', '/dev/dm-', '/dev/root', '/dev/disk/'] } }] },
        { all: [{ name: ['mount'] }, { argSequence: [{ equals: ['-t'] }, { equals: ['cgroup', 'cgroup2'] }] }] },
        { arg: { glob: ['*release_agent*', '*notify_on_release*', '*/sys/kernel/uevent_helper*', '*/proc/sys/kernel/core_pattern*', '*/proc/sysrq-trigger*'] } },
      ],
    },
  },
  {
    id: 'escape.runtime_socket',
    title: 'Container runtime socket used',
    technique: T.escape,
    weight: 35,
    match: {
      any: [
        { arg: { glob: ['*docker.sock*', '*containerd.sock*', '*crio.sock*', '*cri-dockerd.sock*', '*dockershim.sock*', '*podman.sock*'] } },
        { name: ['crictl', 'ctr'] },
      ],
    },
  },
  {
    id: 'persistence.cron',
    title: 'Cron job added',
    technique: T.cron,
    weight: 20,
    match: {
      any: [
        { all: [{ name: ['crontab'] }, { not: { arg: { equals: ['-l'] } } }] },
        writes({ prefix: ['/etc/cron', '/var/spool/cron'] }, ['*>*/etc/cron*', '*>*/var/spool/cron*', '*|*crontab*']),
      ],
    },
  },
  {
    id: 'persistence.shell_profile',
    title: 'Shell startup file modified',
    technique: T.shellConfig,
    weight: 20,
    match: writes(
      { glob: ['*/.bashrc', '*/.bash_profile', '*/.bash_login', '*/.profile', '*/.zshrc', '/etc/profile', '/etc/profile.d/*', '/etc/bash.bashrc', '~/.bashrc', '~/.profile', '~/.bash_profile', '~/.zshrc', '.bashrc', '.profile'] },
      ['*>*.bashrc*', '*>*.bash_profile*', '*>*.profile*', '*>*.zshrc*', '*>*/etc/profile*', '*>*/etc/bash.bashrc*'],
    ),
  },
  {
    id: 'persistence.local_account',
    title: 'Local account created or changed',
    technique: T.localAccount,
    weight: 20,
    match: {
      any: [
        { name: ['useradd', 'adduser', 'usermod', 'chpasswd', 'newusers'] },
        writes({ prefix: ['/etc/passwd', '/etc/shadow', '/etc/sudoers', '/etc/group'] }, ['*>*/etc/passwd*', '*>*/etc/shadow*', '*>*/etc/sudoers*']),
      ],
    },
  },
  {
    id: 'persistence.ssh_key',
    title: 'SSH authorized key added',
    technique: T.sshKeys,
    weight: 20,
    match: writes({ glob: ['*authorized_keys*'] }, ['*>*authorized_keys*']),
  },
  {
    id: 'defense_evasion.history',
    title: 'Shell history cleared or disabled',
    technique: T.clearHistory,
    weight: 20,
    match: {
      any: [
        { all: [{ name: [...DELETERS, ...COPIERS, 'truncate'] }, { arg: { glob: ['*_history'] } }] },
        { arg: { nocase: true, glob: ['*history -c*', '*history -w /dev/null*', '*unset histfile*', '*histfile=/dev/null*', '*histsize=0*', '*histfilesize=0*', '*set +o history*'] } },
      ],
    },
  },
  {
    id: 'defense_evasion.file_deletion',
    title: 'Files dropped in the session deleted',
    technique: T.fileDeletion,
    weight: 15,
    match: {
      all: [
        { name: DELETERS },
        {
          any: [
            { sessionPath: 'downloaded', on: 'operands' },
            // Hidden files in a staging directory, and anything in shared memory, are dropped files by nature.
            { arg: { glob: ['/tmp/.*', '/var/tmp/.*', '/dev/shm/*', '/tmp/*/.*'], unless: ['/tmp/.X11-unix*', '/tmp/.ICE-unix*'] } },
            { name: ['shred', 'srm', 'wipe'] },
          ],
        },
      ],
    },
  },
  {
    id: 'defense_evasion.log_clearing',
    title: 'System logs deleted or truncated',
    technique: T.clearLogs,
    weight: 10,
    match: {
      any: [
        { all: [{ name: [...DELETERS, 'truncate'] }, { arg: { prefix: ['/var/log/'] } }] },
        { all: [{ name: ['journalctl'] }, { arg: { glob: ['--vacuum*'] } }] },
      ],
    },
  },
];

export const MARKERS: readonly Marker[] = [
  { id: 'marker.fetch_to_stdout', match: { fetch: 'stdout' } },
  {
    id: 'marker.shell_reading_stdin',
    match: {
      all: [
        { name: [...SHELLS, ...PYTHONS, 'perl'] },
        { not: { arg: { equals: ['-c', '-e', '--version', '--help'] } } },
        { any: [{ operands: { max: 0 } }, { arg: { equals: ['-s', '-'] } }] },
      ],
    },
  },
  {
    id: 'marker.decode',
    match: {
      any: [
        { all: [{ name: ['base64', 'base32', 'basenc'] }, { arg: { equals: ['-d', '--decode', '-D'] } }] },
        { all: [{ name: ['xxd'] }, { arg: { equals: ['-r', '-revert'] } }] },
        { all: [{ name: ['openssl'] }, { arg: { equals: ['base64', 'enc'] } }, { arg: { equals: ['-d'] } }] },
      ],
    },
  },
];

export const COMBINATIONS: readonly Combination[] = [
  {
    id: 'combination.download_then_execute',
    title: 'Downloaded file executed',
    technique: T.maliciousFile,
    weight: 25,
    first: ['transfer.download'],
    then: ['execution.staged_binary', 'execution.staged_script'],
    relation: 'same-path',
  },
  {
    id: 'combination.token_then_api',
    title: 'Service account token read, then the Kubernetes API called',
    technique: T.appToken,
    weight: 25,
    first: ['credential_access.service_account_token'],
    then: ['k8s_api.request'],
    relation: 'after',
  },
  {
    id: 'combination.tool_install_then_shell',
    title: 'Network tool installed, then a shell opened over the network',
    technique: T.unixShell,
    weight: 20,
    first: ['transfer.network_tool_install'],
    then: ['execution.reverse_shell', 'execution.listener'],
    relation: 'after',
  },
  {
    id: 'combination.fetch_into_shell',
    title: 'Remote script piped into a shell',
    technique: T.unixShell,
    weight: 35,
    first: ['marker.fetch_to_stdout'],
    then: ['marker.shell_reading_stdin'],
    relation: 'pipeline',
  },
  {
    id: 'combination.decode_into_shell',
    title: 'Decoded payload piped into a shell',
    technique: T.decode,
    weight: 25,
    first: ['marker.decode'],
    then: ['marker.shell_reading_stdin'],
    relation: 'pipeline',
  },
];
