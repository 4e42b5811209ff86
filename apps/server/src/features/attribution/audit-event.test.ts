import { describe, expect, it } from 'vitest';
import { AuditEventListError, isRawAuditEvent, microTimeMs, parseEventList, toIntegrationDoc, type RawAuditEvent } from './audit-event';

const execEvent = {
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: '0f6b2c59-0d0e-4b7b-9d4c-1f2d3e4a5b6c',
  stage: 'ResponseStarted',
  requestURI: '/api/v1/namespaces/prod/pods/web-1/exec?command=sh&container=app&stdin=true&stdout=true&tty=true',
  verb: 'get',
  user: { username: 'alice@example.com', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: {} },
  impersonatedUser: { username: 'system:serviceaccount:prod:deployer', groups: ['system:serviceaccounts'] },
  sourceIPs: ['203.0.113.7', '10.0.0.2'],
  userAgent: 'kubectl/v1.31.0 (linux/amd64) kubernetes/abc',
  objectRef: { resource: 'pods', namespace: 'prod', name: 'web-1', apiGroup: '', apiVersion: 'v1', subresource: 'exec' },
  responseStatus: { metadata: {}, code: 101 },
  requestReceivedTimestamp: '2025-03-04T06:22:18.819232Z',
  stageTimestamp: '2025-03-04T06:22:18.901002Z',
  annotations: {
    'authorization.k8s.io/decision': 'allow',
    'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "exec/prod" of Role "exec" to User "alice@example.com"',
    'pod-security.kubernetes.io/enforce-policy': 'restricted:latest',
    'apiserver.latency.k8s.io/total': '',
  },
};

