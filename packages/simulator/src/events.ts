/**
 * Builds cloud_defend process events. Pod-level parts (host, cloud, agent, orchestrator, container) and the views of
 * leaders/parents are shared between events on purpose: generating 200k events must stay cheap. Treat generated
 * events as read-only below the top level (clone before mutating nested objects).
 */
import type { Random } from './random';
import { entityId, type Pod, type UserRef } from './world';

export type Scenario = 'admin' | 'attacker' | 'ci' | 'developer' | 'probe' | 'app' | 'exec' | 'ci_exec';

/** A process of the simulation, with lazily built views of itself as others' parent or leader. */
export interface Proc {
  entityId: string;
  pid: number;
  name: string;
  executable: string;
  args: string[];
  startMs: number;
  start: string;
  workingDirectory: string;
  interactive: boolean;
  user: UserRef;
  ttyMinor?: number;
  views?: { parent?: object; entrySelf?: object; entryOther?: object; sessionSelf?: object; sessionOther?: object; groupSelf?: object; groupOther?: object; previous?: object[] };
}

export interface NewProc {
  /** `startMs` as ISO text, when the caller already has it. */
  start?: string;
  pid: number;
  name: string;
  executable: string;
  args: string[];
  startMs: number;
  workingDirectory: string;
  interactive: boolean;
  user: UserRef;
  ttyMinor?: number;
}

/** Creates a process on the pod's node (entity id derived like cloud_defend's). */
export function makeProc(pod: Pod, p: NewProc): Proc {
  // Spelled out (no spread): this runs for every generated event and spreads are several times slower here.
  return {
    entityId: entityId(pod.node.agentId, p.pid, p.startMs),
    pid: p.pid,
    name: p.name,
    executable: p.executable,
    args: p.args,
    startMs: p.startMs,
    start: p.start ?? new Date(p.startMs).toISOString(),
    workingDirectory: p.workingDirectory,
    interactive: p.interactive,
    user: p.user,
    ttyMinor: p.ttyMinor,
    views: undefined,
  };
}

const userIdObjects = new Map<UserRef, { user: object; group: object }>();
function userIds(u: UserRef): { user: object; group: object } {
  let parts = userIdObjects.get(u);
  if (!parts) {
    parts = { user: { id: u.id }, group: { id: u.groupId } };
    userIdObjects.set(u, parts);
  }
  return parts;
}

const userObjects = new Map<UserRef, { user: object; group: object }>();
function userParts(u: UserRef): { user: object; group: object } {
  let parts = userObjects.get(u);
  if (!parts) {
    parts = { user: { id: u.id, name: u.name }, group: { id: u.groupId, name: u.groupName } };
    userObjects.set(u, parts);
  }
  return parts;
}

const ENTRY_META = { type: 'container' };

/** How a process appears as another's parent or leader: the fields cloud_defend fills for each role. */
function view(p: Proc, role: 'entry' | 'session' | 'group' | 'parent', same: boolean): object {
  switch (role) {
    case 'entry':
      return {
        args: p.args, entity_id: p.entityId, entry_meta: ENTRY_META, executable: p.executable, interactive: p.interactive, name: p.name,
        pid: p.pid, same_as_process: same, start: p.start, user: userIds(p.user).user, working_directory: p.workingDirectory,
      };
    case 'session':
      return { entity_id: p.entityId, entry_meta: ENTRY_META, executable: p.executable, interactive: p.interactive, name: p.name, pid: p.pid, same_as_process: same, start: p.start };
    case 'group':
      return { entity_id: p.entityId, executable: p.executable, interactive: p.interactive, name: p.name, pid: p.pid, same_as_process: same, start: p.start };
    case 'parent':
      return { args: p.args, entity_id: p.entityId, executable: p.executable, interactive: p.interactive, name: p.name, pid: p.pid, start: p.start, user: userIds(p.user).user };
  }
}

function views(p: Proc): NonNullable<Proc['views']> {
  p.views ??= {};
  return p.views;
}

function parentView(p: Proc): object {
  const v = views(p);
  v.parent ??= view(p, 'parent', false);
  return v.parent;
}

function entryView(p: Proc, same: boolean): object {
  const v = views(p);
  if (same) return (v.entrySelf ??= view(p, 'entry', true));
  return (v.entryOther ??= view(p, 'entry', false));
}

