import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import fc from 'fast-check';
import { BUILTIN_RULES_DIR, loadBuiltinRules, loadRuleFile, loadRules, loadRulesDir, parseRuleToml, RuleLoadError } from './loader';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const domainDir = process.env.EXECWATCH_DOMAIN_DIR ?? path.resolve(repoRoot, '../shared/domain');
const rulePackDir = process.env.EXECWATCH_RULES_DIR ?? path.join(domainDir, 'cloud_defend_rulepack');
const k8sRule = path.join(domainDir, 'k8s_execution_user_exec_to_pod.toml');
const seedFile = path.join(BUILTIN_RULES_DIR, 'execution_interactive_exec_to_container.toml');

const MINIMAL = `
[rule]
rule_id = "r1"
name = "R"
description = "d"
type = "eql"
query = "process where true"
severity = "low"
risk_score = 21
`;

describe('seed rule', () => {
  it('loads with the published settings', async () => {
    const { rules, errors } = await loadBuiltinRules();
    expect(errors).toEqual([]);
    expect(rules).toHaveLength(1);
    const r = rules[0];
    expect(r).toMatchObject({
      rule_id: '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1',
      name: 'Interactive Exec Command Launched Against A Running Container',
      type: 'eql',
      language: 'eql',
      index: ['logs-cloud_defend*'],
      interval: '5m',
      interval_ms: 300_000,
      from: 'now-6m',
      lookback_ms: 360_000,
      max_signals: 100,
      severity: 'high',
      risk_score: 73,
      timestamp_override: 'event.ingested',
      version: 3,
      enabled: true,
      runnable_language: true,
      not_runnable_reason: null,
    });
    expect(r.tags).toContain('Tactic: Execution');
    expect(r.query).toMatch(/process\.entry_leader\.same_as_process\s*==\s*true/);
    expect(r.note).toMatch(/### Possible investigation steps/);
    expect(r.threat).toEqual([
      {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0002', name: 'Execution', reference: 'https://attack.mitre.org/tactics/TA0002/' },
        technique: [
          {
            id: 'T1059',
            name: 'Command and Scripting Interpreter',
            reference: 'https://attack.mitre.org/techniques/T1059/',
            subtechnique: [{ id: 'T1059.004', name: 'Unix Shell', reference: 'https://attack.mitre.org/techniques/T1059/004/' }],
          },
          { id: 'T1609', name: 'Container Administration Command', reference: 'https://attack.mitre.org/techniques/T1609/' },
        ],
      },
    ]);
    expect(r.metadata.integration).toEqual(['cloud_defend']);
  });
});

describe('parseRuleToml', () => {
  it('applies Kibana defaults', () => {
    const r = parseRuleToml(MINIMAL, 'min.toml');
    expect(r).toMatchObject({ interval: '5m', from: 'now-6m', max_signals: 100, enabled: true, version: 1, index: [], timestamp_override: null, note: null });
  });

  it.each([
    ['not TOML', 'rule = [', /invalid TOML/],
    ['no [rule]', '[metadata]\nmaturity = "x"', /^not a detection rule file: it has no \[rule\] table/],
    ['a machine learning rule', MINIMAL.replace('type = "eql"', 'type = "machine_learning"\nmachine_learning_job_id = ["v3_linux_rare_metadata_process"]').replace('query = "process where true"', ''), /^machine learning rule: .*anomaly detection job v3_linux_rare_metadata_process, which Execwatch does not run/],
    ['bad severity', MINIMAL.replace('"low"', '"urgent"'), /^rule\.severity: /],
    ['bad interval', `${MINIMAL}interval = "5 minutes"`, /rule\.interval: invalid interval "5 minutes"/],
    ['bad from', `${MINIMAL}from = "yesterday"`, /rule\.from: invalid from "yesterday"/],
    ['missing query', MINIMAL.replace('query = "process where true"', ''), /^rule\.query: /],
  ])('reports %s by file and reason', (_name, text, reason) => {
    try {
      parseRuleToml(text, 'bad.toml');
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(RuleLoadError);
      expect((err as RuleLoadError).file).toBe('bad.toml'); // asserted RuleLoadError just above
      expect((err as RuleLoadError).reason).toMatch(reason);
    }
  });

  it('loads non-EQL rules but marks them not runnable', () => {
    const r = parseRuleToml(MINIMAL.replace('type = "eql"', 'type = "query"\nlanguage = "kuery"'), 'kql.toml');
    expect(r.language).toBe('kuery');
    expect(r.runnable_language).toBe(false);
    expect(r.not_runnable_reason).toMatch(/EQL rules only/);
  });

  it('never throws anything but RuleLoadError on random or mutated TOML', () => {
    const seed = readFileSync(seedFile, 'utf8');
    const mutated = fc
      .tuple(fc.nat({ max: seed.length }), fc.nat({ max: 40 }), fc.string({ maxLength: 12 }))
      .map(([at, cut, insert]) => seed.slice(0, at) + insert + seed.slice(Math.min(seed.length, at + cut)));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated, mutated.map((s) => s.replace(/= "5m"/, '= 5'))), (text) => {
        try {
          const r = parseRuleToml(text, 'fuzz.toml');
          expect(typeof r.rule_id).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(RuleLoadError);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('loadRulesDir', () => {
  it('skips invalid files and reports them by name and reason', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'execwatch-rules-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'a_good.toml'), MINIMAL);
    writeFileSync(path.join(dir, 'b_bad.toml'), 'this is = not toml = at all');
    writeFileSync(path.join(dir, 'c_dup.toml'), MINIMAL);
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const { rules, errors } = await loadRulesDir(dir);
    expect(rules.map((r) => r.rule_id)).toEqual(['r1']);
    expect(errors.map((e) => path.basename(e.file))).toEqual(['b_bad.toml', 'c_dup.toml']);
    expect(errors[1].reason).toMatch(/duplicate rule_id r1/);
    const missing = await loadRulesDir(path.join(dir, 'nope'));
    expect(missing.errors[0].reason).toMatch(/cannot read rules folder/);
    await expect(loadRuleFile(path.join(dir, 'nope.toml'))).rejects.toBeInstanceOf(RuleLoadError);
  });

  it('loads every file of the cloud_defend rule pack', async (ctx) => {
    if (!existsSync(rulePackDir)) {
      ctx.skip(`rule pack folder ${rulePackDir} is absent`);
      return;
    }
    const files = readdirSync(rulePackDir).filter((f) => f.endsWith('.toml'));
    const { rules, errors } = await loadRulesDir(rulePackDir);
    expect(rules.length + errors.length).toBe(files.length);
    expect(errors).toEqual([]);
    for (const r of rules) expect(r.index.length).toBeGreaterThan(0);
    const kql = rules.find((r) => r.language === 'kuery');
    expect(kql?.runnable_language).toBe(false);
    // The pack holds Elastic's newer copy of the seed rule (renamed, retuned, updated later, no version stated):
    // it replaces the built-in copy, as Kibana's prebuilt-rule upgrade does, and runs as the next version.
    const merged = await loadRules(rulePackDir);
    const seed = merged.rules.filter((r) => r.rule_id === '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1');
    expect(seed).toHaveLength(1);
    expect(seed[0]?.source_file).toBe(path.join(rulePackDir, 'execution_interactive_exec_to_container.toml'));
    expect(seed[0]?.version).toBe(4);
    expect(merged.replacements).toEqual([
      { rule_id: '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1', replaced: { version: 3, source_file: seedFile }, reason: expect.stringMatching(/updated 2026\/07\/29, after the built-in copy \(2025\/01\/15\)/) },
    ]);
    expect(merged.errors).toEqual([]);
  });

  it('loads the Kubernetes audit exec rule and records its language', async (ctx) => {
    if (!existsSync(k8sRule)) {
      ctx.skip(`${k8sRule} is absent`);
      return;
    }
    const r = await loadRuleFile(k8sRule);
    expect(r.name).toBe('Kubernetes User Exec into Pod');
    expect(r.index).toEqual(['logs-kubernetes.audit_logs-*']);
    const declared = /^language = "([^"]+)"/m.exec(readFileSync(k8sRule, 'utf8'))?.[1];
    expect(r.language).toBe(declared);
    expect(r.runnable_language).toBe(declared === 'eql' && r.type === 'eql');
    if (!r.runnable_language) expect(r.not_runnable_reason).toMatch(new RegExp(`${declared} language`));
  });
});

describe('rule packs as Elastic ships them', () => {
  const withVersion = (v: number, extra = '') => MINIMAL.replace('rule_id = "r1"', `rule_id = "r1"\nversion = ${v}`) + extra;
  const ruleIdOf = (text: string) => /rule_id = "([^"]+)"/.exec(text)?.[1];

  it('reads subfolders, reports non-rule files and deprecated rules in plain words', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'execwatch-rules-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const sub of ['rules/linux', 'rules/_deprecated', 'rules_building_block', '.git', 'etc']) mkdirSync(path.join(dir, sub), { recursive: true });
    writeFileSync(path.join(dir, 'rules/linux/a.toml'), MINIMAL);
    writeFileSync(path.join(dir, 'rules_building_block/b.toml'), MINIMAL.replace('"r1"', '"r2"'));
    writeFileSync(path.join(dir, 'rules/_deprecated/old.toml'), MINIMAL.replace('"r1"', '"r3"'));
    writeFileSync(path.join(dir, '.git/ignored.toml'), 'not = [a rule');
    writeFileSync(path.join(dir, 'etc/packages.toml'), '[registry]\nname = "x"\n');
    const { rules, errors } = await loadRulesDir(dir);
    expect(rules.map((r) => r.rule_id)).toEqual(['r1', 'r2']);
    expect(errors.map((e) => [path.relative(dir, e.file), e.reason.split(':')[0]])).toEqual([
      ['etc/packages.toml', 'not a detection rule file'],
      ['rules/_deprecated/old.toml', 'deprecated rule'],
    ]);
  });

  it.each([
    ['query', 'kuery', /^KQL query rule \(kuery language\): Execwatch runs EQL rules only/],
    ['esql', 'esql', /^ES\|QL rule/],
    ['threshold', 'kuery', /^threshold rule/],
    ['new_terms', 'kuery', /^new terms rule/],
    ['threat_match', 'kuery', /^indicator match rule/],
  ])('says in plain words why a %s rule does not run', (type, language, reason) => {
    const r = parseRuleToml(MINIMAL.replace('type = "eql"', `type = "${type}"\nlanguage = "${language}"`), 'x.toml');
    expect(r.runnable_language).toBe(false);
    expect(r.not_runnable_reason).toMatch(reason);
  });

  it('replaces a built-in rule by a higher version, and keeps it against the same or a lower one', async () => {
    const seed = readFileSync(seedFile, 'utf8');
    const seedId = ruleIdOf(seed) ?? '';
    const builtinVersion = Number(/^version = (\d+)/m.exec(seed)?.[1]);
    for (const [version, replaced] of [[builtinVersion + 2, true], [builtinVersion, false], [1, false]] as const) {
      const dir = mkdtempSync(path.join(tmpdir(), 'execwatch-rules-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(path.join(dir, 'seed.toml'), seed.replace(/^version = \d+/m, `version = ${version}`).replace(/^name = "Interactive[^"]*"/m, 'name = "Retuned"'));
      const merged = await loadRules(dir);
      const running = merged.rules.find((r) => r.rule_id === seedId);
      expect(running?.name === 'Retuned').toBe(replaced);
      expect(merged.replacements.length).toBe(replaced ? 1 : 0);
      if (replaced) expect(running?.version).toBe(version);
      else expect(merged.errors[0]?.reason).toMatch(/duplicate rule_id .*the built-in copy \(version \d+, updated [^)]+\) is as new or newer/);
    }
  });

  it("takes a checkout's version lock for files that state no version", async () => {
    const seed = readFileSync(seedFile, 'utf8');
    const seedId = ruleIdOf(seed) ?? '';
    const dir = mkdtempSync(path.join(tmpdir(), 'execwatch-rules-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(path.join(dir, 'rules'));
    mkdirSync(path.join(dir, 'detection_rules/etc'), { recursive: true });
    writeFileSync(path.join(dir, 'rules/seed.toml'), seed.replace(/^version = \d+\n/m, '').replace(/^updated_date = .*$/m, 'updated_date = "2020/01/01"'));
    writeFileSync(path.join(dir, 'rules/other.toml'), withVersion(1).replace(/^version = 1\n/m, ''));
    writeFileSync(path.join(dir, 'detection_rules/etc/version.lock.json'), JSON.stringify({ [seedId]: { rule_name: 'x', version: 9 }, r1: { version: 5 } }));
    const merged = await loadRules(path.join(dir, 'rules'));
    expect(merged.rules.find((r) => r.rule_id === seedId)?.version).toBe(9);
    expect(merged.rules.find((r) => r.rule_id === 'r1')?.version).toBe(5);
    expect(merged.replacements[0]?.reason).toMatch(/version 9 is newer than the built-in version/);
  });
});