const list = (items: unknown) => ({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

function throwsListError(body: unknown): AuditEventListError {
  try {
    parseEventList(body);
  } catch (e) {
    if (e instanceof AuditEventListError) return e;
    throw e;
  }
  throw new Error('expected an AuditEventListError');
}

describe('microTimeMs', () => {
  it.each<[string, number | null]>([
    ['2025-03-04T06:22:18.819232Z', Date.UTC(2025, 2, 4, 6, 22, 18) + 819.232],
    ['2025-03-04T06:22:18Z', Date.UTC(2025, 2, 4, 6, 22, 18)],
    ['2025-03-04T06:22:18.123456789Z', Date.UTC(2025, 2, 4, 6, 22, 18) + 123.456789],
    ['2025-03-04T08:22:18+02:00', Date.UTC(2025, 2, 4, 6, 22, 18)],
    ['2025-03-04T06:22:18', null],
    ['2025-02-30T00:00:00Z', null],
    ['2025-13-01T00:00:00Z', null],
    ['yesterday', null],
    ['', null],
  ])('%s', (text, expected) => {
    const got = microTimeMs(text);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 3);
  });
});

describe('parseEventList', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['null', null, 'not_an_object', /got null/],
    ['a string', 'EventList', 'not_an_object', /got a string/],
    ['an array', [execEvent], 'not_an_object', /got an array/],
    ['a single Event', execEvent, 'wrong_kind', /expected kind "EventList", got "Event"/],
    ['no kind', { items: [] }, 'wrong_kind', /expected kind "EventList", got nothing/],
    ['v1beta1', { ...list([]), apiVersion: 'audit.k8s.io/v1beta1' }, 'wrong_api_version', /--audit-webhook-version=audit\.k8s\.io\/v1/],
    ['items an object', list({ 0: execEvent }), 'items_not_an_array', /items to be an array, got an object/],
    ['items a string', list('x'), 'items_not_an_array', /got a string/],
  ])('rejects %s', (_name, body, code, message) => {
    const error = throwsListError(body);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.name).toBe('AuditEventListError');
  });

  it('reads an empty list, and items: null as one', () => {
    expect(parseEventList(list([]))).toEqual({ events: [], errors: [] });
    expect(parseEventList(list(null))).toEqual({ events: [], errors: [] });
    expect(parseEventList({ kind: 'EventList', items: [execEvent] }).events).toHaveLength(1);
  });

  it('keeps every good item and reports every bad one by index', () => {
    const { auditID: _a, ...noAuditID } = execEvent;
    const { stage: _s, ...noStage } = execEvent;
    const { requestReceivedTimestamp: _r, ...noTime } = execEvent;
    const { verb: _v, ...noVerb } = execEvent;
    const { requestURI: _u, ...noUri } = execEvent;
    const { objectRef: _o, ...healthz } = { ...execEvent, requestURI: '/healthz', verb: 'get', auditID: 'h-1' };
    const items = [
      execEvent,
      noAuditID,
      null,
      noStage,
      { ...execEvent, stage: 'Done' },
      noTime,
      { ...execEvent, requestReceivedTimestamp: '04/03/2025 06:22' },
      { ...execEvent, stageTimestamp: 'later' },
      noVerb,
      noUri,
      healthz,
      { ...execEvent, kind: 'Pod' },
      { ...execEvent, auditID: '' },
      { ...execEvent, responseStatus: { code: '101' } },
      'text',
      { ...execEvent, auditID: 'last' },
    ];
    const { events, errors } = parseEventList(list(items));
    expect(events.map((e) => e.auditID)).toEqual([execEvent.auditID, 'h-1', 'last']);
    expect(events[1]?.objectRef).toBeUndefined();
    expect(errors).toEqual([
      { index: 1, reason: 'auditID: required' },
      { index: 2, reason: 'expected an audit Event object, got null' },
      { index: 3, reason: 'stage: required' },
      { index: 4, reason: 'stage: must be one of RequestReceived, ResponseStarted, ResponseComplete, Panic' },
      { index: 5, reason: 'requestReceivedTimestamp: required' },
      { index: 6, reason: 'requestReceivedTimestamp: not an RFC 3339 time' },
      { index: 7, reason: 'stageTimestamp: not an RFC 3339 time' },
      { index: 8, reason: 'verb: required' },
      { index: 9, reason: 'requestURI: required' },
      { index: 11, reason: 'kind: must be "Event"' },
      { index: 12, reason: 'auditID: must not be empty' },
      { index: 13, reason: 'responseStatus.code: must be a number' },
      { index: 14, reason: 'expected an audit Event object, got a string' },
    ]);
  });

  it('lists several problems of one item in one reason', () => {
    const { errors } = parseEventList(list([{ kind: 'Event' }]));
    expect(errors[0]?.reason).toBe('auditID: required; stage: required; requestURI: required; verb: required; requestReceivedTimestamp: required');
  });

  it('keeps unknown fields', () => {
    const { events } = parseEventList(list([{ ...execEvent, futureField: { a: 1 } }]));
    expect(events[0]?.futureField).toEqual({ a: 1 });
  });

  it('reads 10 000 items quickly', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => (i % 100 === 99 ? { ...execEvent, verb: 7 } : { ...execEvent, auditID: `id-${i}` }));
    const started = performance.now();
    const { events, errors } = parseEventList(list(items));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(events).toHaveLength(9_900);
    expect(errors).toHaveLength(100);
    expect(errors[0]).toEqual({ index: 99, reason: 'verb: must be a string' });
  });
});

describe('isRawAuditEvent', () => {
  it.each<[string, unknown, boolean]>([
    ['a raw event', execEvent, true],
    ['an integration document', toIntegrationDoc(execEvent as RawAuditEvent, '2025-03-04T06:22:20Z'), false],
    ['a raw event that already has @timestamp', { ...execEvent, '@timestamp': '2025-03-04T06:22:18Z' }, false],
    ['an EventList', list([execEvent]), false],
    ['another kind', { ...execEvent, kind: 'Pod' }, false],
    ['no requestReceivedTimestamp', { kind: 'Event' }, false],
    ['null', null, false],
    ['an array', [execEvent], false],
  ])('%s -> %s', (_name, doc, expected) => {
    expect(isRawAuditEvent(doc)).toBe(expected);
  });
});

