import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditStage } from './audit-event';
import { request, target, type RequestSpec } from './audit-fixtures';
import { attribute, DEFAULT_WINDOWS, type ExecTarget } from './join';

const STAGE_SETS: AuditStage[][] = [
  ['RequestReceived'],
  ['RequestReceived', 'ResponseStarted', 'ResponseComplete'],
  ['ResponseStarted', 'ResponseComplete'],
  ['ResponseComplete'],
];

const COMMANDS = [['sh', '-c', 'echo hi'], ['/bin/sh', '-c', 'echo hi'], ['bash'], ['sh', '-c', 'echo']];

interface Spec extends RequestSpec {
  subresource: 'exec' | 'attach';
  verb: string;
  container: string | null;
  command: string[];
  at: number;
  code: number;
  stages: AuditStage[];
  user: string;
}

const specArb = (id: string): fc.Arbitrary<Spec> =>
  fc.record({
    id: fc.constant(id),
    subresource: fc.constantFrom<'exec' | 'attach'>('exec', 'exec', 'attach'),
    verb: fc.constantFrom('create', 'get', 'get', 'list'),
    container: fc.constantFrom<string | null>('app', 'app', 'sidecar', null),
    command: fc.constantFrom(...COMMANDS),
    at: fc.integer({ min: -15_000, max: 15_000 }),
    code: fc.constantFrom(101, 101, 101, 403, 500, 200),
    stages: fc.constantFrom(...STAGE_SETS),
    user: fc.constantFrom('alice', 'bob'),
  });

const setArb = fc
  .uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map(specArb)));

/** An independent statement of the rules: which requests may have started the session. */
function oracle(specs: Spec[], t: ExecTarget): string[] {
  const fits = specs.filter((s) => {
    if (s.verb !== 'create' && s.verb !== 'get') return false;
    if (t.container !== undefined && s.container !== null && s.container !== t.container) return false;
    // the entry leader ran `sh -c "echo hi"`; `/bin/sh` differs from `sh` only in directory
    if (s.subresource === 'exec' && !['sh|-c|echo hi', '/bin/sh|-c|echo hi'].includes(s.command.join('|'))) return false;
    const w = DEFAULT_WINDOWS[s.subresource];
    if (s.at < -w.beforeMs || s.at > w.afterMs) return false;
    const pending = s.stages.length === 1 && s.stages[0] === 'RequestReceived';
    return pending || s.code === 101;
  });
  const execs = fits.filter((s) => s.subresource === 'exec');
  return (execs.length > 0 ? execs : fits).map((s) => s.id).sort();
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 48271) % 2147483647;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T]; // both indexes are within bounds
  }
  return out;
}

describe('attribute (property)', () => {
  it('exact only when exactly one distinct request fits, and then that one; ambiguous lists every fitting one', () => {
    fc.assert(
      fc.property(setArb, fc.boolean(), fc.integer({ min: 1, max: 2 ** 30 }), (specs, alertKnowsContainer, seed) => {
        const t: ExecTarget = alertKnowsContainer ? target : { ...target, container: undefined };
        const docs = shuffled(specs.flatMap(request), seed);
        const result = attribute(t, docs);
        const expected = oracle(specs, t);
        const got = result.candidates.map((c) => c.auditID).sort();
        if (result.match === 'exact') {
          expect(expected).toHaveLength(1);
          expect(got).toEqual(expected);
        } else if (result.match === 'ambiguous') {
          expect(expected.length).toBeGreaterThan(1);
          expect(got).toEqual(expected);
          expect(new Set(got).size).toBe(got.length);
        } else {
          expect(expected).toEqual([]);
          expect(got).toEqual([]);
        }
        // candidates are never refused ones, refused ones are never candidates
        for (const c of result.candidates) expect(c.status).not.toBe('refused');
        for (const c of result.refused) expect(c.status).toBe('refused');
      }),
      { numRuns: 200 },
    );
  });

  it('the same documents twice, in any order, give the same attribution', () => {
    fc.assert(
      fc.property(setArb, fc.integer({ min: 1, max: 2 ** 30 }), (specs, seed) => {
        const docs = specs.flatMap(request);
        const once = attribute(target, docs);
        const twice = attribute(target, shuffled([...docs, ...docs], seed));
        expect(twice).toEqual(once);
      }),
      { numRuns: 100 },
    );
  });
});
