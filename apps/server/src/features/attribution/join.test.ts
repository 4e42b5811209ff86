import { describe, expect, it } from 'vitest';
import { docs, iso, request, target } from './audit-fixtures';
import { attribute, commandFits, type Attribution } from './join';

function exactOf(result: Attribution) {
  expect(result.match).toBe('exact');
  if (result.match !== 'exact') throw new Error('not exact');
  return result.candidates[0];
}

describe('attribute: verbs and subresources', () => {
  it.each([
    ['create (SPDY, older kubectl)', 'create'],
    ['get (WebSocket, kubectl 1.30+)', 'get'],
  ])('an exec by %s is an exact match', (_name, verb) => {
    const c = exactOf(attribute(target, docs({ id: 'a', verb })));
    expect(c).toMatchObject({ auditID: 'a', verb, subresource: 'exec', username: 'alice', status: 'success', responseCode: 101, distanceMs: -300 });
  });

  it.each(['list', 'delete', 'patch'])('an exec by %s is not a session', (verb) => {
    const result = attribute(target, docs({ id: 'a', verb }));
    expect(result).toMatchObject({ match: 'none', reason: 'no_matching_request', failures: { verb: 1 } });
  });

  it.each(['patch', 'update'])('an ephemeralcontainers %s (kubectl debug) answered 2xx is an exact match', (verb) => {
    const c = exactOf(attribute({ ...target, container: 'debugger-x7k2', entryArgs: ['sh'] }, docs({ id: 'd', subresource: 'ephemeralcontainers', verb, at: -20_000 })));
    expect(c).toMatchObject({ subresource: 'ephemeralcontainers', status: 'success', responseCode: 200, container: null, command: [] });
  });

  it('an ephemeralcontainers create or 101 does not fit', () => {
    expect(attribute(target, docs({ id: 'd', subresource: 'ephemeralcontainers', verb: 'create' })).match).toBe('none');
    expect(attribute(target, docs({ id: 'd', subresource: 'ephemeralcontainers', code: 101 }))).toMatchObject({ match: 'none', failures: { response: 1 } });
  });

  it('an ephemeral container named in the recorded body must be the alert container', () => {
    const body = { spec: { ephemeralContainers: [{ name: 'debugger-x7k2', image: 'busybox' }] } };
    const debugTarget = { ...target, container: 'debugger-x7k2' };
    expect(attribute(debugTarget, docs({ id: 'd', subresource: 'ephemeralcontainers', requestObject: body })).match).toBe('exact');
    const other = attribute({ ...target, container: 'app' }, docs({ id: 'd', subresource: 'ephemeralcontainers', requestObject: body }));
    expect(other).toMatchObject({ match: 'none', failures: { container: 1 } });
    const jsonPatch = [{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'debugger-x7k2' } }];
    expect(attribute(debugTarget, docs({ id: 'd', subresource: 'ephemeralcontainers', requestObject: jsonPatch })).match).toBe('exact');
  });

  it('other pod subresources are not sessions', () => {
    const result = attribute(target, docs({ id: 'l', subresource: 'log', verb: 'get', code: 200 }));
    expect(result).toMatchObject({ match: 'none', reason: 'no_matching_request', failures: { subresource: 1 } });
    expect(result.detail).toBe('1 audited request to this pod, none an exec, attach or ephemeral-container request');
  });

  it('an attach (kubectl run -it) fits without a command, also after the start', () => {
    const c = exactOf(attribute(target, docs({ id: 't', subresource: 'attach', at: 3000 })));
    expect(c).toMatchObject({ subresource: 'attach', command: [], container: 'app', distanceMs: 3000 });
  });

  it('an exec that fits wins over an attach that fits: an attach starts no process', () => {
    const c = exactOf(attribute(target, docs({ id: 'e', at: -200 }, { id: 't', subresource: 'attach', at: 100, user: 'bob' })));
    expect(c.auditID).toBe('e');
  });
});

