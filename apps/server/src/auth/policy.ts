/**
 * Which abilities each role grants. Each route declares the ability it requires (`http/route.ts`); the table
 * of routes is read from the declarations (`api-routes.ts`). The UI receives the resulting abilities.
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

/** The declarative policy of roles, exported whole for the authorization tests. */
export const policy = { roles: roleAbilities, abilitiesFor } as const;
