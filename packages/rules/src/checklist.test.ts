import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildChecklist, DEFAULT_REQUIRED_KINDS, restatesConditions } from './checklist';
import { loadBuiltinRules } from './loader';
import { lookbackMs, parseInterval, DurationError } from './durations';
import { attackTechnique, attackTechniques } from './attack';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ecsCsv = path.join(process.env.EXECWATCH_DOMAIN_DIR ?? path.resolve(repoRoot, '../shared/domain'), 'ecs_fields_subset.csv');

async function seedNote(): Promise<string> {
  const { rules } = await loadBuiltinRules();
  const note = rules[0]?.note;
  if (!note) throw new Error('seed rule has no note');
  return note;
}

describe('buildChecklist', () => {
  it('builds the three groups of the seed guide, one step per bullet', async () => {
    const { groups } = buildChecklist(await seedNote());
    expect(groups.map((g) => [g.kind, g.title, g.steps.length])).toEqual([
      ['investigation', 'Possible investigation steps', 7],
      ['false_positive', 'False positive analysis', 5],
      ['response', 'Response and remediation', 7],
    ]);
    expect(groups[0].steps[0].text).toMatch(/^Review the container\.id to identify/);
    expect(DEFAULT_REQUIRED_KINDS).toEqual(['investigation']);
  });

  it('names the fields each investigation step asks about', async () => {
    const [investigation] = buildChecklist(await seedNote()).groups;
    const fields = investigation.steps.map((s) => s.fields);
    expect(fields[0]).toEqual(['container.id']);
    expect(fields[1]).toEqual(['process.entry_leader.entry_meta.type']);
    expect(fields[2]).toEqual(['process.entry_leader.same_as_process']);
    expect(fields[3]).toEqual(['process.interactive']);
    expect(fields[4]).toEqual(expect.arrayContaining(['orchestrator.resource.name', 'orchestrator.resource.type']));
    expect(fields[5]).toEqual(['user.id', 'user.name', 'orchestrator.resource.name']);
    expect(fields[6]).toEqual(['process.entry_leader.entity_id']);
  });

  it('gives steps ids that are stable across builds and depend on kind and text', async () => {
    const note = await seedNote();
    const a = buildChecklist(note).groups.flatMap((g) => g.steps.map((s) => s.id));
    const b = buildChecklist(note).groups.flatMap((g) => g.steps.map((s) => s.id));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
    expect(a[0]).toMatch(/^investigation-[0-9a-f]{10}$/);
    const edited = buildChecklist(note.replace('Review the container.id', 'Review container.id'));
    expect(edited.groups[0].steps[0].id).not.toBe(a[0]);
    expect(edited.groups[0].steps[1].id).toBe(a[1]);
  });

  it('joins continuation lines, ignores other sections and tolerates odd markdown', () => {
    const { groups } = buildChecklist(
      ['## Triage', '- not a step', '#### Possible investigation steps ##', '* first', '  continued here', '- second', '', 'text', '### Other', '- nope'].join('\n'),
    );
    expect(groups).toHaveLength(1);
    expect(groups[0].steps.map((s) => s.text)).toEqual(['first continued here', 'second']);
    expect(buildChecklist('').groups).toEqual([]);
  });

  it('only names fields that exist in ECS', async (ctx) => {
    if (!existsSync(ecsCsv)) {
      ctx.skip(`${ecsCsv} is absent`);
      return;
    }
    const known = new Set(readFileSync(ecsCsv, 'utf8').split('\n').slice(1).map((l) => l.split(',')[0]));
    const named = buildChecklist(await seedNote()).groups.flatMap((g) => g.steps.flatMap((s) => s.fields));
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((f) => !known.has(f))).toEqual([]);
  });
});

describe('restatesConditions', () => {
  it('picks the seed steps that only name fields the rule query requires', async () => {
    const [investigation] = buildChecklist(await seedNote()).groups;
    const conditions = new Set(['container.id', 'event.type', 'process.entry_leader.entry_meta.type', 'process.entry_leader.same_as_process', 'process.interactive']);
    expect(investigation.steps.map((s) => restatesConditions(s, conditions))).toEqual([true, true, true, true, false, false, false]);
  });

  it('never picks a step that names no field, or one field outside the conditions', () => {
    expect(restatesConditions({ fields: [] }, new Set(['a.b']))).toBe(false);
    expect(restatesConditions({ fields: ['a.b', 'c.d'] }, new Set(['a.b']))).toBe(false);
    expect(restatesConditions({ fields: ['a.b'] }, new Set(['a.b']))).toBe(true);
  });
});

describe('durations', () => {
  it('parses intervals and look-backs', () => {
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('30s')).toBe(30_000);
    expect(parseInterval('2h')).toBe(7_200_000);
    expect(parseInterval('1d')).toBe(86_400_000);
    expect(lookbackMs('now-6m')).toBe(360_000);
    expect(lookbackMs('now-1h')).toBe(3_600_000);
  });

  it.each(['5', '5 m', '-5m', '0m', '5w', '', '999999999d'])('rejects interval %j clearly', (bad) => {
    expect(() => parseInterval(bad)).toThrow(DurationError);
  });

  it('says what a look-back should look like', () => {
    expect(() => lookbackMs('6m')).toThrow('invalid from "6m": expected now- followed by a whole number and s, m, h or d, e.g. now-6m');
  });
});

describe('ATT&CK data', () => {
  it('describes T1609 with its tactic, mitigations, data sources and procedures', () => {
    const t = attackTechnique('t1609');
    expect(t?.name).toBe('Container Administration Command');
    expect(t?.url).toBe('https://attack.mitre.org/techniques/T1609/');
    expect(t?.tactics).toEqual([{ id: 'TA0002', name: 'Execution', url: 'https://attack.mitre.org/tactics/TA0002/' }]);
    expect(t?.platforms).toEqual(['Containers']);
    expect(t?.mitigations.map((m) => m.id)).toEqual(['M1042', 'M1038', 'M1035', 'M1026', 'M1018']);
    expect(t?.mitigations[0].url).toBe('https://attack.mitre.org/mitigations/M1042/');
    expect(t?.detection.map((d) => [d.id, d.component])).toEqual([
      ['DS0017', 'Command Execution'],
      ['DS0009', 'Process Creation'],
    ]);
    expect(t?.procedures.map((p) => p.id)).toEqual(['S0601', 'S0599', 'S0683', 'S0623', 'G0139']);
  });

  it('has short entries for T1059 and T1059.004 and nothing else made up', () => {
    expect(attackTechnique('T1059.004')?.url).toBe('https://attack.mitre.org/techniques/T1059/004/');
    expect(attackTechnique('T1059.004')?.parent?.id).toBe('T1059');
    expect(attackTechnique('T1059')?.subtechniques.map((s) => s.id)).toEqual(['T1059.004']);
    expect(attackTechnique('T9999')).toBeNull();
    expect(attackTechniques()).toHaveLength(3);
  });
});
