/**
 * Exec sessions (interactive `kubectl exec -it` shells and the commands typed in them) and the benign background
 * (exec probes, non-interactive execs, app processes). Each writer pushes events and their times to a sink.
 */
import { ciExecs, nonInteractiveExecs, probeCommand, type Command } from './commands';
import { buildEvent, makeProc, type Proc, type Scenario } from './events';
import type { Random } from './random';
import { sessionScript } from './scripts';
import { users, world, type Pod, type UserRef } from './world';

export type SessionKind = 'admin' | 'attacker' | 'ci' | 'developer';
export type BackgroundKind = 'probe' | 'app' | 'exec';

/** Where generated events go, with their times (epoch ms) kept apart for ordering. */
export interface EventSink {
  push(event: Record<string, unknown>, t: number): void;
}

const RUNC_ARGS = ['runc', 'init'];

/** Processes exec'd by runc all had the same image before: `runc init`. */
const RUNC_PREVIOUS = [{ args: RUNC_ARGS, executable: '/usr/bin/runc' }];

function runcFor(rng: Random, pod: Pod, t: number): Proc {
  const runc = makeProc(pod, {
    name: 'runc', executable: '/usr/bin/runc', args: RUNC_ARGS, pid: rng.int(10_000, 3_900_000), startMs: t - rng.int(40, 160),
    workingDirectory: '/', interactive: false, user: users.root,
  });
  runc.views = { previous: RUNC_PREVIOUS };
  return runc;
}

const initProcs = new Map<Pod, Proc>();
function initProc(pod: Pod): Proc {
  let p = initProcs.get(pod);
  if (!p) {
    const { init } = pod.workload;
    p = {
      entityId: pod.initEntityId, pid: pod.initPid, name: init.executable.slice(init.executable.lastIndexOf('/') + 1),
      executable: init.executable, args: init.args, startMs: Date.parse(pod.initStart),
      start: pod.initStart, workingDirectory: '/', interactive: false, user: init.user, ttyMinor: undefined, views: undefined,
    };
    initProcs.set(pod, p);
  }
  return p;
}

function podsFor(kind: SessionKind): Pod[] {
  const w = world();
  const withShell = (pods: Pod[]) => pods.filter((p) => p.workload.shell);
  switch (kind) {
    case 'admin': return withShell([...w.byRole.ops, ...w.byRole.system, ...w.byRole.database, ...w.byRole.monitoring]);
    case 'ci': return w.byRole.ci;
    case 'developer': return withShell(w.byRole.app);
    case 'attacker': return w.exposed;
  }
}
const podsByKind = new Map<SessionKind, Pod[]>();
function pickPod(rng: Random, kind: SessionKind): Pod {
  let pods = podsByKind.get(kind);
  if (!pods) {
    pods = podsFor(kind);
    podsByKind.set(kind, pods);
  }
  // Admins work from the ops toolbox most of the time, and go into other pods when something there is wrong.
  const toolbox = kind === 'admin' ? world().byRole.ops[0] : undefined;
  if (toolbox && rng.chance(0.4)) return toolbox;
  return rng.pick(pods);
}

/** What the exec request asks to run: `kubectl exec -it POD -- bash`, sometimes by full path, sometimes plain sh. */
function shellCommand(rng: Random, kind: SessionKind, pod: Pod): string[] {
  const shell = pod.workload.shell ?? 'sh';
  if (kind === 'ci') return ['sh'];
  if (kind === 'attacker') return [rng.pick([shell, '/bin/sh', shell === 'bash' ? '/bin/bash' : 'sh'])];
  const r = rng.next();
  return r < 0.75 ? [shell] : r < 0.93 ? [`/bin/${shell}`] : ['sh'];
}

/** One interactive exec session as written: where, what it ran, when. */
export interface SessionInfo {
  kind: SessionKind;
  variant: string;
  pod: Pod;
  /** The shell: the session's entry leader. */
  shell: Proc;
  /** The shell's args: what the exec request asked to run (`process.entry_leader.args`). */
  command: string[];
  /** The shell's start and exit, epoch ms. */
  start: number;
  end: number;
}

