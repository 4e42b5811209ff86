import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { T0, createOps, execEvent } from '../contract/fixtures';
import { createEmbeddedStore } from './index';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('related events (embedded)', () => {
  it('reads the range newest first in chunks, across equal timestamps, and counts every match', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-related-'));
    dirs.push(dir);
    const store = createEmbeddedStore({ dataDir: dir, log: silentLogger, dictionaryAfter: 1000 });
    try {
      // 4,500 events (more than two chunks), three to a millisecond, every third in container "wanted"
      const docs = Array.from({ length: 4500 }, (_, i) => execEvent({ id: `r${i}`, timestamp: T0 + Math.floor(i / 3), containerId: i % 3 === 1 ? 'wanted' : `other-${i % 7}` }));
      await store.events.bulk(createOps(docs), T0);
      await store.events.bulk(createOps([execEvent({ id: 'late', timestamp: T0 + 5000, containerId: 'wanted' })]), T0); // compressed, outside the range
      const res = await store.events.relatedEvents('container.id', 'wanted', { from: T0, to: T0 + 1499 }, 5);
      expect(res.total).toBe(1500);
      expect(res.relation).toBe('eq');
      expect(res.events.map((e) => (e._source.event as { id: string }).id)).toEqual(['r4498', 'r4495', 'r4492', 'r4489', 'r4486']);
      const wider = await store.events.relatedEvents('container.id', 'wanted', { from: T0, to: T0 + 6000 }, 1);
      expect(wider.total).toBe(1501);
      expect((wider.events[0]?._source.event as { id: string }).id).toBe('late');
    } finally {
      await store.close();
    }
  });
});
