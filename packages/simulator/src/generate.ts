/** Batch generation of a realistic mix of sessions and background events, and of single sessions with their audit events. */
import type { AuditEvent } from './audit';
import type { Requester } from './identities';
import { Random } from './random';
import { writeScene, type AuditOutcome, type SceneSession } from './scene';
import { pickBackgroundKind, pickSessionKind, writeBackground, writeSession, type EventSink, type SessionKind } from './sessions';

export interface GenerateOptions {
  /** PRNG seed; the same seed and window give the same events. Default 1. */
  seed?: number;
  /** Window start, epoch ms. Default `end - 1 hour`. */
  start?: number;
  /** Window end, epoch ms. Default 2026-01-01T00:00:00Z (fixed, so output is deterministic). */
  end?: number;
  /** Approximate share of events that belong to interactive exec sessions. Default 0.02. */
  interactiveRatio?: number;
  /** Share of interactive sessions that are attackers. Default 0.1. */
  attackerRatio?: number;
}

export interface SessionOptions {
  seed?: number;
  /** Time of the shell's exec event, epoch ms. Default 2026-01-01T00:00:00Z. */
  start?: number;
}

export interface AuditedSessionOptions extends SessionOptions {
  /** What the audit log shows for the session; default drawn with AUDIT_OUTCOME_SHARES. */
  audit?: AuditOutcome;
}

/** One session of an AuditedSession: where it ran, who started it, and what the audit join should say. */
export interface SimulatedSession {
  kind: SessionKind;
  /** `labels.simulator_variant` of its events. */
  variant: string;
  /** `process.entity_id` of the shell, the `process.entry_leader.entity_id` of every event of the session. */
  entityId: string;
  namespace: string;
  pod: string;
  container: string;
  /** `process.entry_leader.args`: what the exec request asked to run. */
  command: string[];
  /** The shell's start (`process.entry_leader.start`) and exit. */
  start: string;
  end: string;
  /** Who sent the request that started it: the truth, whether or not the audit log shows it. */
  requester: Requester;
  /** auditID of that request; null when the audit log lost it. */
  auditID: string | null;
  /** Joining the session with its AuditedSession's audit events (10 s before to 2 s after the start). */
  expectedMatch: 'exact' | 'ambiguous' | 'none';
}

export interface AuditedSession {
  outcome: AuditOutcome;
  /** Process events of every session, in time order; the first session's shell first. */
  events: Record<string, unknown>[];
  /** `audit.k8s.io/v1` Events of the requests around the sessions, every stage, in stage time order. */
  audit: AuditEvent[];
  /** The session asked for, then (ambiguous) the other person's. */
  sessions: SimulatedSession[];
}

export const DEFAULT_END = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
/** Longer than any session `writeSession` writes (at most 7 commands of 40 s think time, plus exits). */
const MAX_SESSION_MS = 6 * 60_000;

class TimedSink implements EventSink {
  readonly events: Record<string, unknown>[] = [];
  readonly times: number[] = [];
  push(event: Record<string, unknown>, t: number): void {
    this.events.push(event);
    this.times.push(t);
  }
}

/** Events of `sink` ordered by time (stable for equal times). */
function inTimeOrder(sink: TimedSink): Record<string, unknown>[] {
  const n = sink.events.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const { times, events } = sink;
  order.sort((a, b) => times[a] - times[b] || a - b);
  const out = new Array<Record<string, unknown>>(n);
  for (let i = 0; i < n; i++) out[i] = events[order[i]];
  return out;
}