/** Choices made before a session is written, for a second session meant to look like the first. */
export interface SessionPlan {
  pod?: Pod;
  command?: string[];
}

/** Processes whose run time is a minute or more detach (miners daemonize, reverse shells are left behind): no wait, no end. */
const DETACHED_MS = 60_000;

interface Writer {
  rng: Random;
  sink: EventSink;
  pod: Pod;
  scenario: Scenario;
  variant: string;
  shell: Proc;
  user: UserRef;
  cwd: string;
  ttyMinor: number;
  pid: number;
  /** A reverse shell an earlier command opened. */
  remote: Proc | undefined;
}

const resolve = (executable: string, cwd: string): string => (executable.startsWith('./') ? `${cwd === '/' ? '' : cwd}/${executable.slice(2)}` : executable);

/**
 * Writes the processes of `command` as children of `parent` from `t` on, each pipeline after the previous one ended.
 * `group` is the process group of a non-shell parent's children; a shell gives each pipeline its own. Returns when
 * the command ended (detached processes are not waited for).
 */
function runCommand(w: Writer, command: Command, parent: Proc, group: Proc | undefined, t: number, interactive: boolean): number {
  const { rng, pod, scenario, variant, shell } = w;
  let at = t;
  for (const pipeline of command) {
    let finish = at;
    let offset = 0;
    let leader: Proc | undefined = group;
    for (const tpl of pipeline) {
      w.pid += rng.int(1, 40);
      const start = at + offset;
      const proc = makeProc(pod, {
        pid: w.pid, name: tpl.name, executable: resolve(tpl.executable, w.cwd), args: tpl.args, startMs: start,
        workingDirectory: w.cwd, interactive, user: w.user, ttyMinor: interactive ? w.ttyMinor : undefined,
      });
      leader ??= proc;
      // Specs spelled out (no spread): this runs for every session event.
      w.sink.push(buildEvent(rng, { pod, scenario, variant, parent, entry: shell, session: shell, group: leader, proc, t: start, action: 'exec', previous: parent }), start);
      if (tpl.remoteShell) w.remote = proc;
      const runMs = rng.int(tpl.runMs[0], tpl.runMs[1]);
      let end = start + runMs;
      if (tpl.children.length > 0) {
        const childGroup = shells.has(tpl.name) && tpl.args[1] !== '-c' ? proc : leader;
        end = Math.max(end, runCommand(w, tpl.children, proc, childGroup, start + rng.int(1, 15), interactive) + rng.int(1, 10));
      }
      if (tpl.runMs[0] < DETACHED_MS && !tpl.remoteShell) {
        if (tpl.exitCode !== 0 || rng.chance(0.35)) {
          w.sink.push(buildEvent(rng, { pod, scenario, variant, parent, entry: shell, session: shell, group: leader, proc, t: end, action: 'end', exitCode: tpl.exitCode }), end);
        }
        finish = Math.max(finish, end);
      }
      offset += rng.int(1, 6);
    }
    at = Math.max(finish, at + offset) + rng.int(1, 12);
  }
  return at;
}

const shells = new Set(['sh', 'bash', 'dash', 'ash']);

/**
 * Writes one interactive exec session starting at `t0`: the shell (the entry leader itself, what the rule matches),
 * then what is typed in it as its children (and their children), some exits and the shell's exit.
 */
