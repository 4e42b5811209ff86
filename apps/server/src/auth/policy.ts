/**
 * The policy table: which abilities each role grants, and which ability each route requires.
 * The server decides every request from this table; the UI receives the resulting abilities.
 */
import type { Abilities, Ability, Role } from '@execwatch/api';

const none: Abilities = {
  'alerts:read': false,
  'alerts:triage': false,
  'exceptions:read': false,
  'exceptions:write': false,
  'rules:read': false,
  'rules:write': false,
  'users:manage': false,
  'audit:read': false,
  ingest: false,
};

const viewer: Abilities = { ...none, 'alerts:read': true, 'exceptions:read': true, 'rules:read': true };
const analyst: Abilities = { ...viewer, 'alerts:triage': true };
// Admins hold every ability, ingest included: like a Kibana superuser they may also write data.
const admin: Abilities = {
  'alerts:read': true,
  'alerts:triage': true,
  'exceptions:read': true,
  'exceptions:write': true,
  'rules:read': true,
  'rules:write': true,
  'users:manage': true,
  'audit:read': true,
  ingest: true,
};
const ingest: Abilities = { ...none, ingest: true };

export const roleAbilities: Readonly<Record<Role, Readonly<Abilities>>> = { viewer, analyst, admin, ingest };

/** What a route needs: nothing (`public`), any signed-in user (`authenticated`), or one ability. */
export type RouteRequirement = 'public' | 'authenticated' | Ability;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RoutePolicy {
  method: HttpMethod;
  /** Express path pattern, as mounted. */
  path: string;
  requires: RouteRequirement;
}

const route = (method: HttpMethod, path: string, requires: RouteRequirement): RoutePolicy => ({ method, path, requires });

/** Every route the server serves. A route missing here fails the authorization matrix test. */
export const routePolicies: readonly RoutePolicy[] = [
  route('GET', '/api/health', 'public'),

  // sign-in, identity, keys
  route('POST', '/api/auth/login', 'public'),
  route('POST', '/api/auth/logout', 'public'),
  route('GET', '/api/auth/me', 'authenticated'),
  route('POST', '/api/security/api_key', 'authenticated'),
  route('GET', '/api/security/api_key', 'authenticated'),
  route('DELETE', '/api/security/api_key', 'authenticated'),
  route('GET', '/api/users', 'users:manage'),
  route('POST', '/api/users', 'users:manage'),
  route('PATCH', '/api/users/:username', 'users:manage'),
  route('GET', '/api/audit', 'audit:read'),
  route('GET', '/api/audit/_export', 'audit:read'),

  // ingest (Elasticsearch bulk API)
  route('POST', '/_bulk', 'ingest'),
  route('POST', '/:index/_bulk', 'ingest'),

  // alerts and triage
  route('GET', '/api/alerts', 'alerts:read'),
  route('GET', '/api/alerts/_stats', 'alerts:read'),
  route('POST', '/api/alerts/_bulk_update', 'alerts:triage'),
  route('GET', '/api/alerts/:id', 'alerts:read'),
  route('PATCH', '/api/alerts/:id', 'alerts:triage'),
  route('GET', '/api/alerts/:id/session', 'alerts:read'),
  route('GET', '/api/alerts/:id/checklist', 'alerts:read'),
  route('PUT', '/api/alerts/:id/checklist/:step_id', 'alerts:triage'),
  route('GET', '/api/alerts/:id/notes', 'alerts:read'),
  route('POST', '/api/alerts/:id/notes', 'alerts:triage'),
  route('GET', '/api/events/_related', 'alerts:read'),

  // rules
  route('GET', '/api/rules', 'rules:read'),
  route('GET', '/api/rules/:rule_id', 'rules:read'),
  route('PATCH', '/api/rules/:rule_id', 'rules:write'),
  route('POST', '/api/rules/:rule_id/_run', 'rules:write'),
  route('GET', '/api/rules/:rule_id/executions', 'rules:read'),

  // exceptions (Kibana's exception-list API)
  route('POST', '/api/exception_lists', 'exceptions:write'),
  route('GET', '/api/exception_lists', 'exceptions:read'),
  route('PUT', '/api/exception_lists', 'exceptions:write'),
  route('DELETE', '/api/exception_lists', 'exceptions:write'),
  route('GET', '/api/exception_lists/_find', 'exceptions:read'),
  route('POST', '/api/exception_lists/_export', 'exceptions:read'),
  route('POST', '/api/exception_lists/_import', 'exceptions:write'),
  route('POST', '/api/exception_lists/items', 'exceptions:write'),
  route('PUT', '/api/exception_lists/items', 'exceptions:write'),
  route('GET', '/api/exception_lists/items', 'exceptions:read'),
  route('DELETE', '/api/exception_lists/items', 'exceptions:write'),
  route('GET', '/api/exception_lists/items/_find', 'exceptions:read'),
  route('POST', '/api/exception_lists/items/_preview', 'exceptions:read'),
  route('GET', '/api/exception_lists/items/_stale', 'exceptions:read'),
  route('GET', '/api/exception_lists/_settings', 'exceptions:read'),
  // Governance of exceptions (e.g. "expiry mandatory") is an administrator's setting.
  route('PUT', '/api/exception_lists/_settings', 'users:manage'),
];

/** The union of the abilities of `roles`. */
export function abilitiesFor(roles: readonly Role[]): Abilities {
  const result: Abilities = { ...none };
  for (const role of roles) {
    const granted = roleAbilities[role];
    if (!granted) continue;
    // Object.keys widens to string[]; the keys of an Abilities object are abilities.
    for (const ability of Object.keys(granted) as Ability[]) {
      if (granted[ability]) result[ability] = true;
    }
  }
  return result;
}

/** The policy entry for a method and a route pattern, or undefined when the table has none. */
export function routePolicyFor(method: string, path: string): RoutePolicy | undefined {
  return routePolicies.find((p) => p.method === method.toUpperCase() && p.path === path);
}

/** The declarative policy, exported whole for the authorization matrix test. */
export const policy = { roles: roleAbilities, routes: routePolicies, abilitiesFor, routeFor: routePolicyFor } as const;
