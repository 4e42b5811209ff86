/**
 * The authorization matrix: every route of the real app x every role (and anonymous) against the policy table.
 * A route the app serves without a policy entry fails here, and so does a route whose guard disagrees with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ability, Role } from '@execwatch/api';
import { createApp } from '../app';
import { silentLogger } from '../log';
import { startTestServer, type TestServer } from '../testing/test-server';
import { routePolicies } from '../api-routes';
import type { RoutePolicy } from '../http/route';
import { abilitiesFor } from './policy';
import { servedRoutes } from './testing/route-inventory';

const INGEST = { username: 'matrix-ingest', password: 'ingest-password-1' };
const ADMIN2 = { username: 'matrix-admin', password: 'admin-password-12' };

type Caller = 'anonymous' | Role;
const callers: Caller[] = ['anonymous', 'viewer', 'analyst', 'admin', 'ingest'];

const SAMPLE_PARAMS: Record<string, string> = {
  id: 'no-such-alert',
  rule_id: 'no-such-rule',
  step_id: 'no-such-step',
  username: 'no-such-user',
  index: 'logs-matrix-default',
};

const concretePath = (pattern: string) => pattern.replace(/:([A-Za-z_]+)/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x');

function expectation(policy: RoutePolicy, caller: Caller): 'allowed' | 401 | 403 {
  if (policy.requires === 'public') return 'allowed';
  if (caller === 'anonymous') return 401;
  if (policy.requires === 'authenticated') return 'allowed';
  // Any other requirement is an ability (RouteRequirement = 'public' | 'authenticated' | Ability).
  return abilitiesFor([caller])[policy.requires as Ability] ? 'allowed' : 403;
}

describe('authorization matrix', () => {
  let srv: TestServer;
  let served: { method: string; path: string }[];

  beforeAll(async () => {
    srv = await startTestServer();
    await srv.auth.ensureUser({ ...INGEST, roles: ['ingest'] });
    await srv.auth.ensureUser({ ...ADMIN2, roles: ['admin'] });
    // A second instance of the same app, never listening: only its route table is read.
    const app = createApp({ store: srv.store, log: silentLogger, now: srv.clock.now, auth: srv.auth, services: srv.services, webDist: null, scheduling: false });
    served = servedRoutes(app);
  });
  afterAll(() => srv.close());

  const headersFor = (caller: Caller): Record<string, string> => {
    switch (caller) {
      case 'anonymous':
        return {};
      case 'ingest':
        return { authorization: `Basic ${Buffer.from(`${INGEST.username}:${INGEST.password}`).toString('base64')}` };
      case 'admin':
        return { authorization: `Basic ${Buffer.from(`${ADMIN2.username}:${ADMIN2.password}`).toString('base64')}` };
      default:
        return { authorization: srv.authHeader(caller) };
    }
  };

  it('has a policy entry for every route the app serves', () => {
    const missing = served.filter((r) => !routePolicies.some((p) => p.method === r.method && p.path === r.path));
    expect(missing).toEqual([]);
  });

  it('serves every route the policy table names', () => {
    const stale = routePolicies.filter((p) => !served.some((r) => r.method === p.method && r.path === p.path));
    expect(stale).toEqual([]);
  });

  it('answers every route for every role as the policy table says, never with a 5xx', async () => {
    const mismatches: string[] = [];
    for (const policy of routePolicies) {
      if (!served.some((r) => r.method === policy.method && r.path === policy.path)) continue;
      for (const caller of callers) {
        const res = await fetch(`${srv.url}${concretePath(policy.path)}`, {
          method: policy.method,
          headers: { ...headersFor(caller), ...(policy.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
          ...(policy.method === 'GET' ? {} : { body: policy.path.endsWith('_bulk') ? '' : '{}' }),
        });
        const text = await res.text();
        const want = expectation(policy, caller);
        const label = `${policy.method} ${policy.path} as ${caller}: ${res.status}`;
        if (res.status >= 500) mismatches.push(`${label} (server error) ${text.slice(0, 200)}`);
        else if (want === 'allowed' && (res.status === 401 || res.status === 403)) mismatches.push(`${label}, expected access`);
        else if (want !== 'allowed' && res.status !== want) mismatches.push(`${label}, expected ${want}`);
        else if (want === 403 && !text.includes(String(policy.requires))) mismatches.push(`${label}, the 403 does not name [${policy.requires}]`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