export function writeSession(rng: Random, kind: SessionKind, t0: number, sink: EventSink, plan: SessionPlan = {}): SessionInfo {
  const pod = plan.pod ?? pickPod(rng, kind);
  const command = plan.command ?? shellCommand(rng, kind, pod);
  const user = pod.workload.execUser;
  const runc = runcFor(rng, pod, t0);
  const cwd = pod.workload.workdir;
  const shellName = command[0].slice(command[0].lastIndexOf('/') + 1);
  const shell = makeProc(pod, {
    pid: runc.pid + rng.int(1, 8), name: shellName, executable: `/bin/${shellName}`, args: command, startMs: t0, workingDirectory: cwd,
    interactive: true, user, ttyMinor: rng.int(0, 9),
  });
  const script = sessionScript(rng, kind, pod);
  const scenario: Scenario = kind;
  const w: Writer = { rng, sink, pod, scenario, variant: script.variant, shell, user, cwd, ttyMinor: shell.ttyMinor ?? 0, pid: shell.pid, remote: undefined };
  const spec = { pod, scenario, variant: script.variant, parent: runc, entry: shell, session: shell, group: shell, proc: shell };
  sink.push(buildEvent(rng, { ...spec, t: t0, action: 'exec', previous: runc }), t0);
  let t = t0;
  for (const s of script.steps) {
    t += rng.int(s.gapMs[0], s.gapMs[1]);
    const remote = s.remote ? w.remote : undefined;
    t = runCommand(w, s.command, remote ?? shell, remote, t, remote === undefined);
  }
  t += rng.int(1_000, 20_000);
  sink.push(buildEvent(rng, { ...spec, t, action: 'end', exitCode: 0 }), t);
  return { kind, variant: script.variant, pod, shell, command, start: t0, end: t };
}

/** Writes one background event at `t`: an exec probe, an app fork, or a non-interactive `kubectl exec`. */
export function writeBackground(rng: Random, kind: BackgroundKind, t: number, sink: EventSink): void {
  const w = world();
  if (kind === 'app') {
    const pod = rng.pick(w.pods);
    const init = initProc(pod);
    const worker = pod.workload.worker ?? pod.workload.init;
    const proc = makeProc(pod, {
      pid: pod.initPid + rng.int(1, 60_000), name: init.name, executable: worker.executable, args: worker.args, startMs: t, workingDirectory: '/', interactive: false, user: init.user,
    });
    sink.push(buildEvent(rng, { pod, scenario: 'app', t, action: 'fork', proc, parent: init, entry: init, session: init, group: init }), t);
    return;
  }
  let pod: Pod;
  let command: Command;
  let user: UserRef;
  let scenario: Scenario;
  if (kind === 'probe') {
    pod = rng.pick(probedPods());
    // Probed pods are filtered on `probe` being set.
    command = probeCommand(pod.workload.probe as string);
    user = pod.workload.execUser;
    scenario = 'probe';
  } else if (rng.chance(0.4)) {
    pod = rng.pick(w.byRole.ci);
    command = rng.pick(ciExecs);
    user = pod.workload.execUser;
    scenario = 'ci_exec';
  } else {
    pod = rng.pick(w.pods);
    command = rng.pick(nonInteractiveExecs);
    user = pod.workload.execUser;
    scenario = 'exec';
  }
  // Non-interactive execs and probes are one process each here: the one the exec request asked for.
  const tpl = command[0][0];
  const runc = runcFor(rng, pod, t);
  const proc = makeProc(pod, {
    pid: runc.pid + rng.int(1, 8), name: tpl.name, executable: tpl.executable, args: tpl.args, startMs: t,
    workingDirectory: pod.workload.workdir, interactive: false, user,
  });
  sink.push(buildEvent(rng, { pod, scenario, t, action: 'exec', proc, parent: runc, entry: proc, session: proc, group: proc, previous: runc }), t);
}

let probed: Pod[] | undefined;
function probedPods(): Pod[] {
  probed ??= world().pods.filter((p) => p.workload.probe);
  return probed;
}

/** Picks a background kind with the realistic weights (probes dominate). */
export function pickBackgroundKind(rng: Random): BackgroundKind {
  const r = rng.next();
  return r < 0.5 ? 'probe' : r < 0.88 ? 'app' : 'exec';
}

/** Picks an interactive session kind: attackers with probability `attackerRatio`, the rest admins, developers and CI. */
export function pickSessionKind(rng: Random, attackerRatio: number): SessionKind {
  if (rng.chance(attackerRatio)) return 'attacker';
  const r = rng.next();
  return r < 0.4 ? 'admin' : r < 0.7 ? 'developer' : 'ci';
}
