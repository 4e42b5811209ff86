import { createContext, useContext } from 'react';
import type { Ability, MeResponse } from '@execwatch/api';

export const MeContext = createContext<MeResponse | null>(null);

/** The logged-in user; only used below the auth gate. */
export function useMe(): MeResponse {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe used outside the auth gate');
  return me;
}

const abilityExplanations: Record<Ability, string> = {
  'alerts:read': 'reading alerts',
  'alerts:triage': 'triaging alerts (status, assignees, checklist, notes)',
  'exceptions:read': 'reading exceptions',
  'exceptions:write': 'adding or editing exceptions',
  'rules:read': 'reading rules',
  'rules:write': 'changing or running rules',
  'users:manage': 'managing users',
  'audit:read': 'reading the audit log',
  ingest: 'ingesting events',
};

/** Whether the user may do `ability`, and if not, the tooltip that says why. */
export function useAbility(ability: Ability): { allowed: boolean; reason: string | undefined } {
  const me = useMe();
  const allowed = me.abilities[ability];
  const roles = me.user.roles.join(', ');
  return {
    allowed,
    reason: allowed ? undefined : `Your role (${roles}) does not allow ${abilityExplanations[ability]}. Ask an administrator.`,
  };
}
