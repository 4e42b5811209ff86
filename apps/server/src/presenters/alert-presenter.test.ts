import { alertSchema } from '@execwatch/api';
import { describe, expect, it } from 'vitest';
import { processEvent } from '../testing/events';
import { presentAlert, presentEntity } from './alert-presenter';

const at = Date.UTC(2026, 0, 1, 12);

describe('presentEntity', () => {
  it('flattens the ECS fields of the exec', () => {
    const e = presentEntity(processEvent({ at, args: ['bash', '-i'], namespace: 'payments', pod: 'api-1', image: 'nginx', containerId: 'abc' }));
    expect(e).toMatchObject({
      cluster: 'prod-eu',
      namespace: 'payments',
      pod: 'api-1',
      container_id: 'abc',
      image: 'nginx:latest',
      host: 'webapp-node',
      user_id: '0',
      user_name: 'root',
      process_name: 'bash',
      args: ['bash', '-i'],
      command_line: 'bash -i',
      interactive: true,
      entry_meta_type: 'container',
      same_as_process: true,
      parent_name: 'runc',
      parent_args: ['runc', 'init'],
    });
  });

  it('falls back to process.user.* and reads dotted keys', () => {
    const e = presentEntity({ process: { user: { id: '1000', name: 'dev' } }, container: { 'image.name': 'redis', 'image.tag': ['7'] }, orchestrator: { 'resource.name': 'pod-x' } });
    expect(e.user_id).toBe('1000');
    expect(e.user_name).toBe('dev');
    expect(e.image).toBe('redis:7');
    expect(e.pod).toBe('pod-x');
    expect(e.args).toEqual([]);
    expect(e.command_line).toBeNull();
  });
});

describe('presentAlert', () => {
  it('gives a valid API alert even from a sparse document', () => {
    const a = presentAlert({ id: 'x', index: 'i', doc: { kibana: { alert: { severity: 'bogus', workflow_status: 'weird' } } } }, { checklist: { done: 0, total: 0, required_remaining: 0 }, notesCount: 0 });
    expect(alertSchema.parse(a)).toEqual(a);
    expect(a.severity).toBe('low');
    expect(a.workflow_status).toBe('open');
  });
});
