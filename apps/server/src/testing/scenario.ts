/** A small, known set of exec sessions for integration tests, ingested through the real bulk API. */
import { bulkBody, processEvent } from './events';
import type { TestServer } from './test-server';

export const seedRuleId = '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1';
const namespaces = ['payments', 'default', 'monitoring'];

export interface Scenario {
  /** Interactive exec shells (each one an alert of the seed rule). */
  shells: number;
  /** Events that must not alert (child commands, non-interactive execs). */
  others: number;
  /** entry leader entity id of the first session. */
  firstSession: string;
}

/**
 * `sessions` interactive exec sessions (a shell and two commands each) plus one non-interactive exec per session,
 * posted to `/_bulk` at the server's current clock time (`event.ingested`), after which the clock moves on 1 s.
 */
export async function ingestSessions(server: TestServer, sessions: number, opts: { at?: number; prefix?: string } = {}): Promise<Scenario> {
  const at = opts.at ?? server.clock.now() - 60_000;
  const prefix = opts.prefix ?? 's';
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < sessions; i++) {
    const leader = `${prefix}-shell-${i}`;
    const ns = namespaces[i % namespaces.length];
    const pod = `pod-${i % 7}`;
    const t = at + i * 10;
    events.push(processEvent({ at: t, entityId: leader, entryLeaderId: leader, name: 'bash', namespace: ns, pod, user: i % 2 === 0 ? 'root' : 'dev' }));
    events.push(processEvent({ at: t + 1, entityId: `${leader}-id`, parentEntityId: leader, entryLeaderId: leader, entryLeader: false, name: 'id', namespace: ns, pod }));
    events.push(processEvent({ at: t + 2, entityId: `${leader}-cat`, parentEntityId: leader, entryLeaderId: leader, entryLeader: false, name: 'cat', args: ['cat', '/etc/passwd'], namespace: ns, pod }));
    events.push(processEvent({ at: t + 3, entityId: `${prefix}-probe-${i}`, interactive: false, name: 'sh', args: ['sh', '-c', 'true'], namespace: ns, pod }));
  }
  const res = await server.request('POST', '/_bulk', { rawBody: bulkBody(events), headers: { 'content-type': 'application/x-ndjson' } });
  if (res.status !== 200) throw new Error(`bulk ingest failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { errors: boolean }; // Elasticsearch bulk response shape
  if (body.errors) throw new Error('bulk ingest reported item errors');
  // runs end at "now" exclusively: let a second pass so these events are inside a window ending now
  server.clock.advance(1000);
  return { shells: sessions, others: sessions * 3, firstSession: `${prefix}-shell-0` };
}