/** Merges session events (sorted here; few) into background events (already in time order). */
function mergeInTimeOrder(sessions: TimedSink, background: TimedSink): Record<string, unknown>[] {
  const a = inTimeOrder(sessions);
  const aTimes = sessions.times.slice().sort((x, y) => x - y);
  const b = background.events;
  const bTimes = background.times;
  const out = new Array<Record<string, unknown>>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = aTimes[i] <= bTimes[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/**
 * Generates `count` events spread over [start, end], ordered by `@timestamp`: exec probes, app processes and
 * non-interactive execs, with interactive exec sessions (admins, developers, CI, now and then an attacker) making up
 * about `interactiveRatio` of them. Deterministic for a seed and window. Nested objects are shared between events
 * (see events.ts): clone an event before mutating anything below its top level.
 */
export function generateEvents(count: number, opts: GenerateOptions = {}): Record<string, unknown>[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const rng = new Random(opts.seed ?? 1);
  const end = opts.end ?? DEFAULT_END;
  const start = Math.min(opts.start ?? end - HOUR, end);
  const span = end - start;
  const sessionTarget = Math.round(count * clampRatio(opts.interactiveRatio ?? 0.02));
  const attackerRatio = clampRatio(opts.attackerRatio ?? 0.1);
  const sink = new TimedSink();
  const backgroundSink = new TimedSink();
  // Sessions start early enough to end inside the window (when the window is longer than the longest session).
  const sessionSpan = span > MAX_SESSION_MS ? span - MAX_SESSION_MS : span;
  while (sink.events.length < sessionTarget) {
    const kind = pickSessionKind(rng, attackerRatio);
    writeSession(rng, kind, start + Math.floor(rng.next() * sessionSpan), sink);
  }
  const sessionEvents = Math.min(sink.events.length, count);
  if (sink.events.length > count) {
    sink.events.length = count;
    sink.times.length = count;
  }
  const background = count - sessionEvents;
  const step = background > 0 ? span / background : 0;
  // One event per slot of `step` ms: background events come out in time order and need no sorting.
  for (let i = 0; i < background; i++) {
    writeBackground(rng, pickBackgroundKind(rng), start + Math.floor((i + rng.next()) * step), backgroundSink);
  }
  return mergeInTimeOrder(sink, backgroundSink);
}

function clampRatio(r: number): number {
  return Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
}

/** One interactive exec session of the given kind: the shell (the entry leader) first, then its commands. */
export function generateSession(kind: SessionKind, opts: SessionOptions = {}): Record<string, unknown>[] {
  const rng = new Random(opts.seed ?? 1);
  const sink = new TimedSink();
  writeSession(rng, kind, opts.start ?? DEFAULT_END, sink);
  return inTimeOrder(sink);
}

/** The audit events are drawn from their own stream, so a session's process events do not depend on them. */
export const auditSeed = (seed: number): number => (seed ^ 0x5a17ed17) | 0;

function describe(s: SceneSession): SimulatedSession {
  const { info } = s;
  return {
    kind: info.kind,
    variant: info.variant,
    entityId: info.shell.entityId,
    namespace: info.pod.workload.namespace,
    pod: info.pod.name,
    container: info.pod.workload.container,
    command: [...info.command],
    start: info.shell.start,
    end: new Date(info.end).toISOString(),
    requester: s.requester,
    auditID: s.auditID,
    expectedMatch: s.expectedMatch,
  };
}

/**
 * A session with the kube-apiserver audit events of the requests around it. Its first session's process events
 * are exactly what generateSession gives for the same options; an `ambiguous` outcome adds a second session (another
 * person, same pod and command, seconds later).
 */
export function generateAuditedSession(kind: SessionKind, opts: AuditedSessionOptions = {}): AuditedSession {
  const seed = opts.seed ?? 1;
  const sink = new TimedSink();
  const scene = writeScene(new Random(seed), new Random(auditSeed(seed)), kind, opts.start ?? DEFAULT_END, sink, opts.audit);
  return { outcome: scene.outcome, events: inTimeOrder(sink), audit: scene.audit, sessions: scene.sessions.map(describe) };
}

/** The audit events of generateAuditedSession alone (every stage of every request, in stage time order). */
export function generateSessionAudit(kind: SessionKind, opts: AuditedSessionOptions = {}): AuditEvent[] {
  return generateAuditedSession(kind, opts).audit;
}
