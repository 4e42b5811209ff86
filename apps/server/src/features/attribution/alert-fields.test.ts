import { describe, expect, it } from 'vitest';
import { attributionAlertFields, MAX_STORED_CANDIDATES, presentAttribution } from './alert-fields';
import { docs, iso, target } from './audit-fixtures';
import { attribute } from './join';
import { attributionViewSchema } from '@execwatch/api';

const AT = '2025-03-04T06:23:00.000Z';

function impersonating(all: Record<string, unknown>[]): Record<string, unknown>[] {
  return all.map((d) => {
    const copy = structuredClone(d) as { kubernetes: { audit: Record<string, unknown> } };
    copy.kubernetes.audit.impersonatedUser = { username: 'system:serviceaccount:prod:deployer', groups: ['system:serviceaccounts'] };
    return copy;
  });
}

/** An alert document as stored: its own ECS fields plus the attribution fields. */
function alertWith(fields: object): Record<string, unknown> {
  return { '@timestamp': iso(0), orchestrator: { namespace: 'prod', resource: { name: 'web-1' } }, ...fields };
}

describe('attributionAlertFields', () => {
  it('writes the matched request under Elastic names for an exact match', () => {
    const attribution = attribute(target, impersonating(docs({ id: 'a', verb: 'get' })));
    const fields = attributionAlertFields(attribution, AT);
    expect(fields.kubernetes).toEqual({
      audit: {
        auditID: 'a',
        user: { username: 'alice', groups: ['devs', 'system:authenticated'] },
        impersonatedUser: { username: 'system:serviceaccount:prod:deployer', groups: ['system:serviceaccounts'] },
        sourceIPs: ['203.0.113.7'],
        userAgent: 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625',
        requestReceivedTimestamp: iso(-300),
        verb: 'get',
        objectRef: { resource: 'pods', subresource: 'exec', namespace: 'prod', name: 'web-1' },
        responseStatus: { code: 101 },
        annotations: {
          'authorization_k8s_io/decision': 'allow',
          'authorization_k8s_io/reason': 'RBAC: allowed by RoleBinding "exec/prod"',
        },
      },
    });
    expect(fields.execwatch.attribution).toEqual({
      match: 'exact',
      detail: 'exec request by alice 0.3 s before the session start',
      candidates: [
        {
          audit_id: 'a',
          username: 'alice',
          groups: ['devs', 'system:authenticated'],
          impersonated_user: { username: 'system:serviceaccount:prod:deployer', groups: ['system:serviceaccounts'] },
          source_ips: ['203.0.113.7'],
          user_agent: 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625',
          verb: 'get',
          subresource: 'exec',
          container: 'app',
          command: ['sh', '-c', 'echo hi'],
          request_received_at: iso(-300),
          response_code: 101,
          decision: 'allow',
          decision_reason: 'RBAC: allowed by RoleBinding "exec/prod"',
          distance_ms: -300,
          status: 'success',
        },
      ],
      candidates_total: 1,
      refused: [],
      refused_total: 0,
      attributed_at: AT,
    });
  });

  it('writes no person for ambiguous or none, and the reason for none', () => {
    const ambiguous = attributionAlertFields(attribute(target, docs({ id: 'a', at: -100 }, { id: 'b', at: -200, user: 'bob' })), AT);
    expect(ambiguous.kubernetes).toBeUndefined();
    expect(ambiguous.execwatch.attribution).toMatchObject({ match: 'ambiguous', candidates_total: 2 });
    expect(ambiguous.execwatch.attribution.reason).toBeUndefined();

    const none = attributionAlertFields(attribute(target, []), AT);
    expect(none).toEqual({
      execwatch: {
        attribution: {
          match: 'none',
          reason: 'no_audit_events_for_pod',
          detail: 'no audit events for pod prod/web-1',
          candidates: [],
          candidates_total: 0,
          refused: [],
          refused_total: 0,
          attributed_at: AT,
        },
      },
    });
  });

  it('caps the stored lists and keeps the totals', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, at: -100 * i }));
    const fields = attributionAlertFields(attribute({ ...target, container: undefined }, docs(...many)), AT);
    const stored = fields.execwatch.attribution as { candidates: unknown[]; candidates_total: number };
    expect(stored.candidates).toHaveLength(MAX_STORED_CANDIDATES);
    expect(stored.candidates_total).toBe(30);
  });
});

