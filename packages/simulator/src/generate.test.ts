import { describe, expect, it } from 'vitest';
import { DEFAULT_END, generateEvents, generateSession } from './generate';
import { ATTACKER_VARIANTS } from './scripts';
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
      // Typed commands are the shell's children; what they start (sh -c lines, apt-get's fetchers) theirs.
      const ids = new Set(events.map((e) => get(e, 'process.entity_id')));
      const execs = rest.filter((x) => isExec(x));
      expect(execs.some((e) => get(e, 'process.parent.entity_id') === get(shell, 'process.entity_id'))).toBe(true);
      for (const e of execs) {
        expect(get(e, 'process.entry_leader.same_as_process')).toBe(false);
        expect(ids.has(get(e, 'process.parent.entity_id'))).toBe(true);
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

  it('puts admins in kube-system/ops/data/monitoring, CI in ci on runner images, and runs each as its image user', () => {
    const imageUsers: Record<string, string> = {
      nginx: 'root', 'registry.example.com/shop/checkout': 'node', 'registry.example.com/shop/catalog': 'app',
      'registry.example.com/payments/api': 'app', postgres: 'root', redis: 'root', 'registry.k8s.io/kube-proxy': 'root',
      'registry.example.com/ops/toolbox': 'sre-admin', 'prom/prometheus': 'nobody',
    };
    let toolbox = 0;
    for (let seed = 1; seed <= 30; seed++) {
      for (const kind of kinds) {
        const events = generateSession(kind, { seed });
        const image = String(get(events[0], 'container.image.name'));
        const expected = kind === 'ci' ? 'runner' : imageUsers[image];
        expect(expected, image).toBeDefined();
        for (const e of events) {
          expect(get(e, 'user.name')).toBe(expected);
          expect(get(e, 'process.user.name')).toBe(expected);
          expect(get(e, 'process.user.id')).toBe(get(e, 'user.id'));
          expect(get(e, 'process.group.id')).toBe(get(e, 'group.id'));
        }
      }
      const [admin] = generateSession('admin', { seed });
      expect(['kube-system', 'ops', 'data', 'monitoring']).toContain(get(admin, 'orchestrator.namespace'));
      if (get(admin, 'orchestrator.namespace') === 'ops') toolbox++;
      const [ci] = generateSession('ci', { seed });
      expect(get(ci, 'orchestrator.namespace')).toBe('ci');
      expect(String(get(ci, 'container.image.name'))).toMatch(/^registry\.example\.com\/ci\/runner-/);
    }
    // Admins work from the toolbox most of the time.
    expect(toolbox).toBeGreaterThan(6);
  });

  it('links every process to a parent started before it in the same session, with the shell asked for as entry leader', () => {
    for (const kind of kinds) {
      for (let seed = 1; seed <= 25; seed++) {
        const events = generateSession(kind, { seed });
        const [shell] = events;
        const started = new Map<unknown, number>([[get(shell, 'process.parent.entity_id'), -Infinity]]);
        for (const e of events.filter(isExec)) {
          const parentStart = started.get(get(e, 'process.parent.entity_id'));
          expect(parentStart, `${kind} ${seed}: ${args(e).join(' ')}`).toBeDefined();
          expect(Date.parse(String(get(e, '@timestamp')))).toBeGreaterThanOrEqual(parentStart ?? Infinity);
          expect(get(e, 'process.entry_leader.args')).toEqual(get(shell, 'process.args'));
          expect(get(e, 'process.entry_leader.start')).toBe(get(shell, 'process.start'));
          expect(get(e, 'process.command_line')).toBeUndefined();
          expect(String(get(e, 'process.executable')).endsWith(`/${String(get(e, 'process.name'))}`)).toBe(true);
          started.set(get(e, 'process.entity_id'), Date.parse(String(get(e, '@timestamp'))));
        }
        // An end never comes before its process's start.
        for (const e of events.filter((x) => get(x, 'event.action') === 'end')) {
          expect(Date.parse(String(get(e, '@timestamp')))).toBeGreaterThanOrEqual(Date.parse(String(get(e, 'process.start'))));
        }
      }
    }
  });

  it('gives attackers several variants, quick after the exec, whose commands trip Defend for Containers rules', () => {
    const seen = new Set<string>();
    const variants = new Set<unknown>();
    const firstCommandMs: Record<'attacker' | 'admin', number[]> = { attacker: [], admin: [] };
    for (let seed = 1; seed <= 80; seed++) {
      for (const kind of ['attacker', 'admin'] as const) {
        const events = generateSession(kind, { seed });
        const second = events.find((e, i) => i > 0 && isExec(e));
        if (second) firstCommandMs[kind].push(Date.parse(String(get(second, '@timestamp'))) - Date.parse(String(get(events[0], '@timestamp'))));
      }
      const events = generateSession('attacker', { seed });
      variants.add(get(events[0], 'labels.simulator_variant'));
      const execs = events.filter(isExec);
      for (const e of execs) {
        const name = String(get(e, 'process.name'));
        const a = args(e);
        const line = a.join(' ');
        if (name === 'cat' && a.includes('/var/run/secrets/kubernetes.io/serviceaccount/token')) seen.add('token-read');
        if (name === 'curl' && a.some((x) => x.startsWith('Authorization: Bearer ey')) && /kubernetes\.default\.svc\/api\/v1\//.test(line)) seen.add('api-with-token');
        if ((name === 'apt-get' && a[1] === 'install') || (name === 'apk' && a[1] === 'add')) seen.add('package-install');
        if (name === 'nc' && a.includes('-e')) seen.add('nc-exec');
        if (name === 'bash' && a[1] === '-c' && /\/dev\/tcp\//.test(a[2] ?? '')) seen.add('dev-tcp-reverse-shell');
        if (name === 'nsenter' && a.includes('--target')) seen.add('nsenter');
        if (name === 'cat' && a.includes('/proc/1/cgroup')) seen.add('cgroup');
        if (name === 'mount') seen.add('mount');
        if (name === 'crontab') seen.add('crontab');
        if (name === 'chmod' && a.some((x) => ['+x', '777'].includes(x))) seen.add('chmod');
        if (/^\/(tmp|dev\/shm)\//.test(String(get(e, 'process.executable')))) seen.add('exec-from-suspicious-dir');
        if ((name === 'wget' && a.includes('-O')) || (name === 'curl' && a.includes('-o'))) seen.add('file-download');
        if (name === 'rm' && a.some((x) => x.startsWith('/tmp/.') || x.endsWith('.bash_history'))) seen.add('cleanup');
        if (line.includes('history -c')) seen.add('history');
        if (get(e, 'process.interactive') === false) seen.add('via-reverse-shell');
      }
      // fetch|sh: the downloader and a shell, children of the same parent within a second.
      for (let i = 0; i < execs.length - 1; i++) {
        const [a, b] = [execs[i], execs[i + 1]];
        if (['curl', 'wget'].includes(String(get(a, 'process.name'))) && get(b, 'process.name') === 'sh' &&
          get(a, 'process.parent.entity_id') === get(b, 'process.parent.entity_id') &&
          Date.parse(String(get(b, '@timestamp'))) - Date.parse(String(get(a, '@timestamp'))) < 1000) seen.add('fetch-piped-to-shell');
      }
    }
    expect([...seen].sort()).toEqual(['api-with-token', 'cgroup', 'chmod', 'cleanup', 'crontab', 'dev-tcp-reverse-shell', 'exec-from-suspicious-dir', 'fetch-piped-to-shell',
      'file-download', 'history', 'mount', 'nc-exec', 'nsenter', 'package-install', 'token-read', 'via-reverse-shell']);
    expect([...variants].sort()).toEqual([...ATTACKER_VARIANTS].sort());
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
    expect(median(firstCommandMs.attacker)).toBeLessThan(median(firstCommandMs.admin));
  });

  it('has admins and developers overlap with attackers now and then, and CI run its jobs', () => {
    const lines = (kind: 'admin' | 'developer' | 'ci') => {
      const out: string[] = [];
      for (let seed = 1; seed <= 200; seed++) for (const e of generateSession(kind, { seed }).filter(isExec)) out.push(args(e).join(' '));
      return out;
    };
    const people = [...lines('admin'), ...lines('developer')];
    for (const wanted of ['env', 'ps aux', 'cat /etc/nginx/nginx.conf', 'ls -la /app', 'tail -n 100 /var/log/app.log', 'df -h', 'mount', 'cat /proc/1/cgroup', 'apt-get install -y procps']) {
      expect(people, wanted).toContain(wanted);
    }
    expect(people.some((l) => l.startsWith('curl -s localhost'))).toBe(true);
    // The overlaps stay rare.
    expect(people.filter((l) => l === 'cat /proc/1/cgroup').length / people.length).toBeLessThan(0.02);
    const ci = lines('ci');
    for (const wanted of ['sh -c npm ci && npm test', 'make test', './gradlew check', 'env', 'sort']) expect(ci, wanted).toContain(wanted);
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