describe('attribute: stages', () => {
  it('merges the stages of one request by auditID', () => {
    const result = attribute(target, docs({ id: 'a', stages: ['RequestReceived', 'ResponseStarted', 'ResponseComplete'] }));
    const c = exactOf(result);
    expect(result.candidates).toHaveLength(1);
    expect(c).toMatchObject({ status: 'success', responseCode: 101, decision: 'allow', authorizationReason: 'RBAC: allowed by RoleBinding "exec/prod"' });
  });

  it('merges stages whatever order they arrive in', () => {
    const [received, started, complete] = request({ id: 'a' });
    const c = exactOf(attribute(target, [complete, received, started]));
    expect(c.responseCode).toBe(101);
  });

  it('a request seen only at RequestReceived is a pending exact match', () => {
    const c = exactOf(attribute(target, docs({ id: 'a', stages: ['RequestReceived'] })));
    expect(c).toMatchObject({ status: 'pending', responseCode: null, decision: null });
  });

  it('a pending request and a completed one are two candidates', () => {
    const result = attribute(target, docs({ id: 'a', stages: ['RequestReceived'], at: -100 }, { id: 'b', at: -400, user: 'bob' }));
    expect(result.match).toBe('ambiguous');
    expect(result.candidates.map((c) => [c.auditID, c.status])).toEqual([
      ['a', 'pending'],
      ['b', 'success'],
    ]);
  });

  it('a Panic after the upgrade does not undo a started session', () => {
    const c = exactOf(attribute(target, docs({ id: 'a', stages: ['ResponseStarted'] }, { id: 'a', stages: ['Panic'], code: 500 })));
    expect(c).toMatchObject({ status: 'success', responseCode: 101 });
  });

  it('an exec answered 200 is no started session', () => {
    expect(attribute(target, docs({ id: 'a', code: 200 }))).toMatchObject({ match: 'none', reason: 'no_matching_request', failures: { response: 1 } });
  });

  it('one auditID sent by a client for two requests (Audit-ID header) is two requests', () => {
    const result = attribute(target, docs({ id: 'same', at: -100 }, { id: 'same', at: -900, user: 'mallory' }));
    expect(result.match).toBe('ambiguous');
    expect(result.candidates.map((c) => c.username)).toEqual(['alice', 'mallory']);
  });
});

describe('attribute: container', () => {
  it.each<[string, string | undefined, string | null, Attribution['match']]>([
    ['equal', 'app', 'app', 'exact'],
    ['different', 'app', 'sidecar', 'none'],
    ['absent on the alert', undefined, 'sidecar', 'exact'],
    ['absent in the request', 'app', null, 'exact'],
    ['absent on both', undefined, null, 'exact'],
  ])('%s', (_name, alertContainer, requestContainer, match) => {
    const result = attribute({ ...target, container: alertContainer }, docs({ id: 'a', container: requestContainer }));
    expect(result.match).toBe(match);
    if (match === 'none') expect(result).toMatchObject({ failures: { container: 1 } });
  });

  it('a repeated container parameter is read as the apiserver does (the first) and flagged', () => {
    const uri = '/api/v1/namespaces/prod/pods/web-1/exec?command=sh&command=-c&command=echo+hi&container=app&container=sidecar';
    const c = exactOf(attribute(target, docs({ id: 'a', uri })));
    expect(c).toMatchObject({ container: 'app', containerRepeated: true });
    expect(attribute({ ...target, container: 'sidecar' }, docs({ id: 'a', uri })).match).toBe('none');
  });
});

describe('attribute: command', () => {
  it('a different command does not fit', () => {
    const result = attribute(target, docs({ id: 'a', command: ['sh', '-c', 'echo bye'] }, { id: 'b', command: ['bash'] }));
    expect(result).toMatchObject({ match: 'none', reason: 'no_matching_request', failures: { command: 2 } });
    expect(result.detail).toBe('2 exec requests to this pod, none running "sh -c echo hi"');
  });

  it.each<[string[], string[], boolean]>([
    [['/bin/bash'], ['bash'], true],
    [['bash'], ['/bin/bash'], true],
    [['/bin/bash', '-l'], ['/usr/bin/bash', '-l'], true],
    [['bash', '-l'], ['bash', '-i'], false],
    [['/bin/bash'], ['/bin/sh'], false],
    [['sh', '-c', 'ls'], ['sh', '-c'], false],
    [['sh'], ['sh', '-c', 'ls'], false],
    [['sh', '/tmp/x'], ['sh', 'x'], false],
    [['sh'], [], true],
    [[], ['sh'], false],
  ])('commandFits(%j, %j) is %s', (requested, entry, fits) => {
    expect(commandFits(requested, entry)).toBe(fits);
  });

  it('the first argument may differ in directory only', () => {
    const c = exactOf(attribute({ ...target, entryArgs: ['bash'] }, docs({ id: 'a', command: ['/bin/bash'] })));
    expect(c.command).toEqual(['/bin/bash']);
  });
});

