import { describe, expect, it } from 'vitest';
import { execRequestURI, queryEscape, toEventList, type AuditEvent } from './audit';
import { generateAuditedSession, generateSession, generateSessionAudit, type AuditedSession } from './generate';
import { AUDIT_OUTCOME_SHARES } from './scene';
import type { SessionKind } from './sessions';
import { Simulator } from './simulator';
import { get, matchesInteractiveExecRule } from './test-helpers';

const kinds: readonly SessionKind[] = ['admin', 'attacker', 'ci', 'developer'];
const ms = (text: string) => Date.parse(text);
const query = (e: AuditEvent) => new URLSearchParams(e.requestURI.slice(e.requestURI.indexOf('?') + 1));
const inRange = (ip: string, prefix: string) => ip.startsWith(prefix);
const officeOrVpn = (ip: string) => /^10\.20\.6[4-7]\./.test(ip) || inRange(ip, '198.51.100.');

/** The events of every scene for seeds 1..n, kinds taking turns. */
function scenes(n: number): AuditedSession[] {
  const out: AuditedSession[] = [];
  for (let seed = 1; seed <= n; seed++) out.push(generateAuditedSession(kinds[seed % kinds.length], { seed, start: Date.UTC(2026, 0, 1, 9) + seed * 60_000 }));
  return out;
}
const many = scenes(800);

