import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { alertDoc, T0 } from '../store/contract/fixtures';
import { createEmbeddedStore } from '../store/embedded/index';
import type { Store, StoredAlert } from '../store/ports';
import { processEvent } from '../testing/events';
import { ALERT_LIST_FIELDS, presentAlert } from './alert-presenter';

const extras = { checklist: { done: 1, total: 3, required_remaining: 1 }, notesCount: 2 };
let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-list-fields-'));
  store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An alert over a full process event, with triage state and an ancestor, as the engine writes it. */
function richAlert(id: string, at: number): StoredAlert {
  const base = alertDoc(id, { time: at, tags: ['t1'], assignees: ['bob'], status: 'closed' });
  const kibana = base.doc.kibana as { alert: Record<string, unknown> };
  kibana.alert.ancestors = [{ id: `ev-${id}`, index: 'logs-cloud_defend.process-default', depth: 0, type: 'event' }];
  kibana.alert.workflow_reason = 'false_positive';
  kibana.alert.workflow_user = 'alice';
  return { ...base, doc: { ...processEvent({ at, args: ['bash', '-i'], namespace: 'payments', pod: 'api-1', image: 'nginx', containerId: 'abc' }), kibana } };
}

describe('alert list fields', () => {
  it('a list page (only ALERT_LIST_FIELDS read) presents exactly like the whole document', async () => {
    const alerts = [
      richAlert('r1', T0),
      alertDoc('plain', { time: T0 + 1 }),
      // dotted keys and objects inside arrays: the store returns such documents whole
      { id: 'dotted', index: 'i', doc: { '@timestamp': new Date(T0 + 2).toISOString(), container: { 'image.name': 'redis' }, kibana: { 'alert.severity': 'critical', alert: { rule: { rule_id: 'r' } } } } },
      { id: 'arrays', index: 'i', doc: { '@timestamp': new Date(T0 + 3).toISOString(), process: [{ name: 'a' }], kibana: { alert: { severity: 'low' } } } },
    ];
    await store.alerts.createMany([...alerts, { id: 'sparse', index: 'i', doc: { '@timestamp': new Date(T0 - 1).toISOString() } }]);
    // triage edits (one alert in JS, the rest in SQL) must reach what the list reads too
    await store.alerts.update('plain', { status: 'acknowledged', tags: ['x'], user: 'carol', at: T0 + 10 });
    await store.alerts.updateMany({ ids: ['r1', 'sparse', 'dotted'] }, { status: 'closed', reason: 'benign_positive', add_assignees: ['dave'], remove_tags: ['t1'], add_tags: ['t9'], user: 'erin', at: T0 + 20 });
    const page = await store.alerts.search({ filter: {}, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 10, fields: [...ALERT_LIST_FIELDS] });
    expect(page.total).toBe(5);
    expect(page.alerts.map((a) => a.id)).toEqual(['arrays', 'dotted', 'plain', 'r1', 'sparse']);
    for (const listed of page.alerts) {
      const whole = await store.alerts.get(listed.id);
      expect(whole).not.toBeNull();
      if (whole) expect(presentAlert(listed, extras)).toEqual(presentAlert(whole, extras));
    }
    // the projection really leaves the rest of the document out
    const r1 = page.alerts.find((a) => a.id === 'r1');
    expect((r1?.doc.kibana as { alert: Record<string, unknown> }).alert.uuid).toBeUndefined();
    expect(presentAlert(r1 ?? { id: '', index: '', doc: {} }, extras)).toMatchObject({ workflow_status: 'closed', workflow_reason: 'benign_positive', assignees: ['bob', 'dave'], tags: ['t9'] });
  });

  it('totals follow every write: creates, updates, bulk updates and other connections', async () => {
    await store.alerts.createMany([alertDoc('a', { time: T0 }), alertDoc('b', { time: T0 + 1 })]);
    const open = async () => (await store.alerts.search({ filter: { status: ['open'] }, sort: { field: '@timestamp', order: 'desc' }, page: 1, size: 1 })).total;
    expect(await open()).toBe(2);
    expect(await open()).toBe(2);
    await store.alerts.update('a', { status: 'closed', user: 'u', at: T0 });
    expect(await open()).toBe(1);
    await store.alerts.updateMany({ ids: ['b'] }, { status: 'acknowledged', user: 'u', at: T0 });
    expect(await open()).toBe(0);
    await store.alerts.createMany([alertDoc('c', { time: T0 + 2 })]);
    expect(await open()).toBe(1);
    const other = createEmbeddedStore({ dataDir: dir, log: silentLogger });
    try {
      await other.alerts.createMany([alertDoc('d', { time: T0 + 3 })]);
    } finally {
      await other.close();
    }
    expect(await open()).toBe(2);
  });
});