describe('attribute: time window', () => {
  it.each<[number, Attribution['match']]>([
    [-10_000, 'exact'],
    [-10_001, 'none'],
    [0, 'exact'],
    [2_000, 'exact'],
    [2_001, 'none'],
  ])('an exec %i ms from the session start -> %s', (at, match) => {
    expect(attribute(target, docs({ id: 'a', at })).match).toBe(match);
  });

  it('says how the requests missed', () => {
    const result = attribute(target, docs({ id: 'a', at: -60_000 }, { id: 'b', at: 30_000 }));
    expect(result).toMatchObject({ match: 'none', reason: 'no_matching_request', failures: { time: 2 } });
    expect(result.detail).toBe('2 exec requests to this pod, none from 10 s before to 2 s after the session start');
  });

  it('windows are configurable per subresource', () => {
    const windows = { exec: { beforeMs: 60_000 } };
    expect(attribute(target, docs({ id: 'a', at: -59_000 }), { windows }).match).toBe('exact');
    expect(attribute(target, docs({ id: 'a', at: 2_500 }), { windows }).match).toBe('none');
  });

  it('kubectl debug: the patch may come a minute before the container starts', () => {
    const debugTarget = { ...target, container: 'debugger-x7k2', entryArgs: ['sh'] };
    expect(attribute(debugTarget, docs({ id: 'd', subresource: 'ephemeralcontainers', at: -60_000 })).match).toBe('exact');
    expect(attribute(debugTarget, docs({ id: 'd', subresource: 'ephemeralcontainers', at: -60_001 })).match).toBe('none');
  });

  it('a request without a readable time does not fit', () => {
    const [doc] = request({ id: 'a', stages: ['ResponseComplete'] });
    const broken = structuredClone(doc) as { kubernetes: { audit: Record<string, unknown> } };
    broken.kubernetes.audit.requestReceivedTimestamp = 'soon';
    expect(attribute(target, [broken])).toMatchObject({ match: 'none', failures: { time: 1 } });
  });
});

describe('attribute: refused', () => {
  it('only refused requests fit: refused_only, with the attempts listed', () => {
    const result = attribute(target, docs({ id: 'r1', code: 403, user: 'mallory', at: -200 }, { id: 'r2', code: 403, user: 'mallory', at: -900 }));
    expect(result).toMatchObject({ match: 'none', reason: 'refused_only', candidates: [] });
    expect(result.refused.map((c) => [c.auditID, c.status, c.responseCode, c.decision])).toEqual([
      ['r1', 'refused', 403, 'forbid'],
      ['r2', 'refused', 403, 'forbid'],
    ]);
  });

  it('a forbid decision refuses whatever the code, and any code >= 400 refuses', () => {
    expect(attribute(target, docs({ id: 'a', decision: 'forbid', code: 101 })).match).toBe('none');
    expect(attribute(target, docs({ id: 'a', code: 500 }))).toMatchObject({ reason: 'refused_only' });
    expect(attribute(target, docs({ id: 'a', code: 400, verb: 'get' }))).toMatchObject({ reason: 'refused_only' });
  });

  it('a refused attempt next to the session is listed but never chosen', () => {
    const result = attribute(target, docs({ id: 'r', code: 403, user: 'mallory', at: -50 }, { id: 'ok', at: -800 }));
    expect(exactOf(result).auditID).toBe('ok');
    expect(result.refused.map((c) => c.auditID)).toEqual(['r']);
  });

  it('a refused request that does not fit is not listed', () => {
    const result = attribute(target, docs({ id: 'r', code: 403, at: -50, command: ['bash'] }));
    expect(result).toMatchObject({ match: 'none', reason: 'no_matching_request', refused: [] });
  });
});

describe('attribute: ambiguity', () => {
  it('two people within seconds: ambiguous, both returned nearest first', () => {
    const result = attribute(target, docs({ id: 'far', user: 'bob', at: -4000 }, { id: 'near', user: 'alice', at: -300 }));
    expect(result.match).toBe('ambiguous');
    expect(result.candidates.map((c) => [c.auditID, c.username, c.distanceMs])).toEqual([
      ['near', 'alice', -300],
      ['far', 'bob', -4000],
    ]);
    expect(result.detail).toBe('2 requests fit this session; none is chosen');
  });

  it('two requests of one person are still ambiguous', () => {
    expect(attribute(target, docs({ id: 'a', at: -300 }, { id: 'b', at: -1300 })).match).toBe('ambiguous');
  });

  it('two requests that both fit but one is further away in time stay ambiguous', () => {
    const result = attribute(target, docs({ id: 'a', at: 1 }, { id: 'b', at: -9_999 }));
    expect(result.candidates.map((c) => c.auditID)).toEqual(['a', 'b']);
  });
});

