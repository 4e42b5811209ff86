/**
 * Exec sessions (interactive `kubectl exec -it` shells and the commands typed in them) and the benign background
 * (exec probes, non-interactive execs, app processes). Each writer pushes events and their times to a sink.
 */
import { adminCommands, attackerPhases, ciCommands, ciExecs, developerCommands, nonInteractiveExecs, probeCommand, type Command } from './commands';
import { buildEvent, makeProc, type Proc, type Scenario } from './events';
import type { Random } from './random';
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
    name: 'runc', executable: '/usr/bin/runc', args: RUNC_ARGS, commandLine: 'runc init', pid: rng.int(10_000, 3_900_000), startMs: t - rng.int(40, 160),
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
      executable: init.executable, args: init.args, commandLine: init.args.join(' '), startMs: Date.parse(pod.initStart),
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
  return rng.pick(pods);
}

function sessionUser(rng: Random, kind: SessionKind, pod: Pod): UserRef {
  switch (kind) {
    case 'admin': return rng.chance(0.5) ? users.sreAdmin : users.platformOps;
    case 'ci': return users.ciRunner;
    case 'developer': return rng.chance(0.6) ? users.root : users.app;
    case 'attacker': return rng.chance(0.6) ? users.root : pod.workload.init.user;
  }
}

function pickSome(rng: Random, from: Command[], min: number, max: number): Command[] {
  const n = rng.int(min, max);
  const out: Command[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(from));
  return out;
}

function sessionCommands(rng: Random, kind: SessionKind): Command[] {
  switch (kind) {
    case 'admin': return pickSome(rng, adminCommands, 2, 7);
    case 'developer': return pickSome(rng, developerCommands, 2, 7);
    case 'ci': {
      const first = rng.int(0, ciCommands.length - 4);
      return ciCommands.slice(first, first + rng.int(3, 6));
    }
    case 'attacker': {
      const cmds = pickSome(rng, attackerPhases.discovery, 2, 5);
      if (rng.chance(0.8)) cmds.push(...pickSome(rng, attackerPhases.credentials, 1, 3));
      if (rng.chance(0.85)) cmds.push(...rng.pick(attackerPhases.payload));
      if (rng.chance(0.5)) cmds.push(rng.pick(attackerPhases.cleanup));
      return cmds;
    }
  }
}

const thinkTimeMs: Record<SessionKind, [number, number]> = {
  admin: [2_000, 25_000], developer: [2_000, 40_000], ci: [200, 6_000], attacker: [1_000, 9_000],
};
const workingDirectory: Record<SessionKind, string> = { admin: '/', developer: '/app', ci: '/builds/project', attacker: '/' };

/**
 * Writes one interactive exec session starting at `t0`: the shell (the entry leader itself, what the rule matches),
 * then each command as children sharing the entry leader, some command exits and the shell's exit.
 * Returns the time of the last event.
 */
export function writeSession(rng: Random, kind: SessionKind, t0: number, sink: EventSink, pod: Pod = pickPod(rng, kind)): number {
  const user = sessionUser(rng, kind, pod);
  const shellName = pod.workload.shell ?? 'sh';
  const runc = runcFor(rng, pod, t0);
  const ttyMinor = rng.int(0, 9);
  const cwd = workingDirectory[kind];
  let pid = runc.pid + rng.int(1, 8);
  const shell = makeProc(pod, {
    pid, name: shellName, executable: `/bin/${shellName}`, args: [shellName], startMs: t0, workingDirectory: cwd, interactive: true, user, ttyMinor,
  });
  const scenario: Scenario = kind;
  const spec = { pod, scenario, parent: runc, entry: shell, session: shell, group: shell };
  sink.push(buildEvent(rng, { ...spec, t: t0, action: 'exec', proc: shell, previous: runc }), t0);
  let t = t0;
  const [minThink, maxThink] = thinkTimeMs[kind];
  for (const command of sessionCommands(rng, kind)) {
    t += rng.int(minThink, maxThink);
    let leader: Proc | undefined;
    let offset = 0;
    const procs: Proc[] = [];
    for (const tpl of command) {
      pid += rng.int(1, 40);
      const proc = makeProc(pod, { pid, name: tpl.name, executable: tpl.executable, args: tpl.args, commandLine: tpl.commandLine, startMs: t + offset, workingDirectory: cwd, interactive: true, user, ttyMinor });
      leader ??= proc;
      procs.push(proc);
      sink.push(buildEvent(rng, { pod, scenario, t: t + offset, action: 'exec', proc, parent: shell, entry: shell, session: shell, group: leader, previous: shell }), t + offset);
      offset += rng.int(1, 6);
    }
    if (rng.chance(0.35)) {
      const tEnd = t + offset + rng.int(20, 1500);
      for (const proc of procs) {
        sink.push(buildEvent(rng, { pod, scenario, t: tEnd, action: 'end', proc, parent: shell, entry: shell, session: shell, group: leader ?? proc, exitCode: rng.chance(0.9) ? 0 : 1 }), tEnd);
      }
    }
    t += offset;
  }
  t += rng.int(1_000, 20_000);
  sink.push(buildEvent(rng, { ...spec, t, action: 'end', proc: shell, exitCode: 0 }), t);
  return t;
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
    user = pod.workload.init.user;
    scenario = 'probe';
  } else if (rng.chance(0.4)) {
    pod = rng.pick(w.byRole.ci);
    command = rng.pick(ciExecs);
    user = users.ciRunner;
    scenario = 'ci_exec';
  } else {
    pod = rng.pick(w.pods);
    command = rng.pick(nonInteractiveExecs);
    user = rng.chance(0.7) ? users.root : pod.workload.init.user;
    scenario = 'exec';
  }
  const tpl = command[0];
  const runc = runcFor(rng, pod, t);
  const proc = makeProc(pod, {
    pid: runc.pid + rng.int(1, 8), name: tpl.name, executable: tpl.executable, args: tpl.args, commandLine: tpl.commandLine, startMs: t, workingDirectory: '/', interactive: false, user,
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