function sessionView(p: Proc, same: boolean): object {
  const v = views(p);
  if (same) return (v.sessionSelf ??= view(p, 'session', true));
  return (v.sessionOther ??= view(p, 'session', false));
}

function groupView(p: Proc, same: boolean): object {
  const v = views(p);
  if (same) return (v.groupSelf ??= view(p, 'group', true));
  return (v.groupOther ??= view(p, 'group', false));
}

/** `process.previous` of a process exec'd from a fork of `p`. */
function previousOf(p: Proc): object[] {
  const v = views(p);
  v.previous ??= [{ args: p.args, executable: p.executable }];
  return v.previous;
}

const CLOUD_DEFEND = {
  matched_selectors: ['allProcesses'],
  package_policy_id: '4c9cbba0-c812-11ed-a8dd-91ec403e4f03',
  package_policy_revision: 3,
};
const DATA_STREAM = { dataset: 'cloud_defend.process', namespace: 'default', type: 'logs' };
const ECS = { version: '8.11.0' };
const CATEGORY = ['process'];
const TYPE_START = ['start'];
const TYPE_END = ['end'];
const scenarioLabels = new Map<string, object>();
function labels(s: Scenario, variant: string | undefined): object {
  const key = variant === undefined ? s : `${s}/${variant}`;
  let l = scenarioLabels.get(key);
  if (!l) {
    l = variant === undefined ? { simulator_scenario: s } : { simulator_scenario: s, simulator_variant: variant };
    scenarioLabels.set(key, l);
  }
  return l;
}

export interface EventSpec {
  pod: Pod;
  /** Event time, epoch ms. */
  t: number;
  action: 'exec' | 'fork' | 'end';
  proc: Proc;
  parent: Proc;
  entry: Proc;
  session: Proc;
  group: Proc;
  /** The image the process had before this exec (defaults to the parent's). */
  previous?: Proc;
  scenario: Scenario;
  /** Which variant of the scenario (sessions only). */
  variant?: string;
  exitCode?: number;
}

/** Builds one event document from its spec. */
export function buildEvent(rng: Random, s: EventSpec): Record<string, unknown> {
  const { proc } = s;
  const { user, group } = userParts(proc.user);
  const at = s.t === proc.startMs ? proc.start : new Date(s.t).toISOString();
  // No process.command_line: Defend for Containers leaves it out, the args are all there is.
  const process: Record<string, unknown> = {
    args: proc.args,
    args_count: proc.args.length,
    entity_id: proc.entityId,
    executable: proc.executable,
    interactive: proc.interactive,
    name: proc.name,
    pid: proc.pid,
    start: proc.start,
    working_directory: proc.workingDirectory,
    user,
    group,
    parent: parentView(s.parent),
    entry_leader: entryView(s.entry, s.entry === proc),
    // cloud_defend fills the session leader like the entry leader when they are the same process.
    session_leader: s.session === s.entry ? entryView(s.session, s.session === proc) : sessionView(s.session, s.session === proc),
    group_leader: groupView(s.group, s.group === proc),
  };
  if (proc.ttyMinor !== undefined) process.tty = { char_device: { major: 136, minor: proc.ttyMinor } };
  if (s.action === 'exec') process.previous = previousOf(s.previous ?? s.parent);
  if (s.action === 'end') {
    process.end = at;
    process.exit_code = s.exitCode ?? 0;
  }
  return {
    '@timestamp': at,
    agent: s.pod.agent,
    cloud: s.pod.cloud,
    cloud_defend: CLOUD_DEFEND,
    container: s.pod.container,
    data_stream: DATA_STREAM,
    ecs: ECS,
    event: {
      action: s.action,
      agent_id_status: 'verified',
      category: CATEGORY,
      created: at,
      dataset: 'cloud_defend.process',
      id: rng.uuid(),
      ingested: new Date(s.t + 800 + Math.floor(rng.next() * 2500)).toISOString(),
      kind: 'event',
      module: 'cloud_defend',
      type: s.action === 'end' ? TYPE_END : TYPE_START,
    },
    group,
    host: s.pod.host,
    labels: labels(s.scenario, s.variant),
    orchestrator: s.pod.orchestrator,
    process,
    user,
  };
}
