/** Small hand-made cloud_defend process events for tests (the simulator makes realistic volumes). */
let counter = 0;

export interface TestEventOptions {
  /** `@timestamp`, epoch ms. */
  at: number;
  interactive?: boolean;
  /** Whether the process is its session's entry leader (the exec'd shell itself). */
  entryLeader?: boolean;
  entryLeaderId?: string;
  entityId?: string;
  parentEntityId?: string;
  name?: string;
  args?: string[];
  namespace?: string;
  pod?: string;
  image?: string;
  containerId?: string;
  user?: string;
}

/** One process start event shaped like Defend for Containers' (nested ECS). */
export function processEvent(o: TestEventOptions): Record<string, unknown> {
  counter++;
  const entityId = o.entityId ?? `proc-${counter}-${o.at}`;
  const leaderId = o.entryLeaderId ?? entityId;
  const name = o.name ?? 'bash';
  const args = o.args ?? [name];
  const iso = new Date(o.at).toISOString();
  return {
    '@timestamp': iso,
    event: { action: 'exec', category: ['process'], type: ['start'], kind: 'event', dataset: 'cloud_defend.process', id: `evt-${counter}-${o.at}` },
    container: { id: o.containerId ?? 'c0ffee01', image: { name: o.image ?? 'nginx', tag: 'latest' } },
    orchestrator: { cluster: { name: 'prod-eu' }, namespace: o.namespace ?? 'default', resource: { name: o.pod ?? 'webapp-7d9f', type: 'pod' } },
    host: { name: 'webapp-node' },
    user: { id: '0', name: o.user ?? 'root' },
    process: {
      entity_id: entityId,
      name,
      executable: `/bin/${name}`,
      args,
      interactive: o.interactive ?? true,
      pid: 1000 + counter,
      start: iso,
      working_directory: '/',
      parent: { entity_id: o.parentEntityId ?? 'runc-parent', name: 'runc', args: ['runc', 'init'] },
      entry_leader: { entity_id: leaderId, same_as_process: o.entryLeader ?? true, entry_meta: { type: 'container' }, name: 'bash' },
    },
    data_stream: { dataset: 'cloud_defend.process', namespace: 'default', type: 'logs' },
  };
}

/** NDJSON bulk body of `create` actions. */
export function bulkBody(events: Record<string, unknown>[], index = 'logs-cloud_defend.process-default'): string {
  return events.map((e) => `${JSON.stringify({ create: { _index: index } })}\n${JSON.stringify(e)}\n`).join('');
}
