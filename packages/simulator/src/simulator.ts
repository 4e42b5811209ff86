/**
 * Streaming generation: each `next(now, count)` returns the process events of the time since the previous call,
 * and `nextAudit(now)` the audit webhook batches sent by then.
 */
import { AuditBatcher, toEventList, type AuditEventList } from './audit';
import { auditSeed } from './generate';
import { Random } from './random';
import { writeScene } from './scene';
import { pickBackgroundKind, pickSessionKind, writeBackground, type EventSink } from './sessions';

export interface SimulatorOptions {
  seed?: number;
  /** Interactive exec sessions started per minute; default derived from `interactiveRatio`. */
  sessionsPerMinute?: number;
  /** Approximate share of events from interactive sessions when `sessionsPerMinute` is not set. Default 0.02. */
  interactiveRatio?: number;
  /** Share of sessions that are attackers. Default 0.1. */
  attackerRatio?: number;
  /** Queue the sessions' audit events for nextAudit (call it regularly). Default true; the process events are the same either way. */
  audit?: boolean;
  /** Least and most time between two audit webhook flushes, ms. Default 1 to 29 s. */
  auditFlushEveryMs?: readonly [number, number];
}

/** Average number of events a session writes; converts an event ratio into a session rate. */
const EVENTS_PER_SESSION = 10;

interface Pending {
  event: Record<string, unknown>;
  t: number;
}

/**
 * A realistic, never-ending stream: background events fill each slice of time, sessions start at the configured rate
 * and their events are released when their time comes (a session spans minutes, so it spreads over many calls).
 */
export class Simulator {
  private readonly rng: Random;
  private readonly auditRng: Random;
  private readonly batcher: AuditBatcher;
  private readonly opts: SimulatorOptions;
  private pending: Pending[] = [];
  private last: number | undefined;
  private sessionCarry = 0;

  constructor(opts: SimulatorOptions = {}) {
    this.opts = opts;
    const seed = opts.seed ?? 1;
    this.rng = new Random(seed);
    this.auditRng = new Random(auditSeed(seed));
    this.batcher = new AuditBatcher(new Random(auditSeed(seed) ^ 0x1f2e3d4c), opts.auditFlushEveryMs);
  }

  /** Session events written and not yet returned by next. */
  get pendingEvents(): number {
    return this.pending.length;
  }

  /** Audit events queued and not yet returned by nextAudit. */
  get pendingAudit(): number {
    return this.batcher.size;
  }

  /**
   * The audit webhook's batches (each one EventList POST) flushed up to `now`, oldest first: each event leaves 1 to
   * 30 s after its stage, so a session's request shows up after its process events, and its ResponseComplete after
   * the session ends. Call it after `next(now, ...)` with the same `now`.
   */
  nextAudit(now: number): AuditEventList[] {
    return this.batcher.due(now).map(toEventList);
  }

  /**
   * Events with `@timestamp` in (previous call, now], ordered by time: about `count` background events plus the
   * events of sessions that fall in this slice (these replace background events, so the total stays `count` unless
   * more session events are due than that). The first call covers the second before `now`.
   */
  next(now: number, count: number): Record<string, unknown>[] {
    const from = this.last ?? now - 1000;
    const span = Math.max(1, now - from);
    this.last = now;
    this.batcher.startAt(from);
    this.startSessions(from, span, count);
    const due: Pending[] = [];
    let keep = 0;
    for (const p of this.pending) {
      if (p.t <= now) due.push(p);
      else this.pending[keep++] = p;
    }
    this.pending.length = keep;
    const backgroundCount = Math.max(0, count - due.length);
    const background: Pending[] = [];
    const sink: EventSink = { push: (event, t) => background.push({ event, t }) };
    const step = span / Math.max(1, backgroundCount);
    for (let i = 0; i < backgroundCount; i++) {
      writeBackground(this.rng, pickBackgroundKind(this.rng), from + 1 + Math.floor((i + this.rng.next()) * step * 0.999), sink);
    }
    return mergeByTime(due, background);
  }

  private startSessions(from: number, span: number, count: number): void {
    const attackerRatio = this.opts.attackerRatio ?? 0.1;
    const expected =
      this.opts.sessionsPerMinute !== undefined
        ? (this.opts.sessionsPerMinute * span) / 60_000
        : (count * (this.opts.interactiveRatio ?? 0.02)) / EVENTS_PER_SESSION;
    this.sessionCarry += expected;
    const sink: EventSink = { push: (event, t) => this.pending.push({ event, t }) };
    // The tolerance keeps float sums like 0.1 * 10 from losing a session to rounding.
    while (this.sessionCarry >= 1 - 1e-9) {
      const scene = writeScene(this.rng, this.auditRng, pickSessionKind(this.rng, attackerRatio), from + 1 + Math.floor(this.rng.next() * (span - 1)), sink);
      // Two people in one pod count as two sessions: the rate is of sessions, not of scenes.
      this.sessionCarry -= scene.sessions.length;
      if (this.opts.audit !== false) this.batcher.add(scene.audit);
    }
    this.pending.sort((a, b) => a.t - b.t);
  }
}

function mergeByTime(a: Pending[], b: Pending[]): Record<string, unknown>[] {
  const out = new Array<Record<string, unknown>>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i].t <= b[j].t ? a[i++].event : b[j++].event;
  while (i < a.length) out[k++] = a[i++].event;
  while (j < b.length) out[k++] = b[j++].event;
  return out;
}
