import { generateEvents, generateSession, toBulkBody, type SessionKind } from '@execwatch/simulator';
import { SeedClient } from './api-client';

/** What the e2e data holds, so tests know what to expect. */
export interface SeedSummary {
  events: number;
  alertsCreated: number;
}

/**
 * Seeds interactive exec sessions of every kind (the alerts) plus background events, then runs the
 * detection rule over a window wide enough to cover them. Event times are recent; the rule matches
 * on `event.ingested`, which the server sets at ingest.
 */
export async function seedAlerts(client: SeedClient, ruleId: string, sessions: Array<{ kind: SessionKind; count: number }>, backgroundEvents: number): Promise<SeedSummary> {
  const now = Date.now();
  const events: Array<Record<string, unknown>> = [];
  let seed = 1;
  for (const { kind, count } of sessions) {
    for (let i = 0; i < count; i++) {
      events.push(...generateSession(kind, { seed: seed++, start: now - 50 * 60_000 + seed * 20_000 }));
    }
  }
  events.push(...generateEvents(backgroundEvents, { seed: 7, start: now - 3_600_000, end: now, interactiveRatio: 0 }));
  let ingested = 0;
  for (let i = 0; i < events.length; i += 2000) ingested += await client.bulk(toBulkBody(events.slice(i, i + 2000)));
  const execution = (await client.request('POST', `/api/rules/${ruleId}/_run`, { from: 'now-2h', to: 'now+5m' })) as { alerts_created: number; status: string; error: string | null };
  if (execution.status === 'failed') throw new Error(`the rule run failed: ${execution.error ?? 'no reason given'}`);
  return { events: ingested, alertsCreated: execution.alerts_created };
}
