/** Stored audit documents for tests: one request's stages in the integration's shape, around a session start. */
import { toIntegrationDoc, type AuditStage, type RawAuditEvent } from './audit-event';
import type { ExecTarget } from './join';

export const START = Date.UTC(2025, 2, 4, 6, 22, 20, 0);
export const iso = (offsetMs: number): string => new Date(START + offsetMs).toISOString();

export const target: ExecTarget = {
  cluster: 'prod-eu',
  namespace: 'prod',
  pod: 'web-1',
  container: 'app',
  entryArgs: ['sh', '-c', 'echo hi'],
  entryStart: START,
};

export interface RequestSpec {
  id: string;
  /** requestReceivedTimestamp - START, ms */
  at?: number;
  verb?: string;
  subresource?: 'exec' | 'attach' | 'ephemeralcontainers' | 'log';
  command?: string[];
  container?: string | null;
  user?: string;
  code?: number;
  decision?: 'allow' | 'forbid';
  stages?: AuditStage[];
  pod?: string;
  cluster?: string;
  requestObject?: unknown;
  uri?: string;
}

/** The stored documents of one request, one per stage; the code shows up from ResponseStarted on. */
export function request(spec: RequestSpec): Record<string, unknown>[] {
  const sub = spec.subresource ?? 'exec';
  const pod = spec.pod ?? 'web-1';
  const params = new URLSearchParams();
  if (sub === 'exec') for (const c of spec.command ?? target.entryArgs) params.append('command', c);
  const container = spec.container === undefined ? 'app' : spec.container;
  if (container !== null && sub !== 'ephemeralcontainers') params.append('container', container);
  if (sub !== 'ephemeralcontainers') for (const p of ['stdin', 'stdout', 'tty']) params.append(p, 'true');
  const uri = spec.uri ?? `/api/v1/namespaces/prod/pods/${pod}/${sub}?${params.toString()}`;
  const stages = spec.stages ?? ['RequestReceived', 'ResponseStarted', 'ResponseComplete'];
  const code = spec.code ?? (sub === 'ephemeralcontainers' ? 200 : 101);
  return stages.map((stage) => {
    const raw: RawAuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Request',
      auditID: spec.id,
      stage,
      requestURI: uri,
      verb: spec.verb ?? (sub === 'ephemeralcontainers' ? 'patch' : 'create'),
      user: { username: spec.user ?? 'alice', groups: ['devs', 'system:authenticated'] },
      sourceIPs: ['203.0.113.7'],
      userAgent: 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625',
      objectRef: { resource: 'pods', namespace: 'prod', name: pod, apiVersion: 'v1', subresource: sub },
      requestReceivedTimestamp: iso(spec.at ?? -300),
      stageTimestamp: iso((spec.at ?? -300) + 5),
      ...(spec.requestObject !== undefined ? { requestObject: spec.requestObject } : {}),
      ...(stage === 'RequestReceived'
        ? {}
        : {
            responseStatus: { metadata: {}, code },
            annotations: {
              'authorization.k8s.io/decision': spec.decision ?? (code === 403 ? 'forbid' : 'allow'),
              'authorization.k8s.io/reason': spec.decision === 'forbid' || code === 403 ? '' : 'RBAC: allowed by RoleBinding "exec/prod"',
            },
          }),
    };
    return toIntegrationDoc(raw, iso(1000), { cluster: spec.cluster ?? 'prod-eu' });
  });
}

export const docs = (...specs: RequestSpec[]) => specs.flatMap(request);
