import {
  CLUSTER_NAME, generateAuditedSession, generateEvents, toBulkBody, toEventList,
  type AuditEvent, type AuditOutcome, type AuditedSession, type SessionKind, type SimulatedSession,
} from '@execwatch/simulator';
import { SeedClient } from './api-client';

/** What the e2e data holds, so tests know what to expect. */
export interface SeedSummary {
  events: number;
  alertsCreated: number;
  audit: {
    /** Audit events posted to the webhook, before and after the rule run. */
    events: number;
    lateEvents: number;
    /** Sessions whose audit events were posted after the rule run (attributed by the server's follower). */
    lateSessions: number;
    /** What each session's attribution should be, by match. */
    expected: Record<SimulatedSession['expectedMatch'], number>;
  };
}

/** Audit outcomes the seed always contains, by kind: the n-th session of the kind gets it. */
const forcedOutcomes: Partial<Record<SessionKind, Record<number, AuditOutcome>>> = {
  admin: { 0: 'ambiguous', 1: 'refused' },
  developer: { 0: 'missing', 1: 'refused' },
  attacker: { 1: 'refused' },
};

/**
 * attribution.spec.ts seeds alice@example.com's sessions itself and counts the alerts she requested: the global
 * seed leaves her out (a seed whose scene names her is skipped).
 */
const RESERVED_REQUESTER = 'alice@example.com';

/** Whether a scene's audit events arrive only after the rule has run (the webhook lagging behind). */
const arrivesLate = (kind: SessionKind, index: number, position: number) => (kind === 'attacker' && index === 0) || position % 7 === 3;

/** The webhook takes at most 400 events a batch, as an apiserver sends them. */
async function postAudit(client: SeedClient, events: AuditEvent[]): Promise<number> {
  for (let i = 0; i < events.length; i += 400) {
    const result = (await client.request('POST', `/api/k8s/audit?cluster=${CLUSTER_NAME}`, toEventList(events.slice(i, i + 400)))) as { errors: unknown[] };
    if (result.errors.length > 0) throw new Error(`the audit webhook refused events: ${JSON.stringify(result.errors.slice(0, 2))}`);
  }
  return events.length;
}

interface AlertPage {
  alerts: Array<{ attribution: { match: string } }>;
}

/** Waits until the server's follower has attributed the sessions whose audit events came late. */
async function waitForLateAttribution(client: SeedClient, sessions: SimulatedSession[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waiting = sessions;
  while (waiting.length > 0) {
    const still: SimulatedSession[] = [];
    for (const s of waiting) {
      const page = (await client.request('GET', `/api/alerts?status=open,acknowledged,closed&size=1&field.process.entity_id=${encodeURIComponent(s.entityId)}`)) as AlertPage;
      if (page.alerts[0]?.attribution.match !== s.expectedMatch) still.push(s);
    }
    waiting = still;
    if (waiting.length === 0) return;
    if (Date.now() > deadline) {
      const which = waiting.map((s) => `${s.namespace}/${s.pod} (${s.kind}, expected ${s.expectedMatch})`).join(', ');
      throw new Error(`audit events posted after the rule run were not attributed within ${timeoutMs / 1000} s: ${which}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Seeds interactive exec sessions of every kind (the alerts) plus background events, and the kube-apiserver
 * audit events of their requests, then runs the detection rule over a window wide enough to cover them. Most
 * audit events are posted before the run; those of some sessions after it, and the seed waits until the server
 * has attributed those too. The seed always holds an ambiguous pair (two people, one pod, one command), a
 * session the audit log lost, and refused attempts. Event times are recent; the rule matches on
 * `event.ingested`, which the server sets at ingest.
 */
export async function seedAlerts(client: SeedClient, ruleId: string, sessions: Array<{ kind: SessionKind; count: number }>, backgroundEvents: number): Promise<SeedSummary> {
  const now = Date.now();
  const events: Array<Record<string, unknown>> = [];
  const scenes: Array<{ scene: AuditedSession; late: boolean }> = [];
  let seed = 1;
  for (const { kind, count } of sessions) {
    for (let i = 0; i < count; i++) {
      // 20 s apart: one scene's requests never fall in another's window, even in the same pod.
      const start = now - 50 * 60_000 + (scenes.length + 1) * 20_000;
      let scene: AuditedSession;
      do scene = generateAuditedSession(kind, { seed: seed++, start, audit: forcedOutcomes[kind]?.[i] });
      while (scene.sessions.some((s) => s.requester.user.username === RESERVED_REQUESTER));
      events.push(...scene.events);
      scenes.push({ scene, late: scene.outcome !== 'missing' && arrivesLate(kind, i, scenes.length) });
    }
  }
  events.push(...generateEvents(backgroundEvents, { seed: 7, start: now - 3_600_000, end: now, interactiveRatio: 0 }));
  let ingested = 0;
  for (let i = 0; i < events.length; i += 2000) ingested += await client.bulk(toBulkBody(events.slice(i, i + 2000)));
  const onTime = scenes.filter((s) => !s.late).flatMap((s) => s.scene.audit);
  const late = scenes.filter((s) => s.late);
  const auditEvents = await postAudit(client, onTime);

  const execution = (await client.request('POST', `/api/rules/${ruleId}/_run`, { from: 'now-2h', to: 'now+5m' })) as { alerts_created: number; status: string; error: string | null };
  if (execution.status === 'failed') throw new Error(`the rule run failed: ${execution.error ?? 'no reason given'}`);

  const lateEvents = await postAudit(client, late.flatMap((s) => s.scene.audit));
  await waitForLateAttribution(client, late.flatMap((s) => s.scene.sessions), 20_000);

  const expected = { exact: 0, ambiguous: 0, none: 0 };
  for (const { scene } of scenes) for (const s of scene.sessions) expected[s.expectedMatch]++;
  return {
    events: ingested,
    alertsCreated: execution.alerts_created,
    audit: { events: auditEvents + lateEvents, lateEvents, lateSessions: late.length, expected },
  };
}