describe('toIntegrationDoc', () => {
  const raw = parseEventList(list([execEvent])).events[0] as RawAuditEvent; // parsed above

  it('maps an event as the kubernetes.audit_logs pipeline does', () => {
    const doc = toIntegrationDoc(raw, '2025-03-04T06:22:20.000Z', { cluster: 'prod-eu' });
    expect(doc).toEqual({
      '@timestamp': '2025-03-04T06:22:18.819232Z',
      event: { kind: 'event', dataset: 'kubernetes.audit_logs', action: 'get', outcome: 'success', ingested: '2025-03-04T06:22:20.000Z' },
      kubernetes: {
        audit: {
          kind: 'Event',
          apiVersion: 'audit.k8s.io/v1',
          level: 'Metadata',
          auditID: execEvent.auditID,
          stage: 'ResponseStarted',
          requestURI: execEvent.requestURI,
          verb: 'get',
          user: { username: 'alice@example.com', uid: 'u-1', groups: ['devs', 'system:authenticated'] },
          impersonatedUser: { username: 'system:serviceaccount:prod:deployer', groups: ['system:serviceaccounts'] },
          sourceIPs: ['203.0.113.7', '10.0.0.2'],
          userAgent: execEvent.userAgent,
          objectRef: { resource: 'pods', namespace: 'prod', name: 'web-1', apiVersion: 'v1', subresource: 'exec' },
          responseStatus: { code: 101 },
          requestReceivedTimestamp: '2025-03-04T06:22:18.819232Z',
          stageTimestamp: '2025-03-04T06:22:18.901002Z',
          annotations: {
            'authorization_k8s_io/decision': 'allow',
            'authorization_k8s_io/reason': execEvent.annotations['authorization.k8s.io/reason'],
            'pod-security_kubernetes_io/enforce-policy': 'restricted:latest',
          },
        },
      },
      user: { name: 'alice@example.com', id: 'u-1' },
      user_agent: { original: execEvent.userAgent },
      source: { ip: ['203.0.113.7', '10.0.0.2'] },
      client: { ip: ['203.0.113.7', '10.0.0.2'] },
      orchestrator: {
        type: 'kubernetes',
        api_version: 'audit.k8s.io/v1',
        namespace: 'prod',
        resource: { name: 'web-1', type: 'pods' },
        cluster: { name: 'prod-eu' },
      },
      related: { ip: ['203.0.113.7', '10.0.0.2'], user: ['u-1', 'alice@example.com', 'system:serviceaccount:prod:deployer'] },
    });
  });

  it('does not change the raw event', () => {
    const before = structuredClone(raw);
    toIntegrationDoc(raw, '2025-03-04T06:22:20Z');
    expect(raw).toEqual(before);
  });

  it('takes the outcome from the decision first, then from the response code', () => {
    const outcome = (patch: Partial<RawAuditEvent>) =>
      (toIntegrationDoc({ ...raw, ...patch }, 'now').event as { outcome?: string }).outcome;
    expect(outcome({ annotations: { 'authorization.k8s.io/decision': 'forbid' }, responseStatus: { code: 403 } })).toBe('failure');
    // the pipeline trusts the decision even when the request failed later
    expect(outcome({ annotations: { 'authorization.k8s.io/decision': 'allow' }, responseStatus: { code: 500 } })).toBe('success');
    expect(outcome({ annotations: undefined, responseStatus: { code: 403 } })).toBe('failure');
    expect(outcome({ annotations: undefined, responseStatus: { code: 200 } })).toBe('success');
    expect(outcome({ annotations: undefined, responseStatus: undefined })).toBeUndefined();
  });

  it('keeps an event without objectRef and fills kind and apiVersion left out of a webhook item', () => {
    const { kind: _k, apiVersion: _v, objectRef: _o, ...rest } = raw;
    const doc = toIntegrationDoc({ ...rest, requestURI: '/healthz' }, 'now');
    const audit = (doc.kubernetes as { audit: Record<string, unknown> }).audit;
    expect(audit.kind).toBe('Event');
    expect(audit.apiVersion).toBe('audit.k8s.io/v1');
    expect(audit.objectRef).toBeUndefined();
    expect(doc.orchestrator).toEqual({ type: 'kubernetes', api_version: 'audit.k8s.io/v1' });
  });

  it('leaves source.ip out when an address is not an IP, and drops request/response object metadata', () => {
    const doc = toIntegrationDoc(
      {
        ...raw,
        sourceIPs: ['203.0.113.7', 'not-an-ip'],
        requestObject: { metadata: { name: 'x' }, spec: { ephemeralContainers: [{ name: 'debugger' }] } },
        responseObject: { metadata: { uid: 'y' }, kind: 'Pod' },
      },
      'now',
    );
    expect(doc.source).toBeUndefined();
    expect(doc.client).toBeUndefined();
    expect((doc.related as { ip?: string[] }).ip).toBeUndefined();
    const audit = (doc.kubernetes as { audit: Record<string, unknown> }).audit;
    expect(audit.requestObject).toEqual({ spec: { ephemeralContainers: [{ name: 'debugger' }] } });
    expect(audit.responseObject).toEqual({ kind: 'Pod' });
  });
});
