import { describe, expect, it } from 'vitest';
import { DEFAULT_END, generateEvents, generateSession } from './generate';
import { args, get, isExec, matchesInteractiveExecRule } from './test-helpers';

const kinds = ['admin', 'attacker', 'ci', 'developer'] as const;

describe('generateSession', () => {
  it.each(kinds)('%s: the shell is the entry leader and the only event the rule matches', (kind) => {
    for (let seed = 1; seed <= 20; seed++) {
      const events = generateSession(kind, { seed });
      const [shell, ...rest] = events;
      expect(matchesInteractiveExecRule(shell)).toBe(true);
      expect(get(shell, 'process.entity_id')).toBe(get(shell, 'process.entry_leader.entity_id'));
      expect(get(shell, 'labels.simulator_scenario')).toBe(kind);
      expect(rest.length).toBeGreaterThan(0);
      for (const e of rest) {
        expect(matchesInteractiveExecRule(e)).toBe(false);
        expect(get(e, 'process.entry_leader.entity_id')).toBe(get(shell, 'process.entity_id'));
        expect(get(e, 'process.session_leader.entity_id')).toBe(get(shell, 'process.entity_id'));
        expect(get(e, 'container.id')).toBe(get(shell, 'container.id'));
      }
      for (const e of rest.filter((x) => isExec(x))) {
        expect(get(e, 'process.entry_leader.same_as_process')).toBe(false);
        expect(get(e, 'process.parent.entity_id')).toBe(get(shell, 'process.entity_id'));
      }
      // The session ends with the shell's exit.
      const last = events[events.length - 1];
      expect(get(last, 'event.action')).toBe('end');
      expect(get(last, 'process.entity_id')).toBe(get(shell, 'process.entity_id'));
    }
  });

  it('carries the cloud_defend event shape', () => {
    const [shell] = generateSession('developer', { seed: 7, start: Date.UTC(2025, 5, 1) });
    expect(get(shell, '@timestamp')).toBe('2025-06-01T00:00:00.000Z');
    expect(get(shell, 'event.category')).toEqual(['process']);
    expect(get(shell, 'event.type')).toEqual(['start']);
    expect(get(shell, 'event.action')).toBe('exec');
    expect(get(shell, 'event.module')).toBe('cloud_defend');
    expect(get(shell, 'data_stream')).toEqual({ dataset: 'cloud_defend.process', namespace: 'default', type: 'logs' });
    for (const path of ['host.name', 'host.id', 'cloud.provider', 'orchestrator.namespace', 'orchestrator.resource.name', 'container.image.name',
      'process.parent.entity_id', 'process.group_leader.entity_id', 'process.user.id', 'user.id', 'user.name', 'agent.id', 'event.id', 'event.ingested']) {
      expect(get(shell, path), path).toBeTruthy();
    }
    expect(get(shell, 'process.parent.name')).toBe('runc');
    expect(get(shell, 'process.previous')).toEqual([{ args: ['runc', 'init'], executable: '/usr/bin/runc' }]);
    expect(JSON.stringify(shell).length).toBeGreaterThan(1000);
  });

  it('puts admins in kube-system/ops/data/monitoring as sre-admin or platform-ops, CI in ci on runner images', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const [admin] = generateSession('admin', { seed });
      expect(['kube-system', 'ops', 'data', 'monitoring']).toContain(get(admin, 'orchestrator.namespace'));
      expect(['sre-admin', 'platform-ops']).toContain(get(admin, 'user.name'));
      const [ci] = generateSession('ci', { seed });
      expect(get(ci, 'orchestrator.namespace')).toBe('ci');
      expect(String(get(ci, 'container.image.name'))).toMatch(/^registry\.example\.com\/ci\/runner-/);
    }
  });

  it('gives attackers commands that trip Defend for Containers rules', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const events = generateSession('attacker', { seed });
      const execs = events.filter(isExec);
      for (const e of execs) {
        const name = get(e, 'process.name');
        const a = args(e);
        if (name === 'id' || name === 'whoami' || name === 'capsh') seen.add('privilege-boundary-enumeration');
        if (name === 'env') seen.add('environment-enumeration');
        if (name === 'which' && a.some((x) => ['curl', 'wget', 'nc', 'kubectl'].includes(x))) seen.add('tool-enumeration');
        if (['grep', 'find', 'cat'].includes(String(name)) && a.some((x) => /password|id_rsa|aws_secret_access_key|\.aws\/credentials/i.test(x))) seen.add('credential-search');
        if (name === 'chmod' && a.some((x) => ['+x', '777', '755'].includes(x))) seen.add('chmod');
        if (/^\/(tmp|dev\/shm)\//.test(String(get(e, 'process.executable')))) seen.add('exec-from-suspicious-dir');
        if ((name === 'wget' && a.some((x) => x === '-O')) || (name === 'curl' && a.includes('-o'))) seen.add('file-download');
      }
      // curl|sh: the downloader and a shell, children of the same parent within a second.
      for (let i = 0; i < execs.length - 1; i++) {
        const [a, b] = [execs[i], execs[i + 1]];
        if (get(a, 'process.name') === 'curl' && get(b, 'process.name') === 'sh' &&
          get(a, 'process.parent.entity_id') === get(b, 'process.parent.entity_id') &&
          Date.parse(String(get(b, '@timestamp'))) - Date.parse(String(get(a, '@timestamp'))) < 1000) seen.add('curl-piped-to-shell');
      }
    }
    expect([...seen].sort()).toEqual(['chmod', 'credential-search', 'curl-piped-to-shell', 'environment-enumeration', 'exec-from-suspicious-dir',
      'file-download', 'privilege-boundary-enumeration', 'tool-enumeration']);
  });
});