describe('presentAttribution', () => {
  it('an alert not attributed yet presents match unknown, reason not_attributed_yet', () => {
    const view = presentAttribution(alertWith({}));
    expect(view).toMatchObject({ match: 'unknown', reason: 'not_attributed_yet', user: null, candidates: [], refused: [] });
    expect(attributionViewSchema.parse(view)).toEqual(view);
  });

  it('a stored attribution that cannot be read presents unreadable_attribution', () => {
    const view = presentAttribution(alertWith({ execwatch: { attribution: { match: 'maybe' } } }));
    expect(view).toMatchObject({ match: 'unknown', reason: 'unreadable_attribution' });
  });

  it('presents an exact match from the alert fields', () => {
    const fields = attributionAlertFields(attribute(target, impersonating(docs({ id: 'a' }))), AT);
    const view = presentAttribution(alertWith(fields));
    expect(attributionViewSchema.parse(view)).toEqual(view);
    expect(view).toMatchObject({
      match: 'exact',
      reason: null,
      request_status: 'success',
      user: { username: 'alice', groups: ['devs', 'system:authenticated'] },
      impersonated_user: { username: 'system:serviceaccount:prod:deployer', groups: ['system:serviceaccounts'] },
      source_ips: ['203.0.113.7'],
      user_agent: 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625',
      audit_id: 'a',
      request_received_at: iso(-300),
      verb: 'create',
      decision: 'allow',
      decision_reason: 'RBAC: allowed by RoleBinding "exec/prod"',
      object_ref: { resource: 'pods', subresource: 'exec', namespace: 'prod', name: 'web-1' },
      candidates_total: 1,
      refused: [],
      attributed_at: AT,
    });
    expect(view.candidates[0]).toMatchObject({ audit_id: 'a', container_repeated: false, impersonated_user: { username: 'system:serviceaccount:prod:deployer' } });
  });

  it('reads alert fields stored with dotted keys', () => {
    const fields = attributionAlertFields(attribute(target, docs({ id: 'a' })), AT);
    const flat = alertWith({
      'execwatch.attribution': fields.execwatch.attribution,
      'kubernetes.audit.auditID': 'a',
      'kubernetes.audit.user.username': 'alice',
      'kubernetes.audit.user.groups': ['devs'],
    });
    expect(presentAttribution(flat).user).toEqual({ username: 'alice', groups: ['devs'] });
  });

  it('a pending exact match says so', () => {
    const view = presentAttribution(alertWith(attributionAlertFields(attribute(target, docs({ id: 'a', stages: ['RequestReceived'] })), AT)));
    expect(view).toMatchObject({ match: 'exact', request_status: 'pending', decision: null });
  });

  it('ignores kubernetes.audit fields left from an earlier, different match', () => {
    const earlier = attributionAlertFields(attribute(target, docs({ id: 'old', user: 'bob' })), AT);
    const now = attributionAlertFields(attribute(target, docs({ id: 'new' })), AT);
    const view = presentAttribution(alertWith({ kubernetes: earlier.kubernetes, execwatch: now.execwatch }));
    expect(view.audit_id).toBe('new');
    expect(view.user).toEqual({ username: 'alice', groups: ['devs', 'system:authenticated'] });
  });

  it('presents ambiguous with every candidate and no person', () => {
    const fields = attributionAlertFields(attribute(target, docs({ id: 'a', at: -100 }, { id: 'b', at: -200, user: 'bob' })), AT);
    const view = presentAttribution(alertWith({ ...fields, kubernetes: { audit: { auditID: 'a', user: { username: 'stale' } } } }));
    expect(view).toMatchObject({ match: 'ambiguous', reason: null, user: null, audit_id: null });
    expect(view.candidates.map((c) => c.username)).toEqual(['alice', 'bob']);
    expect(attributionViewSchema.parse(view)).toEqual(view);
  });

  it('presents refused_only with the refused attempts', () => {
    const fields = attributionAlertFields(attribute(target, docs({ id: 'r', code: 403, user: 'mallory' })), AT);
    const view = presentAttribution(alertWith(fields));
    expect(view).toMatchObject({ match: 'none', reason: 'refused_only', user: null, refused_total: 1 });
    expect(view.refused[0]).toMatchObject({ audit_id: 'r', username: 'mallory', status: 'refused', response_code: 403, decision: 'forbid', decision_reason: null });
    expect(attributionViewSchema.parse(view)).toEqual(view);
  });
});
