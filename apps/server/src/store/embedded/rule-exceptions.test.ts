import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { createOps, exceptionItem, execEvent, SEED_RULE_QUERY, T0 } from '../contract/fixtures';
import type { Doc, RuleSearchRequest, Store } from '../ports';
import { createEmbeddedStore } from './index';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-rule-exceptions-'));
  store = createEmbeddedStore({ dataDir: dir, log: silentLogger });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (exceptions: RuleSearchRequest['exceptions']): RuleSearchRequest => ({
  query: SEED_RULE_QUERY,
  index: ['logs-cloud_defend*'],
  window: { from: T0 - 60_000, to: T0 + 60_000 },
  timestampOverride: 'event.ingested',
  exceptions,
  size: 100,
});

/** An exec event whose `process` also holds `parent`. */
function withParent(id: string, user: string, parent: unknown): Doc {
  const doc = execEvent({ id, user });
  return { ...doc, process: { ...(doc.process as Doc), parent } }; // execEvent always sets an object `process`
}

const ids = (docs: { _source: Doc }[]) => docs.map((d) => (d._source.event as { id: string }).id).sort();

describe('exceptions in an embedded rule run', () => {
  it('reads values that objects inside arrays hold, as the whole document has them', async () => {
    await store.events.bulk(
      createOps([
        execEvent({ id: 'ns-plain', namespace: 'ci' }),
        execEvent({ id: 'ns-in-array', extra: { orchestrator: [{ namespace: 'web' }, { namespace: 'ci' }] } }),
        execEvent({ id: 'ns-other', extra: { orchestrator: [{ namespace: 'web' }] } }),
        withParent('orphan', 'sre', undefined),
        withParent('parent-object', 'sre', { name: 'runc' }),
        withParent('parent-in-array', 'sre', [{ name: 'runc' }]),
        execEvent({ id: 'pods-one', extra: { pods: [{ name: 'a', phase: 'Running' }, { name: 'b', phase: 'Pending' }] } }),
        execEvent({ id: 'pods-split', extra: { pods: [{ name: 'a', phase: 'Pending' }, { name: 'b', phase: 'Running' }] } }),
      ]),
      T0,
    );
    const res = await store.events.searchRule(
      run([
        exceptionItem('ci', [{ field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'ci' }]),
        exceptionItem('orphans', [
          { field: 'user.name', operator: 'included', type: 'match', value: 'sre' },
          { field: 'process.parent.name', operator: 'excluded', type: 'exists' },
        ]),
        exceptionItem('pods', [
          {
            field: 'pods',
            type: 'nested',
            entries: [
              { field: 'name', operator: 'included', type: 'match', value: 'a' },
              { field: 'phase', operator: 'included', type: 'match', value: 'Running' },
            ],
          },
        ]),
      ]),
    );
    expect(ids(res.events)).toEqual(['ns-other', 'parent-in-array', 'parent-object', 'pods-split']);
    expect(res.suppressedByItem).toEqual({ ci: 2, orphans: 1, pods: 1 });
    expect(res.total).toBe(4);
  });

  it('gives the same result with no exceptions as with items that match nothing', async () => {
    await store.events.bulk(createOps([execEvent({ id: 'a' }), execEvent({ id: 'b', namespace: 'ci' }), execEvent({ id: 'c', interactive: false })]), T0);
    const none = await store.events.searchRule(run([]));
    const unmatched = await store.events.searchRule(run([exceptionItem('x', [{ field: 'user.name', operator: 'included', type: 'match', value: 'nobody' }])]));
    expect(ids(none.events)).toEqual(['a', 'b']);
    expect(ids(unmatched.events)).toEqual(['a', 'b']);
    expect(unmatched.suppressed).toBe(0);
  });
});