describe('generateEvents', () => {
  it('returns exactly count events, ordered in the window, deterministically for a seed', () => {
    const start = Date.UTC(2025, 0, 1);
    const end = start + 3_600_000;
    const a = generateEvents(3000, { seed: 42, start, end });
    const b = generateEvents(3000, { seed: 42, start, end });
    const c = generateEvents(3000, { seed: 43, start, end });
    expect(a).toHaveLength(3000);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    let prev = -Infinity;
    for (const e of a) {
      const t = Date.parse(String(get(e, '@timestamp')));
      expect(t).toBeGreaterThanOrEqual(prev);
      expect(t).toBeGreaterThanOrEqual(start);
      expect(t).toBeLessThanOrEqual(end);
      prev = t;
    }
  });

  it('defaults to a fixed window ending at DEFAULT_END', () => {
    const events = generateEvents(500, { seed: 1 });
    expect(Date.parse(String(get(events[events.length - 1], '@timestamp')))).toBeLessThanOrEqual(DEFAULT_END);
    expect(JSON.stringify(events)).toBe(JSON.stringify(generateEvents(500, { seed: 1 })));
  });

  it('only interactive session shells match the rule; their share follows interactiveRatio', () => {
    const events = generateEvents(20_000, { seed: 5, interactiveRatio: 0.05, attackerRatio: 0.5 });
    const matches = events.filter(matchesInteractiveExecRule);
    const sessionEvents = events.filter((e) => ['admin', 'attacker', 'ci', 'developer'].includes(String(get(e, 'labels.simulator_scenario'))));
    expect(sessionEvents.length / events.length).toBeGreaterThan(0.04);
    expect(sessionEvents.length / events.length).toBeLessThan(0.06);
    for (const m of matches) expect(get(m, 'process.entity_id')).toBe(get(m, 'process.entry_leader.entity_id'));
    // One match per session, and background (probes, app forks, non-interactive execs) never matches.
    expect(new Set(matches.map((m) => get(m, 'process.entity_id'))).size).toBe(matches.length);
    expect(matches.every((m) => ['admin', 'attacker', 'ci', 'developer'].includes(String(get(m, 'labels.simulator_scenario'))))).toBe(true);
    const attackers = matches.filter((m) => get(m, 'labels.simulator_scenario') === 'attacker').length;
    expect(attackers / matches.length).toBeGreaterThan(0.3);
    expect(attackers / matches.length).toBeLessThan(0.7);
    const scenarios = new Set(events.map((e) => get(e, 'labels.simulator_scenario')));
    for (const s of ['probe', 'app', 'exec', 'ci_exec']) expect(scenarios).toContain(s);
    // Non-interactive execs are their own entry leaders but not interactive: the rule's last clause excludes them.
    const exec = events.find((e) => get(e, 'labels.simulator_scenario') === 'exec');
    expect(get(exec, 'process.entry_leader.same_as_process')).toBe(true);
    expect(get(exec, 'process.interactive')).toBe(false);
  });

  it('yields no sessions with interactiveRatio 0 and clamps silly ratios', () => {
    expect(generateEvents(2000, { seed: 2, interactiveRatio: 0 }).filter(matchesInteractiveExecRule)).toHaveLength(0);
    expect(generateEvents(100, { seed: 2, interactiveRatio: 7 })).toHaveLength(100);
    expect(generateEvents(0)).toEqual([]);
    expect(() => generateEvents(-1)).toThrow(/count must be a non-negative integer, got -1/);
    expect(() => generateEvents(1.5)).toThrow(RangeError);
  });
});
