import { useQuery } from '@tanstack/react-query';
// The ATT&CK facts are a dependency-free data module of the rules package (no node imports); it is
// loaded lazily so it stays out of the first page's JavaScript.
import type { AttackTechnique } from '../../../../../../packages/rules/src/attack';

export type { AttackTechnique };

export const attackKeys = {
  all: ['attack'] as const,
  technique: (id: string) => [...attackKeys.all, 'technique', id] as const,
};

/** The technique's facts (tactics, description, mitigations, data sources), or null when none are bundled. */
export async function loadAttackTechnique(id: string): Promise<AttackTechnique | null> {
  const { attackTechnique } = await import('../../../../../../packages/rules/src/attack');
  return attackTechnique(id);
}

/** ATT&CK facts for one technique id (they never change while the page is open). */
export function useAttackTechniqueQuery(id: string) {
  return useQuery({ queryKey: attackKeys.technique(id), queryFn: () => loadAttackTechnique(id), staleTime: Infinity });
}
