import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BulkOperation } from '../ports';
import { byteChunks } from './events';
import { FakeCluster, FIXED_NOW, storeOn } from './test-helpers';

const INDEX = 'logs-cloud_defend.process-default';
const op = (source: string, line: number, id?: string): BulkOperation => ({ action: 'create', index: INDEX, source, line, ...(id ? { id } : {}) });

describe('event ingest through _bulk', () => {
  it('forwards create ops with event.ingested set and answers bad lines alone', async () => {
    const cluster = new FakeCluster();
    const store = storeOn(cluster);
    const res = await store.events.bulk(
      [op('{"@timestamp":"2024-06-01T11:59:00Z","event":{"kind":"event"}}', 2, 'e1'), op('{not json', 4), op('[1]', 6), op('{"@timestamp":"2024-06-01T11:59:00Z"}', 8, 'e1')],
      FIXED_NOW,
    );
    expect(res.map((r) => r.status)).toEqual([201, 400, 400, 409]);
    expect(res[1]?.error).toEqual({ type: 'document_parsing_exception', reason: 'line 4: the source is not a JSON object' });
    expect(res[3]?.error?.type).toBe('version_conflict_engine_exception');
    const sent = cluster.sent('_bulk')[0]?.body as Record<string, unknown>[];
    expect(sent).toEqual([
      { create: { _index: INDEX, _id: 'e1' } },
      { '@timestamp': '2024-06-01T11:59:00Z', event: { kind: 'event', ingested: '2024-06-01T12:00:00.000Z' } },
      { create: { _index: INDEX, _id: 'e1' } },
      { '@timestamp': '2024-06-01T11:59:00Z', event: { ingested: '2024-06-01T12:00:00.000Z' } },
    ]);
  });

  it('retries items the cluster throttled and reports the rest as they came', async () => {
    const cluster = new FakeCluster();
    let call = 0;
    cluster.responders.set('_bulk', (req) => {
      call++;
      const n = (req.body as unknown[]).length / 2;
      return {
        errors: true,
        items: Array.from({ length: n }, (_, i) =>
          call === 1 && i === 0
            ? { create: { _index: INDEX, _id: 'x', status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } }
            : { create: { _index: INDEX, _id: `ok${call}${i}`, status: 201, result: 'created' } },
        ),
      };
    });
    const res = await storeOn(cluster).events.bulk([op('{"a":1}', 2), op('{"b":2}', 4)], FIXED_NOW);
    expect(res.map((r) => r.status)).toEqual([201, 201]);
    expect(cluster.sent('_bulk').map((r) => (r.body as unknown[]).length)).toEqual([4, 2]);
  });
});

describe('bulk body size', () => {
  it('splits items into ordered chunks under the byte limit (an oversized item goes alone)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), fc.integer({ min: 1, max: 60 }), (sizes, max) => {
        const items = sizes.map((bytes, i) => ({ bytes, i }));
        const chunks = byteChunks(items, max);
        expect(chunks.flat().map((x) => x.i)).toEqual(items.map((x) => x.i));
        for (const c of chunks) {
          expect(c.length).toBeGreaterThan(0);
          if (c.length > 1) expect(c.reduce((n, x) => n + x.bytes, 0)).toBeLessThanOrEqual(max);
        }
      }),
    );
  });
});
