/**
 * An exec session with the kube-apiserver requests around it: the request that started it (most of the time),
 * sometimes a refused attempt seconds before, sometimes a second person's request into the same pod with the same
 * command (two sessions nobody can tell apart from the audit log), and now and then nothing (the audit policy or
 * the webhook dropped it).
 */
import { execRequestEvents, type AuditEvent, type ExecRequest } from './audit';
import { pickRefusedRequester, pickRequester, type Requester } from './identities';
import type { Random } from './random';
import { writeSession, type EventSink, type SessionInfo, type SessionKind } from './sessions';

/**
 * What the audit log shows for a session: `exact` its request alone; `refused` a refused attempt by someone else
 * first, then its request; `ambiguous` a second session by another person into the same pod with the same command,
 * seconds later; `missing` no audit event at all.
 */
export type AuditOutcome = 'exact' | 'refused' | 'ambiguous' | 'missing';

/**
 * Shares of sessions. Missing: any kind. Ambiguous: people only (admins, developers). Refused: people and
 * attackers (who try another stolen token first). CI always gets a plain `exact` unless missing.
 */
export const AUDIT_OUTCOME_SHARES = { missing: 0.03, ambiguous: 0.05, refused: 0.06 } as const;

/** The join's window around the entry leader's start (what the server uses for exec). */
const WINDOW_BEFORE_MS = 10_000;
const WINDOW_AFTER_MS = 2_000;

/** Which outcomes a kind can have. */
export function outcomesFor(kind: SessionKind): readonly AuditOutcome[] {
  switch (kind) {
    case 'admin':
    case 'developer':
      return ['exact', 'refused', 'ambiguous', 'missing'];
    case 'attacker':
      return ['exact', 'refused', 'missing'];
    case 'ci':
      return ['exact', 'missing'];
  }
}

/** Draws an outcome with the AUDIT_OUTCOME_SHARES. */
export function pickAuditOutcome(rng: Random, kind: SessionKind): AuditOutcome {
  const allowed = outcomesFor(kind);
  const r = rng.next();
  if (r < AUDIT_OUTCOME_SHARES.missing) return 'missing';
  if (allowed.includes('ambiguous') && r < AUDIT_OUTCOME_SHARES.missing + AUDIT_OUTCOME_SHARES.ambiguous) return 'ambiguous';
  const refusedFrom = AUDIT_OUTCOME_SHARES.missing + (allowed.includes('ambiguous') ? AUDIT_OUTCOME_SHARES.ambiguous : 0);
  if (allowed.includes('refused') && r < refusedFrom + AUDIT_OUTCOME_SHARES.refused) return 'refused';
  return 'exact';
}

/** One session of a scene, with who started it and what the audit join should conclude. */
export interface SceneSession {
  info: SessionInfo;
  /** Who sent the request that started it (the truth, whether or not the audit log shows it). */
  requester: Requester;
  /** The auditID of that request; null when the audit log lost it. */
  auditID: string | null;
  /** Joining this session with the scene's audit events: one fitting request, several, or none. */
  expectedMatch: 'exact' | 'ambiguous' | 'none';
}

export interface Scene {
  outcome: AuditOutcome;
  /** The first is the session asked for; an ambiguous scene has the other person's second. */
  sessions: SceneSession[];
  /** Every stage of every request, in stage time order. */
  audit: AuditEvent[];
}

const us = (ms: number, rng: Random): number => Math.round(ms) * 1000 + rng.int(0, 999);

/**
 * The request behind a session: received a little before the shell starts (admission and the kubelet take tens to
 * hundreds of ms, seconds with a slow webhook or node), upgraded just before it, closed when the shell exits.
 */
function sessionRequest(rng: Random, s: SessionInfo, requester: Requester): ExecRequest {
  const leadMs = rng.chance(0.85) ? rng.int(40, 600) : rng.int(600, 6_000);
  const receivedUs = us(s.start - leadMs, rng);
  const startedUs = Math.max(receivedUs + 1_000, us(s.start - rng.int(2, 25), rng));
  return {
    auditID: rng.uuid(), requester, namespace: s.pod.workload.namespace, pod: s.pod.name, container: s.pod.workload.container,
    command: s.command, receivedUs, allowed: true, startedUs, completeUs: us(s.end + rng.int(1, 40), rng),
  };
}

