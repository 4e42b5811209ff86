import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SessionProcess } from '@execwatch/api';
import { buildSessionTree, flattenSessionTree } from './session-tree';

function proc(id: string, parent: string | null, start: string, extra: Partial<SessionProcess> = {}): SessionProcess {
  return {
    entity_id: id,
    parent_entity_id: parent,
    pid: null,
    name: id,
    executable: null,
    args: [id],
    user_id: '0',
    user_name: 'root',
    working_directory: '/',
    interactive: true,
    start,
    event_action: 'exec',
    is_alert_process: false,
    is_subsequent: false,
    ...extra,
  };
}

describe('session tree', () => {
  it('nests children under the shell, in start order', () => {
    const tree = buildSessionTree([
      proc('cat', 'sh', '2026-01-01T00:00:03Z'),
      proc('sh', 'runc', '2026-01-01T00:00:01Z', { is_alert_process: true }),
      proc('id', 'sh', '2026-01-01T00:00:02Z'),
      proc('base64', 'cat', '2026-01-01T00:00:04Z'),
    ]);
    expect(tree).toHaveLength(1);
    expect(flattenSessionTree(tree).map((n) => [n.process.entity_id, n.depth])).toEqual([
      ['sh', 0],
      ['id', 1],
      ['cat', 1],
      ['base64', 2],
    ]);
  });

  it('puts the alert process first among roots', () => {
    const tree = buildSessionTree([proc('other', null, '2026-01-01T00:00:00Z'), proc('sh', null, '2026-01-01T00:00:05Z', { is_alert_process: true })]);
    expect(tree.map((n) => n.process.entity_id)).toEqual(['sh', 'other']);
  });

  it('keeps every process exactly once, whatever the parent links (cycles included)', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...ids), fc.option(fc.constantFrom(...ids), { nil: null })), { maxLength: 12 }), (pairs) => {
        const processes = pairs.map(([id, parent], i) => proc(id, parent, `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`));
        const flat = flattenSessionTree(buildSessionTree(processes)).map((n) => n.process.entity_id);
        expect(new Set(flat).size).toBe(flat.length);
        expect(new Set(flat)).toEqual(new Set(processes.map((p) => p.entity_id)));
      }),
    );
  });
});
