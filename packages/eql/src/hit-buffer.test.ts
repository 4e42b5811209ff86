import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HitBuffer } from './hit-buffer';
import { search } from './index';

describe('HitBuffer', () => {
  it('keeps exactly the first or last `limit` items in sort order, whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), fc.nat({ max: 30 }), fc.constantFrom<'head' | 'tail'>('head', 'tail'), (xs, limit, keep) => {
        const buffer = new HitBuffer<number>((a, b) => a - b, limit, keep);
        for (const x of xs) buffer.push(x);
        const all = [...xs].sort((a, b) => a - b);
        expect(buffer.sorted()).toEqual(keep === 'head' ? all.slice(0, limit) : limit === 0 ? [] : all.slice(-limit));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same for input already in order, in reverse, or in order with a few out of place', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 300 }),
        fc.nat({ max: 30 }),
        fc.constantFrom<'head' | 'tail'>('head', 'tail'),
        fc.constantFrom('asc', 'desc', 'nearly'),
        (raw, limit, keep, shape) => {
          const xs = [...raw].sort((a, b) => (shape === 'desc' ? b - a : a - b));
          if (shape === 'nearly' && xs.length > 3) [xs[1], xs[xs.length - 2]] = [xs[xs.length - 2] as number, xs[1] as number];
          const buffer = new HitBuffer<number>((a, b) => a - b, limit, keep);
          for (const x of xs) buffer.push(x);
          const all = [...xs].sort((a, b) => a - b);
          expect(buffer.sorted()).toEqual(keep === 'head' ? all.slice(0, limit) : limit === 0 ? [] : all.slice(-limit));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('event search with a bounded buffer', () => {
  const pipe = fc.record({ kind: fc.constantFrom<'head' | 'tail'>('head', 'tail'), count: fc.nat({ max: 12 }) });

  it('returns what sorting every match and applying pipes and size would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ts: fc.nat({ max: 20 }), hit: fc.boolean() }), { maxLength: 80 }),
        fc.array(pipe, { maxLength: 3 }),
        fc.nat({ max: 15 }),
        fc.constantFrom<'head' | 'tail'>('head', 'tail'),
        (rows, pipes, size, position) => {
          const docs = rows.map((r, id) => ({ id, '@timestamp': r.ts, event: { category: r.hit ? 'x' : 'y' } }));
          const query = `x where true${pipes.map((p) => ` | ${p.kind} ${p.count}`).join('')}`;
          let expected = docs.filter((d) => d.event.category === 'x').sort((a, b) => a['@timestamp'] - b['@timestamp'] || a.id - b.id);
          for (const p of pipes) expected = p.kind === 'head' ? expected.slice(0, p.count) : p.count === 0 ? [] : expected.slice(-p.count);
          if (expected.length > size) expected = position === 'head' ? expected.slice(0, size) : size === 0 ? [] : expected.slice(-size);
          const hits = search(docs, { query, size, result_position: position });
          expect(hits.events?.map((e) => e._source.id)).toEqual(expected.map((d) => d.id));
          expect(hits.total.value).toBe(expected.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
