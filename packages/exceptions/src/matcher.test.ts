import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileExceptionMatcher } from './matcher';

const NOW = Date.parse('2026-01-01T00:00:00Z');

const doc = {
  user: { name: 'sre-admin', id: '1000' },
  orchestrator: { namespace: 'prod', resource: { label: ['app:web', 'team:core'] } },
  container: { id: 'c1', image: { name: 'registry.local/runner-7' } },
  process: { interactive: true, args: ['bash', '-l'], entry_leader: { entity_id: 'EL1', same_as_process: true } },
  host: { os: { type: 'linux' } },
  'kubernetes.pod.name': 'web-1',
  pods: [
    { name: 'a', phase: 'Running' },
    { name: 'b', phase: 'Pending' },
  ],
};

const item = (id: string, entries: unknown[], extra: Record<string, unknown> = {}) => ({ id, item_id: id, entries, ...extra });

describe('compileExceptionMatcher', () => {
  it('matches a match entry and reports the item id', () => {
    const m = compileExceptionMatcher([item('a', [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' }])], { now: NOW });
    expect(m.match(doc)).toBe('a');
    expect(m.match({ user: { name: 'other' } })).toBeNull();
    expect(m.fields).toEqual(['user.name']);
  });

  it('evaluates an adversarial saved wildcard against a 100,000-character command line without backtracking', () => {
    const pattern = '*?*?*?*?*?*?*?X';
    const m = compileExceptionMatcher(
      [item('adv', [{ field: 'process.command_line', operator: 'included', type: 'wildcard', value: pattern, case_insensitive: true }])],
      { now: NOW },
    );
    const line = 'a'.repeat(100_000);
    expect(m.match({ process: { command_line: line } })).toBeNull();
    expect(m.match({ process: { command_line: `${line}x` } })).toBe('adv');
  });

  it('is case-sensitive unless the entry says otherwise', () => {
    const cs = compileExceptionMatcher([item('a', [{ field: 'user.name', operator: 'included', type: 'match', value: 'SRE-Admin' }])], { now: NOW });
    expect(cs.match(doc)).toBeNull();
    const ci = compileExceptionMatcher(
      [item('a', [{ field: 'user.name', operator: 'included', type: 'match', value: 'SRE-Admin', case_insensitive: true }])],
      { now: NOW },
    );
    expect(ci.match(doc)).toBe('a');
    const ciWild = compileExceptionMatcher(
      [item('w', [{ field: 'container.image.name', operator: 'included', type: 'wildcard', value: '*RUNNER-?', case_insensitive: true }])],
      { now: NOW },
    );
    expect(ciWild.match(doc)).toBe('w');
  });

  it('ANDs entries of an item and ORs items, returning the first matching item in order', () => {
    const m = compileExceptionMatcher(
      [
        item('both', [
          { field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' },
          { field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'staging' },
        ]),
        item('ns', [{ field: 'orchestrator.namespace', operator: 'included', type: 'match_any', value: ['dev', 'prod'] }]),
        item('img', [{ field: 'container.image.name', operator: 'included', type: 'wildcard', value: '*/runner-*' }]),
      ],
      { now: NOW },
    );
    expect(m.match(doc)).toBe('ns');
    expect(m.match({ ...doc, orchestrator: { namespace: 'staging' } })).toBe('both');
    expect(m.match({ container: { image: { name: 'x/runner-1' } } })).toBe('img');
  });

  it('negates excluded entries, including on missing fields (as a must_not does)', () => {
    const m = compileExceptionMatcher(
      [
        item('x', [
          { field: 'orchestrator.namespace', operator: 'included', type: 'match', value: 'prod' },
          { field: 'process.name', operator: 'excluded', type: 'match_any', value: ['nc', 'socat'] },
        ]),
      ],
      { now: NOW },
    );
    expect(m.match(doc)).toBe('x');
    expect(m.match({ ...doc, process: { name: 'nc' } })).toBeNull();
  });

  it('handles exists (included and excluded), multi-valued fields, booleans and flattened keys', () => {
    const exists = compileExceptionMatcher([item('e', [{ field: 'process.entry_leader.entity_id', operator: 'included', type: 'exists' }])], { now: NOW });
    expect(exists.match(doc)).toBe('e');
    expect(exists.match({ process: {} })).toBeNull();
    const notExists = compileExceptionMatcher([item('n', [{ field: 'process.parent.name', operator: 'excluded', type: 'exists' }])], { now: NOW });
    expect(notExists.match(doc)).toBe('n');
    const label = compileExceptionMatcher([item('l', [{ field: 'orchestrator.resource.label', operator: 'included', type: 'match', value: 'team:core' }])], { now: NOW });
    expect(label.match(doc)).toBe('l');
    const bool = compileExceptionMatcher([item('b', [{ field: 'process.interactive', operator: 'included', type: 'match', value: 'true' }])], { now: NOW });
    expect(bool.match(doc)).toBe('b');
    const flat = compileExceptionMatcher([item('f', [{ field: 'kubernetes.pod.name', operator: 'included', type: 'match', value: 'web-1' }])], { now: NOW });
    expect(flat.match(doc)).toBe('f');
  });

  it('requires one nested object to satisfy all nested sub-entries', () => {
    const nested = (phase: string) =>
      compileExceptionMatcher(
        [
          item('nest', [
            {
              field: 'pods',
              type: 'nested',
              entries: [
                { field: 'name', operator: 'included', type: 'match', value: 'a' },
                { field: 'phase', operator: 'included', type: 'match', value: phase },
              ],
            },
          ]),
        ],
        { now: NOW },
      );
    expect(nested('Running').match(doc)).toBe('nest');
    expect(nested('Pending').match(doc)).toBeNull();
    expect(nested('Running').fields.sort()).toEqual(['pods.name', 'pods.phase']);
  });

  it('skips expired items and reports value lists and malformed entries without applying them', () => {
    const m = compileExceptionMatcher(
      [
        item('old', [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' }], { expire_time: '2025-12-31T00:00:00Z' }),
        item('list', [{ field: 'user.name', operator: 'included', type: 'list', list: { id: 'l', type: 'keyword' } }]),
        item('bad', [{ field: 'user.name', operator: 'sometimes', type: 'match', value: 'x' }]),
        item('future', [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' }], { expire_time: '2026-02-01T00:00:00Z' }),
      ],
      { now: NOW },
    );
    expect(m.match(doc)).toBe('future');
    expect(m.active).toBe(1);
    expect(m.skipped.map((s) => s.id)).toEqual(['list', 'bad']);
    expect(m.skipped[0].reason).toBe('value lists are not supported');
  });

  it('applies os_types as Kibana does (host.os.type or host.os.name.caseless)', () => {
    const m = compileExceptionMatcher(
      [item('os', [{ field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' }], { os_types: ['windows'] })],
      { now: NOW },
    );
    expect(m.match(doc)).toBeNull();
    expect(m.match({ ...doc, host: { os: { name: { caseless: 'windows' } } } })).toBe('os');
  });

  it('agrees with a naive evaluation on random documents and items (indexing changes nothing)', () => {
    const values = fc.constantFrom('a', 'b', 'A', 'c*', 'ab');
    const fields = fc.constantFrom('f1', 'f2', 'g.h');
    const entry = fc.oneof(
      fc.record({ field: fields, operator: fc.constantFrom('included', 'excluded'), type: fc.constant('match'), value: values, case_insensitive: fc.boolean() }),
      fc.record({ field: fields, operator: fc.constantFrom('included', 'excluded'), type: fc.constant('match_any'), value: fc.array(values, { minLength: 1, maxLength: 3 }) }),
      fc.record({ field: fields, operator: fc.constantFrom('included', 'excluded'), type: fc.constant('wildcard'), value: fc.constantFrom('a*', '?b', '*') }),
      fc.record({ field: fields, operator: fc.constantFrom('included', 'excluded'), type: fc.constant('exists') }),
    );
    const items = fc.array(fc.array(entry, { minLength: 1, maxLength: 3 }), { minLength: 0, maxLength: 6 });
    const docs = fc.record({ f1: fc.option(values), f2: fc.array(values, { maxLength: 2 }), g: fc.record({ h: fc.option(values) }) });
    fc.assert(
      fc.property(items, docs, (entryLists, d) => {
        const its = entryLists.map((entries, i) => ({ id: `i${i}`, entries }));
        const got = compileExceptionMatcher(its, { now: NOW }).match(d);
        const expected = its.find((it) => it.entries.every((e) => naiveEntry(e, d)))?.id ?? null;
        expect(got).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('lists the fields matchValues takes: plain fields, nested parents and os_types fields', () => {
    const m = compileExceptionMatcher(
      [
        item('a', [
          { field: 'user.name', operator: 'included', type: 'match', value: 'sre-admin' },
          { field: 'pods', type: 'nested', entries: [{ field: 'name', operator: 'included', type: 'match', value: 'a' }] },
        ]),
        item('os', [{ field: 'process.parent.name', operator: 'excluded', type: 'exists' }], { os_types: ['linux'] }),
      ],
      { now: NOW },
    );
    expect([...m.valueFields].sort()).toEqual(['host.os.name.caseless', 'host.os.type', 'pods', 'process.parent.name', 'user.name']);
    const values = (d: Record<string, unknown>) => m.valueFields.map((f) => plainValue(d, f));
    expect(m.matchValues(values(doc))).toBe('a');
    expect(m.matchValues(values({ ...doc, pods: [{ name: 'b' }] }))).toBe('os');
    expect(m.matchValues(values({ ...doc, pods: { name: 'a' } }))).toBe('a');
    expect(m.matchValues(values({ host: { os: { type: 'windows' } } }))).toBeNull();
  });

  it('matchValues decides as match does when given the value of each value field', () => {
    const values = fc.constantFrom('a', 'b', 'A', 'ab');
    const fields = fc.constantFrom('f1', 'f2', 'g.h', 'g.k.l');
    const entry = fc.oneof(
      fc.record({ field: fields, operator: fc.constantFrom('included', 'excluded'), type: fc.constant('match'), value: values, case_insensitive: fc.boolean() }),
      fc.record({ field: fields, operator: fc.constantFrom('included', 'excluded'), type: fc.constant('match_any'), value: fc.array(values, { minLength: 1, maxLength: 3 }) }),
      fc.record({ field: fields, operator: fc.constantFrom('included', 'excluded'), type: fc.constant('wildcard'), value: fc.constantFrom('a*', '?b', '*') }),
      fc.record({ field: fields, operator: fc.constantFrom('included', 'excluded'), type: fc.constant('exists') }),
      fc.record({
        field: fc.constantFrom('pods', 'g.pods'),
        type: fc.constant('nested'),
        entries: fc.array(fc.record({ field: fc.constantFrom('name', 'phase'), operator: fc.constantFrom('included', 'excluded'), type: fc.constant('match'), value: values }), { minLength: 1, maxLength: 2 }),
      }),
    );
    const items = fc.array(fc.array(entry, { minLength: 1, maxLength: 3 }), { minLength: 0, maxLength: 6 });
    const leaf = fc.oneof(values, fc.array(values, { maxLength: 2 }), fc.constant(null), fc.integer({ min: 0, max: 2 }), fc.boolean());
    const pod = fc.record({ name: leaf, phase: leaf }, { requiredKeys: [] });
    const pods = fc.oneof(pod, fc.array(pod, { maxLength: 3 }));
    const docs = fc.record(
      { f1: leaf, f2: leaf, g: fc.record({ h: leaf, k: fc.record({ l: leaf }, { requiredKeys: [] }), pods }, { requiredKeys: [] }), pods },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(items, docs, (entryLists, d) => {
        const m = compileExceptionMatcher(entryLists.map((entries, i) => ({ id: `i${i}`, entries })), { now: NOW });
        expect(m.matchValues(m.valueFields.map((f) => plainValue(d, f)))).toBe(m.match(d));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary items and documents', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.string(), entries: fc.array(fc.anything()) })), fc.anything(), (its, d) => {
        const m = compileExceptionMatcher(its, { now: NOW });
        const r = m.match(d);
        expect(r === null || typeof r === 'string').toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

function naiveEntry(e: { field: string; operator: string; type: string; value?: unknown; case_insensitive?: boolean }, d: Record<string, unknown>): boolean {
  const raw = e.field === 'g.h' ? (d.g as { h: unknown }).h : d[e.field];
  const vals = (Array.isArray(raw) ? raw : raw === null || raw === undefined ? [] : [raw]).map(String);
  let hit: boolean;
  if (e.type === 'exists') hit = vals.length > 0;
  else if (e.type === 'match') hit = vals.some((v) => (e.case_insensitive ? v.toLowerCase() === String(e.value).toLowerCase() : v === e.value));
  else if (e.type === 'match_any') hit = vals.some((v) => (e.value as string[]).includes(v));
  else {
    const re = new RegExp(`^${String(e.value).replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    hit = vals.some((v) => re.test(v));
  }
  return e.operator === 'excluded' ? !hit : hit;
}

/** The value at a dotted path through plain objects, as a store's JSON path reads it (no arrays on the way). */
function plainValue(d: unknown, field: string): unknown {
  let node = d;
  for (const part of field.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part]; // checked: a non-array object
  }
  return node;
}