describe('attribute: no events', () => {
  it('no documents at all: no_audit_events_for_pod', () => {
    expect(attribute(target, [])).toMatchObject({ match: 'none', reason: 'no_audit_events_for_pod', detail: 'no audit events for pod prod/web-1' });
  });

  it('documents of other pods, other clusters and non-audit documents do not count', () => {
    const others = [...docs({ id: 'x', pod: 'web-2' }, { id: 'y', cluster: 'staging' }), { '@timestamp': iso(0), message: 'hello' }];
    expect(attribute(target, others)).toMatchObject({ match: 'none', reason: 'no_audit_events_for_pod' });
  });

  it('an alert without a cluster name matches documents of any cluster', () => {
    const { cluster: _c, ...noCluster } = target;
    expect(attribute(noCluster, docs({ id: 'y', cluster: 'staging' })).match).toBe('exact');
  });

  it('the caller says the cluster has sent no audit events: no_audit_events_from_cluster', () => {
    expect(attribute(target, [], { clusterHasAuditEvents: false })).toMatchObject({
      match: 'none',
      reason: 'no_audit_events_from_cluster',
      detail: 'no audit events have been received from cluster "prod-eu"',
    });
    expect(attribute(target, [], { clusterHasAuditEvents: true }).match).toBe('none');
    expect(attribute(target, [], { clusterHasAuditEvents: true })).toMatchObject({ reason: 'no_audit_events_for_pod' });
  });

  it('documents for the pod win over the flag', () => {
    expect(attribute(target, docs({ id: 'a' }), { clusterHasAuditEvents: false }).match).toBe('exact');
  });
});

describe('attribute: document shapes', () => {
  it('reads documents with dotted keys and Kubernetes-named annotations', () => {
    const flat = {
      '@timestamp': iso(-300),
      'kubernetes.audit.auditID': 'flat-1',
      'kubernetes.audit.stage': 'ResponseComplete',
      'kubernetes.audit.verb': 'get',
      'kubernetes.audit.requestURI': '/api/v1/namespaces/prod/pods/web-1/exec?command=sh&command=-c&command=echo%20hi&container=app',
      'kubernetes.audit.user.username': 'carol',
      'kubernetes.audit.user.groups': ['ops'],
      'kubernetes.audit.objectRef.resource': 'pods',
      'kubernetes.audit.objectRef.subresource': 'exec',
      'kubernetes.audit.objectRef.namespace': 'prod',
      'kubernetes.audit.objectRef.name': 'web-1',
      'kubernetes.audit.responseStatus.code': 101,
      'kubernetes.audit.requestReceivedTimestamp': iso(-300),
      kubernetes: { audit: { annotations: { authorization: { k8s: { 'io/decision': 'allow' } } } } },
    };
    const c = exactOf(attribute(target, [flat]));
    expect(c).toMatchObject({ auditID: 'flat-1', username: 'carol', groups: ['ops'], decision: 'allow', responseCode: 101 });
  });

  it('a request without objectRef is read from its requestURI', () => {
    const [doc] = request({ id: 'a', stages: ['ResponseComplete'] });
    const noRef = structuredClone(doc) as { kubernetes: { audit: Record<string, unknown> } };
    delete noRef.kubernetes.audit.objectRef;
    const c = exactOf(attribute(target, [noRef]));
    expect(c.objectRef).toEqual({ resource: 'pods', subresource: 'exec', namespace: 'prod', name: 'web-1' });
  });

  it('an exec whose requestURI cannot be read does not fit', () => {
    const result = attribute(target, docs({ id: 'a', uri: '/api/v1/namespaces/prod/pods/web-1/exec?command=%zz' }));
    expect(result).toMatchObject({ match: 'none', failures: { request_uri: 1 } });
  });

  it('carries the impersonated user and the source addresses', () => {
    const [doc] = request({ id: 'a', stages: ['ResponseComplete'] });
    const withImp = structuredClone(doc) as { kubernetes: { audit: Record<string, unknown> } };
    withImp.kubernetes.audit.impersonatedUser = { username: 'system:serviceaccount:prod:deployer', groups: ['system:serviceaccounts'] };
    withImp.kubernetes.audit.sourceIPs = ['203.0.113.7', '10.0.0.2'];
    const c = exactOf(attribute(target, [withImp]));
    expect(c.impersonatedUser).toEqual({ username: 'system:serviceaccount:prod:deployer', groups: ['system:serviceaccounts'] });
    expect(c.sourceIPs).toEqual(['203.0.113.7', '10.0.0.2']);
    expect(c.userAgent).toBe('kubectl/v1.29.3 (linux/amd64) kubernetes/6813625');
    expect(c.requestReceivedTimestamp).toBe(iso(-300));
  });
});
