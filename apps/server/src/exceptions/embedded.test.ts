import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExceptionListItemSchema, previewExceptionRequestSchema } from '@execwatch/api';
import { parseExceptionsNdjson } from '@execwatch/exceptions';
import { silentLogger } from '../log';
import { alertDoc, createOps, execEvent, SEED_RULE_QUERY, T0 } from '../store/contract/fixtures';
import { createEmbeddedStore } from '../store/embedded/index';
import type { Store } from '../store/ports';
import { exportList, importExceptions } from './import-export';
import { previewException } from './preview';
import * as service from './service';

const here = path.dirname(fileURLToPath(import.meta.url));
const domainDir = process.env.EXECWATCH_DOMAIN_DIR ?? path.resolve(here, '../../../../../shared/domain');
const NOW = T0 + 3_600_000;
const admin = { user: 'admin', now: NOW };
const RULE = { rule_id: '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1', name: 'Interactive exec', index: ['logs-cloud_defend*'], query: SEED_RULE_QUERY, timestamp_override: 'event.ingested' };

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-exceptions-'));
  store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exceptions on the embedded store', () => {
  it('a new item suppresses exactly what its preview showed, and counts its hits', async () => {
    await store.events.bulk(
      createOps([
        execEvent({ id: 'a', user: 'sre', namespace: 'ci' }),
        execEvent({ id: 'b', user: 'sre', namespace: 'ci' }),
        execEvent({ id: 'c', user: 'sre', namespace: 'prod' }),
        execEvent({ id: 'd', user: 'eve', namespace: 'ci' }),
        execEvent({ id: 'e', user: 'sre', namespace: 'ci', interactive: false }),
      ]),
      T0,
    );
    await store.alerts.createMany([alertDoc('x1', { user: 'sre', namespace: 'ci' }), alertDoc('x2', { user: 'sre', namespace: 'ci', status: 'closed' }), alertDoc('x3', { user: 'eve', namespace: 'ci' })]);
    const list = await service.ensureRuleDefaultList(store, RULE);
    const entries = [
      { field: 'user.name', operator: 'included' as const, type: 'match' as const, value: 'sre' },
      { field: 'orchestrator.namespace', operator: 'included' as const, type: 'match' as const, value: 'ci' },
    ];

    const preview = await previewException(store, previewExceptionRequestSchema.parse({ rule_id: RULE.rule_id, entries }), RULE, NOW);
    expect(preview.warnings).toEqual([]);
    expect(preview).toMatchObject({ open_alerts: { count: 1 }, all_alerts: { count: 2 }, events_7d: { count: 2 }, open_alert_ids: ['x1'] });

    const { item } = await service.createItem(store, createExceptionListItemSchema.parse({ list_id: list.list_id, name: 'SRE in CI', description: '', type: 'simple', entries, comments: [{ comment: 'CI debugging' }] }), admin);
    const active = await service.activeExceptionItems(store, [list], NOW);
    const run = await store.events.searchRule({ query: RULE.query, index: RULE.index, window: { from: NOW - 6 * 60_000 - 3_600_000, to: NOW }, timestampOverride: RULE.timestamp_override, exceptions: active, size: 100 });
    expect(run.suppressedByItem).toEqual({ [item.id]: preview.events_7d.count });
    expect(run.events.map((e) => (e._source.event as { id: string }).id).sort()).toEqual(['c', 'd']);
    await store.exceptions.recordHits(run.suppressedByItem, NOW);
    const [stats] = await service.itemStats(store, [list.list_id], NOW);
    expect(stats).toMatchObject({ item_id: item.item_id, hits: 2, last_hit_at: new Date(NOW).toISOString(), state: 'active', owner: 'admin' });
  });

  it('imports a Kibana export and exports it back unchanged', async () => {
    const shared = path.join(domainDir, 'exceptions_example.ndjson');
    const own = path.resolve(here, '../../../../packages/exceptions/src/fixtures/kibana-export.ndjson');
    const text = fs.readFileSync(fs.existsSync(shared) ? shared : own, 'utf8');
    const original = parseExceptionsNdjson(text);
    const result = await importExceptions(store, text, { overwrite: false, asNewList: false }, admin);
    expect(result.success).toBe(true);
    const { ndjson } = await exportList(store, { list_id: original.lists[0].list_id });
    const back = parseExceptionsNdjson(ndjson);
    expect(back.errors).toEqual([]);
    expect(back.lists).toEqual(original.lists);
    // Items come back as they were, plus the governance mark of what they lack (and a `_version` where none was given).
    const comparable = ({ meta: _m, _version: _v, ...rest }: { meta?: unknown; _version?: unknown }) => rest;
    expect(back.items.map(comparable)).toEqual(original.items.map(comparable));
    original.items.forEach((item, n) => {
      if (typeof item._version === 'string') expect(back.items[n]._version).toBe(item._version);
    });
    expect(back.items.every((i) => Array.isArray((i.meta?.execwatch as { missing_governance?: unknown } | undefined)?.missing_governance))).toBe(true);
  });
});