/** A refused attempt at the same exec, a few seconds before the allowed one and still inside the join's window. */
function refusedRequest(rng: Random, s: SessionInfo, requester: Requester, before: ExecRequest): ExecRequest {
  const roomMs = Math.max(1_600, WINDOW_BEFORE_MS - 200 - (s.start - before.receivedUs / 1000));
  const receivedUs = before.receivedUs - rng.int(1_500, Math.min(7_000, roomMs)) * 1000 - rng.int(0, 999);
  return {
    auditID: rng.uuid(), requester, namespace: s.pod.workload.namespace, pod: s.pod.name, container: s.pod.workload.container,
    command: s.command, receivedUs, allowed: false, startedUs: receivedUs, completeUs: receivedUs + rng.int(800, 6_000),
  };
}

const sameCommand = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** How many allowed requests could have started `s`: same pod, container and command, received in the window. */
function expectedMatch(s: SessionInfo, requests: readonly ExecRequest[]): SceneSession['expectedMatch'] {
  const fitting = requests.filter(
    (r) =>
      r.allowed && r.namespace === s.pod.workload.namespace && r.pod === s.pod.name && r.container === s.pod.workload.container &&
      sameCommand(r.command, s.command) && r.receivedUs / 1000 >= s.start - WINDOW_BEFORE_MS && r.receivedUs / 1000 <= s.start + WINDOW_AFTER_MS,
  ).length;
  return fitting === 0 ? 'none' : fitting === 1 ? 'exact' : 'ambiguous';
}

/**
 * Writes a scene: the session of `kind` at `t0` (process events drawn from `rng`, exactly as writeSession alone
 * would), then what the audit log holds for it (drawn from `auditRng`), and for `ambiguous` the second session.
 */
export function writeScene(rng: Random, auditRng: Random, kind: SessionKind, t0: number, sink: EventSink, outcome?: AuditOutcome): Scene {
  const chosen = outcome ?? pickAuditOutcome(auditRng, kind);
  if (!outcomesFor(kind).includes(chosen)) throw new RangeError(`a ${kind} session cannot have the audit outcome "${chosen}"`);
  const first = writeSession(rng, kind, t0, sink);
  const requester = pickRequester(auditRng, kind, first.pod);
  const requests: ExecRequest[] = [];
  const firstRequest = chosen === 'missing' ? null : sessionRequest(auditRng, first, requester);
  if (firstRequest && chosen === 'refused') requests.push(refusedRequest(auditRng, first, pickRefusedRequester(auditRng, kind, first.pod, requester), firstRequest));
  if (firstRequest) requests.push(firstRequest);
  const started: { info: SessionInfo; requester: Requester; request: ExecRequest | null }[] = [{ info: first, requester, request: firstRequest }];
  if (chosen === 'ambiguous' && firstRequest) {
    // Mostly within a second or so (both sessions then fit both requests), sometimes a few seconds later: only the
    // later session sees both, so the first request must still be inside its window.
    const firstLeadMs = first.start - firstRequest.receivedUs / 1000;
    const delay = auditRng.chance(0.7) ? auditRng.int(300, 1_500) : auditRng.int(3_000, Math.floor(Math.min(8_000, WINDOW_BEFORE_MS - 500 - firstLeadMs)));
    const second = writeSession(rng, kind, t0 + delay, sink, { pod: first.pod, command: first.command });
    const other = pickRequester(auditRng, kind, first.pod, requester.user.username);
    const request = sessionRequest(auditRng, second, other);
    requests.push(request);
    started.push({ info: second, requester: other, request });
  }
  const audit = requests.flatMap(execRequestEvents).sort((a, b) => a.stageTimestamp.localeCompare(b.stageTimestamp));
  const sessions = started.map(({ info, requester: r, request }) => ({
    info,
    requester: r,
    auditID: request?.auditID ?? null,
    expectedMatch: expectedMatch(info, requests),
  }));
  return { outcome: chosen, sessions, audit };
}
