import { describe, expect, it } from 'vitest';
import { emptyAttributionView, type AttributionCandidateView, type AttributionView } from '@execwatch/api';
import {
  clientName,
  describeOffset,
  formatOffset,
  isResponsibleIdentityStep,
  refusedLine,
  requestedByCell,
  responsibleIdentityAnswer,
  tellingGroups,
  verdictSentence,
} from './attribution-text';

const kubectl = 'kubectl/v1.31.0 (linux/amd64) kubernetes/abc1234';

function candidate(over: Partial<AttributionCandidateView>): AttributionCandidateView {
  return {
    audit_id: 'a1',
    username: 'alice@example.com',
    groups: ['sre', 'system:authenticated'],
    impersonated_user: null,
    source_ips: ['198.51.100.7'],
    user_agent: kubectl,
    verb: 'get',
    subresource: 'exec',
    container: null,
    container_repeated: false,
    command: ['bash'],
    request_received_at: '2026-01-01T10:00:00.000Z',
    response_code: 101,
    decision: 'allow',
    decision_reason: 'RBAC: allowed',
    distance_ms: -300,
    status: 'success',
    ...over,
  };
}

const exact: AttributionView = {
  ...emptyAttributionView('exact', null, 'exec request by alice@example.com 0.3 s before the session start'),
  request_status: 'success',
  user: { username: 'alice@example.com', groups: ['sre', 'system:authenticated'] },
  source_ips: ['198.51.100.7'],
  user_agent: kubectl,
  request_received_at: '2026-01-01T10:00:00.000Z',
  verb: 'get',
  decision: 'allow',
  candidates: [candidate({})],
  candidates_total: 1,
};

const ambiguous: AttributionView = {
  ...emptyAttributionView('ambiguous', null, '2 requests fit this session; none is chosen'),
  candidates: [candidate({ audit_id: 'a1' }), candidate({ audit_id: 'a2', username: 'bob@example.com', source_ips: ['198.51.100.8'], distance_ms: 400 })],
  candidates_total: 2,
};

describe('verdict sentences', () => {
  it('names the user of an exact match, with the impersonated identity', () => {
    expect(verdictSentence(exact)).toBe('Requested by alice@example.com');
    expect(verdictSentence({ ...exact, impersonated_user: { username: 'deployer', groups: [] } })).toBe('Requested by alice@example.com as deployer');
  });

  it('counts the requests that fit an ambiguous session and picks none', () => {
    expect(verdictSentence(ambiguous)).toBe('2 requests fit this session; Execwatch does not pick one');
    expect(verdictSentence({ ...ambiguous, candidates_total: 5 })).toBe('5 requests fit this session; Execwatch does not pick one');
  });

  it.each([
    ['no_audit_events_from_cluster', 'No audit events have arrived from this cluster: is the audit webhook set up?'],
    ['refused_only', 'Only refused requests fit: none that was allowed started this session.'],
    ['no_matching_request', 'Audit events name this pod, but no exec request fits this session.'],
  ] as const)('says why there is no match: %s', (reason, sentence) => {
    expect(verdictSentence(emptyAttributionView('none', reason, 'server detail'))).toBe(sentence);
  });

  it('says an alert not attributed yet is waiting for audit events', () => {
    expect(verdictSentence(emptyAttributionView())).toBe("Not attributed yet: waiting for the apiserver's audit events");
  });

  it('falls back to the server detail when a none verdict comes without a reason', () => {
    expect(verdictSentence(emptyAttributionView('none', null, 'something odd'))).toBe('something odd');
  });
});

describe('the Requested by cell', () => {
  it('shows the username of an exact match and the detail as its tooltip', () => {
    expect(requestedByCell(exact)).toEqual({ text: 'alice@example.com', tooltip: 'exec request by alice@example.com 0.3 s before the session start' });
  });

  it('shows how many requests fit an ambiguous session', () => {
    expect(requestedByCell(ambiguous).text).toBe('ambiguous (2)');
    expect(requestedByCell({ ...ambiguous, candidates: ambiguous.candidates.slice(0, 1), candidates_total: 3 }).text).toBe('ambiguous (3)');
  });

  it('shows none and unknown with the reason in the tooltip', () => {
    expect(requestedByCell(emptyAttributionView('none', 'no_audit_events_for_pod', 'no audit events for pod default/web'))).toEqual({
      text: 'none',
      tooltip: 'no audit events for pod default/web',
    });
    expect(requestedByCell(emptyAttributionView('unknown', 'not_attributed_yet', null))).toEqual({
      text: 'unknown',
      tooltip: "Not attributed yet: waiting for the apiserver's audit events",
    });
  });
});

describe('the checklist answer to "who is responsible"', () => {
  it('finds the step in the guide', () => {
    expect(isResponsibleIdentityStep('Correlate the event with user activity logs to identify the user or service account responsible')).toBe(true);
    expect(isResponsibleIdentityStep('Review the container image')).toBe(false);
  });

  it('gives the Kubernetes identity of an exact match, without the groups everyone has', () => {
    expect(responsibleIdentityAnswer(exact)).toBe('Kubernetes: alice@example.com (sre) from 198.51.100.7 via kubectl/v1.31.0');
  });

  it('leaves out what the audit event did not record', () => {
    const bare: AttributionView = { ...exact, user: { username: 'system:serviceaccount:ci:gitlab-runner', groups: ['system:authenticated'] }, source_ips: [], user_agent: null };
    expect(responsibleIdentityAnswer(bare)).toBe('Kubernetes: system:serviceaccount:ci:gitlab-runner');
    expect(responsibleIdentityAnswer({ ...bare, impersonated_user: { username: 'admin', groups: [] } })).toBe('Kubernetes: system:serviceaccount:ci:gitlab-runner as admin');
  });

  it('names every candidate of an ambiguous session', () => {
    expect(responsibleIdentityAnswer(ambiguous)).toBe('2 requests fit this session; Execwatch does not pick one: alice@example.com, bob@example.com');
  });

  it('gives the verdict sentence without a match', () => {
    expect(responsibleIdentityAnswer(emptyAttributionView('none', 'no_audit_events_from_cluster', null))).toBe(
      'No audit events have arrived from this cluster: is the audit webhook set up?',
    );
  });
});

describe('small formatters', () => {
  it('shortens a user agent to the client and its version', () => {
    expect(clientName(kubectl)).toBe('kubectl/v1.31.0');
    expect(clientName('  ')).toBeNull();
    expect(clientName(null)).toBeNull();
  });

  it('keeps the groups that tell identities apart', () => {
    expect(tellingGroups(['system:authenticated', 'system:serviceaccounts', 'system:serviceaccounts:ci'])).toEqual(['system:serviceaccounts', 'system:serviceaccounts:ci']);
  });

  it('signs the offset to the session start', () => {
    expect(formatOffset(-300)).toBe('-300 ms');
    expect(formatOffset(1234)).toBe('+1.2 s');
    expect(formatOffset(0)).toBe('0 ms');
    expect(describeOffset(-300)).toBe('300 ms before the session start');
    expect(describeOffset(2000)).toBe('2.0 s after the session start');
  });

  it('describes a refused request', () => {
    expect(refusedLine(candidate({ username: 'mallory', source_ips: ['203.0.113.50'], response_code: 403, status: 'refused' }))).toBe('Refused: mallory from 203.0.113.50, 403');
    expect(refusedLine(candidate({ username: null, source_ips: [], response_code: null, decision: 'forbid', status: 'refused' }))).toBe('Refused: an unnamed user, forbidden');
  });
});