describe('generateAuditedSession', () => {
  it('is deterministic for a seed, and its first session is exactly what generateSession gives', () => {
    for (const kind of kinds) {
      for (let seed = 1; seed <= 8; seed++) {
        const a = generateAuditedSession(kind, { seed, start: Date.UTC(2026, 1, 1) });
        expect(JSON.stringify(a)).toBe(JSON.stringify(generateAuditedSession(kind, { seed, start: Date.UTC(2026, 1, 1) })));
        const first = a.events.filter((e) => get(e, 'process.entry_leader.entity_id') === a.sessions[0].entityId);
        expect(first).toEqual(generateSession(kind, { seed, start: Date.UTC(2026, 1, 1) }));
        expect(generateSessionAudit(kind, { seed, start: Date.UTC(2026, 1, 1) })).toEqual(a.audit);
      }
    }
    expect(JSON.stringify(generateAuditedSession('admin', { seed: 1 }).audit)).not.toBe(JSON.stringify(generateAuditedSession('admin', { seed: 2 }).audit));
  });

  it('lines each request up with its session: same pod, received up to 10 s before the entry leader, same command and container', () => {
    let checked = 0;
    for (const scene of many) {
      for (const s of scene.sessions) {
        const shell = scene.events.find((e) => get(e, 'process.entity_id') === s.entityId && matchesInteractiveExecRule(e));
        const exit = scene.events.find((e) => get(e, 'process.entity_id') === s.entityId && get(e, 'event.action') === 'end');
        expect(shell).toBeDefined();
        const stages = scene.audit.filter((e) => e.auditID === s.auditID);
        if (s.auditID === null) continue;
        expect(stages.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
        const start = ms(String(get(shell, 'process.entry_leader.start')));
        for (const e of stages) {
          expect(e.objectRef).toEqual({ resource: 'pods', namespace: get(shell, 'orchestrator.namespace'), name: get(shell, 'orchestrator.resource.name'), apiVersion: 'v1', subresource: 'exec' });
          expect(e.requestReceivedTimestamp).toBe(stages[0].requestReceivedTimestamp);
          expect(e.user.username).toBe(s.requester.user.username);
          expect(query(e).getAll('command')).toEqual(get(shell, 'process.entry_leader.args'));
          const container = query(e).get('container');
          if (container !== null) expect(container).toBe(get(shell, 'container.name'));
        }
        const received = ms(stages[0].requestReceivedTimestamp);
        expect(received).toBeLessThan(start);
        expect(received).toBeGreaterThanOrEqual(start - 10_000);
        expect(ms(stages[1].stageTimestamp)).toBeLessThanOrEqual(start);
        expect(stages[1].responseStatus?.code).toBe(101);
        expect(ms(stages[2].stageTimestamp)).toBeGreaterThanOrEqual(ms(String(get(exit, '@timestamp'))));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(740);
  });

  it('writes audit.k8s.io/v1 Events at Metadata level, in EventLists as the webhook posts them', () => {
    const micro = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
    const verbs = { get: 0, create: 0 };
    for (const scene of many.slice(0, 400)) {
      const list = toEventList(scene.audit);
      expect(JSON.parse(JSON.stringify(list))).toEqual({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: scene.audit });
      for (const e of scene.audit) {
        expect(e).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata' });
        expect(e.auditID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(e.requestReceivedTimestamp).toMatch(micro);
        expect(e.stageTimestamp).toMatch(micro);
        expect(ms(e.stageTimestamp)).toBeGreaterThanOrEqual(ms(e.requestReceivedTimestamp));
        expect(e.requestURI).toMatch(/^\/api\/v1\/namespaces\/[a-z0-9-]+\/pods\/[a-z0-9-]+\/exec\?command=/);
        expect(query(e).get('stdin')).toBe('true');
        expect(query(e).get('tty')).toBe('true');
        const kubectl = /^kubectl\/v1\.(\d+)\./.exec(e.userAgent);
        if (kubectl) expect(e.verb).toBe(Number(kubectl[1]) >= 30 ? 'get' : 'create');
        if (e.stage === 'RequestReceived') {
          expect(e.annotations).toBeUndefined();
          expect(e.responseStatus).toBeUndefined();
          verbs[e.verb === 'get' ? 'get' : 'create']++;
        } else {
          expect(['allow', 'forbid']).toContain(e.annotations?.['authorization.k8s.io/decision']);
          expect(e.responseStatus?.code).toBe(e.annotations?.['authorization.k8s.io/decision'] === 'allow' ? 101 : 403);
        }
      }
    }
    // Most clients are new enough for WebSocket streams; CI and a few people still use SPDY.
    expect(verbs.get).toBeGreaterThan(verbs.create);
    expect(verbs.create).toBeGreaterThan(verbs.get / 10);
  });

  it('loses, doubles and refuses requests in the shares it says', () => {
    const count = (f: (s: AuditedSession) => boolean, from = many) => from.filter(f).length / from.length;
    const people = many.filter((s) => s.sessions[0].kind === 'admin' || s.sessions[0].kind === 'developer');
    const refusable = many.filter((s) => s.sessions[0].kind !== 'ci');
    expect(count((s) => s.outcome === 'missing')).toBeGreaterThan(AUDIT_OUTCOME_SHARES.missing / 2);
    expect(count((s) => s.outcome === 'missing')).toBeLessThan(AUDIT_OUTCOME_SHARES.missing * 1.7);
    expect(count((s) => s.outcome === 'ambiguous', people)).toBeGreaterThan(AUDIT_OUTCOME_SHARES.ambiguous / 2);
    expect(count((s) => s.outcome === 'ambiguous', people)).toBeLessThan(AUDIT_OUTCOME_SHARES.ambiguous * 1.7);
    expect(count((s) => s.outcome === 'refused', refusable)).toBeGreaterThan(AUDIT_OUTCOME_SHARES.refused / 2);
    expect(count((s) => s.outcome === 'refused', refusable)).toBeLessThan(AUDIT_OUTCOME_SHARES.refused * 1.7);
    const sessions = many.flatMap((s) => s.sessions);
    const share = (m: string) => sessions.filter((s) => s.expectedMatch === m).length / sessions.length;
    expect(share('exact')).toBeGreaterThan(0.9);
    expect(share('ambiguous')).toBeGreaterThan(0.01);
    expect(share('ambiguous')).toBeLessThan(0.06);
    expect(share('none')).toBeGreaterThan(0.01);
    expect(share('none')).toBeLessThan(0.06);
    for (const s of many.filter((x) => x.outcome === 'missing')) {
      expect(s.audit).toEqual([]);
      expect(s.sessions.map((x) => x.expectedMatch)).toEqual(['none']);
    }
  });

  it('ambiguous: another person execs into the same pod with the same command seconds later', () => {
    for (const kind of ['admin', 'developer'] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const scene = generateAuditedSession(kind, { seed, audit: 'ambiguous' });
        const [a, b] = scene.sessions;
        expect(scene.sessions).toHaveLength(2);
        expect([b.namespace, b.pod, b.container, b.command]).toEqual([a.namespace, a.pod, a.container, a.command]);
        expect(b.requester.user.username).not.toBe(a.requester.user.username);
        const delay = ms(b.start) - ms(a.start);
        expect(delay).toBeGreaterThanOrEqual(300);
        expect(delay).toBeLessThanOrEqual(8_000);
        // The later session always sees both requests; the first one too when the second came within 2 s of its start.
        expect(b.expectedMatch).toBe('ambiguous');
        const secondReceived = ms(String(scene.audit.find((e) => e.auditID === b.auditID)?.requestReceivedTimestamp));
        expect(a.expectedMatch).toBe(secondReceived <= ms(a.start) + 2_000 ? 'ambiguous' : 'exact');
        if (delay <= 1_500) expect(a.expectedMatch).toBe('ambiguous');
        expect(scene.events.filter(matchesInteractiveExecRule)).toHaveLength(2);
      }
    }
  });

  it('refused: someone without RBAC is refused with a 403 seconds before the exec that started the session', () => {
    for (const kind of ['admin', 'developer', 'attacker'] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const scene = generateAuditedSession(kind, { seed, audit: 'refused' });
        const [s] = scene.sessions;
        const refused = scene.audit.filter((e) => e.annotations?.['authorization.k8s.io/decision'] === 'forbid');
        expect(refused).toHaveLength(1);
        const [r] = refused;
        expect(r.stage).toBe('ResponseComplete');
        expect(r.responseStatus).toMatchObject({ code: 403, reason: 'Forbidden', status: 'Failure' });
        expect(r.responseStatus?.message).toContain(`User "${r.user.username}" cannot ${r.verb} resource "pods/exec"`);
        expect(r.annotations?.['authorization.k8s.io/reason']).toBe('');
        expect(r.user.username).not.toBe(s.requester.user.username);
        const allowed = scene.audit.find((e) => e.auditID === s.auditID);
        expect(ms(r.requestReceivedTimestamp)).toBeLessThan(ms(String(allowed?.requestReceivedTimestamp)));
        expect(ms(r.requestReceivedTimestamp)).toBeGreaterThanOrEqual(ms(s.start) - 10_000);
        expect(scene.audit.filter((e) => e.auditID === r.auditID).map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseComplete']);
        expect(s.expectedMatch).toBe('exact');
      }
    }
  });

  it('refuses an outcome the kind cannot have', () => {
    expect(() => generateAuditedSession('ci', { audit: 'ambiguous' })).toThrow(RangeError);
    expect(() => generateAuditedSession('attacker', { audit: 'ambiguous' })).toThrow(/cannot have the audit outcome "ambiguous"/);
    expect(() => generateAuditedSession('ci', { audit: 'refused' })).toThrow(RangeError);
  });

  it('gives each kind its identity: people from the office or VPN, CI its service account, the attacker a stolen token from elsewhere', () => {
    const seen = { impersonated: 0, adminNames: new Set<string>(), attackerAgents: new Set<string>() };
    for (const scene of many) {
      for (const s of scene.sessions) {
        const { user, sourceIPs, userAgent, impersonatedUser } = s.requester;
        switch (s.kind) {
          case 'admin':
            seen.adminNames.add(user.username);
            expect(user.groups.some((g) => g === 'sre' || g === 'platform-ops')).toBe(true);
            if (impersonatedUser) seen.impersonated++;
            break;
          case 'developer':
            expect(user.groups).toEqual(['developers', 'system:authenticated']);
            expect(['dana@example.com', 'evan@example.com']).toContain(user.username);
            break;
          case 'ci':
            expect(user.username).toBe('system:serviceaccount:ci:gitlab-runner');
            expect(user.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated']);
            expect(userAgent).toMatch(/^(kubectl\/v1\.29\.2 |gitlab-runner\/)/);
            break;
          case 'attacker':
            expect(user.username).toMatch(/^system:serviceaccount:(default|shop):/);
            expect(officeOrVpn(sourceIPs[0])).toBe(false);
            expect(userAgent).toMatch(/^(kubectl\/v1\.27\.1 |python-requests\/|OpenAPI-Generator\/)/);
            seen.attackerAgents.add(userAgent.split('/')[0]);
            break;
        }
        if (s.kind === 'admin' || s.kind === 'developer') {
          expect(officeOrVpn(sourceIPs[0])).toBe(true);
          expect(userAgent).toMatch(/^kubectl\/v1\.\d+\.\d+ \((darwin|linux|windows)\/(arm64|amd64)\) kubernetes\/[0-9a-f]{7}$/);
        }
      }
    }
    expect([...seen.adminNames].sort()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com', 'omar@example.com']);
    expect(seen.impersonated).toBeGreaterThan(3);
    expect([...seen.attackerAgents].sort()).toEqual(['OpenAPI-Generator', 'kubectl', 'python-requests']);
  });
});

describe('request URIs', () => {
  it('encodes each argv element as its own command parameter, as kubectl does', () => {
    expect(queryEscape('/bin/bash')).toBe('%2Fbin%2Fbash');
    expect(queryEscape("echo 'a b'!")).toBe('echo+%27a+b%27%21');
    const uri = execRequestURI('shop', 'catalog-1', ['sh', '-c', 'echo hi && id'], 'catalog', 'kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc');
    expect(uri).toBe('/api/v1/namespaces/shop/pods/catalog-1/exec?command=sh&command=-c&command=echo+hi+%26%26+id&container=catalog&stdin=true&stdout=true&tty=true');
    expect(new URLSearchParams(uri.split('?')[1]).getAll('command')).toEqual(['sh', '-c', 'echo hi && id']);
    // Other clients may leave the container to the apiserver and ask for stderr.
    expect(execRequestURI('default', 'web-1', ['/bin/sh'], undefined, 'python-requests/2.31.0')).toBe(
      '/api/v1/namespaces/default/pods/web-1/exec?command=%2Fbin%2Fsh&stderr=true&stdin=true&stdout=true&tty=true',
    );
  });
});

describe('Simulator.nextAudit', () => {
  const run = (audit: boolean) => {
    const sim = new Simulator({ seed: 12, sessionsPerMinute: 20, audit });
    const t0 = Date.UTC(2026, 3, 1);
    const events: Record<string, unknown>[] = [];
    const delivered: { event: AuditEvent; at: number; batch: number }[] = [];
    let batches = 0;
    for (let s = 0; s < 600; s++) {
      const now = t0 + s * 1000;
      events.push(...sim.next(now, 4));
      for (const list of sim.nextAudit(now)) {
        expect(list.kind).toBe('EventList');
        expect(list.items.length).toBeGreaterThan(0);
        expect(list.items.length).toBeLessThanOrEqual(400);
        batches++;
        for (const event of list.items) delivered.push({ event, at: now, batch: batches });
      }
    }
    return { events, delivered, batches, end: t0 + 599_000, pending: sim.pendingAudit };
  };
  const on = run(true);

  it('delivers each audit event once, in batches 1 to 30 s after it happened', () => {
    const keys = on.delivered.map((d) => `${d.event.auditID}/${d.event.stage}`);
    expect(new Set(keys).size).toBe(keys.length);
    const lags = on.delivered.map((d) => d.at - ms(d.event.stageTimestamp));
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(1_000);
    // Flushes fall between calls a second apart; a refused attempt seconds before a session can come a little later.
    expect(lags.filter((l) => l > 31_000).length / lags.length).toBeLessThan(0.01);
    expect(Math.max(...lags)).toBeLessThan(40_000);
    expect(on.batches).toBeGreaterThan(20);
    expect(on.batches).toBeLessThan(on.delivered.length);
  });

  it('sends the request of nearly every session the rule matches', () => {
    const shells = on.events.filter(matchesInteractiveExecRule).filter((e) => ms(String(get(e, '@timestamp'))) < on.end - 40_000);
    expect(shells.length).toBeGreaterThan(160);
    const received = on.delivered.filter((d) => d.event.stage === 'RequestReceived' && d.event.annotations === undefined);
    let found = 0;
    for (const shell of shells) {
      const start = ms(String(get(shell, 'process.entry_leader.start')));
      const fits = received.some(
        ({ event: e }) =>
          e.objectRef.name === get(shell, 'orchestrator.resource.name') && ms(e.requestReceivedTimestamp) <= start && ms(e.requestReceivedTimestamp) >= start - 10_000 &&
          JSON.stringify(query(e).getAll('command')) === JSON.stringify(get(shell, 'process.entry_leader.args')),
      );
      if (fits) found++;
    }
    expect(found / shells.length).toBeGreaterThan(0.93);
    expect(found).toBeLessThan(shells.length);
  });

  it('is deterministic, and turning audit off changes no process event', () => {
    const again = run(true);
    expect(JSON.stringify(again.delivered)).toBe(JSON.stringify(on.delivered));
    const off = run(false);
    expect(off.delivered).toEqual([]);
    expect(off.pending).toBe(0);
    expect(JSON.stringify(off.events)).toBe(JSON.stringify(on.events));
  });
});
