import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { ApiError, apiRequest } from '../../../lib/http';

/**
 * `GET /api/attack/techniques/{id}`: ATT&CK facts (tactic, description, mitigations, data sources)
 * served by the server from the reference data; the browser never bundles them.
 */
export const attackTechniqueSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable().optional(),
  tactics: z.array(z.string()).optional(),
  platforms: z.array(z.string()).optional(),
  url: z.string().optional(),
  mitigations: z.array(z.object({ id: z.string(), name: z.string(), description: z.string().optional() })).optional(),
  detection: z
    .array(z.object({ id: z.string(), data_source: z.string(), data_component: z.string().optional(), description: z.string().optional() }))
    .optional(),
});
export type AttackTechnique = z.infer<typeof attackTechniqueSchema>;

export const attackKeys = {
  all: ['attack'] as const,
  technique: (id: string) => [...attackKeys.all, 'technique', id] as const,
};

/** The technique's facts, or null when the server has none for it. */
export async function fetchAttackTechnique(id: string, signal?: AbortSignal): Promise<AttackTechnique | null> {
  try {
    return await apiRequest(`/api/attack/techniques/${encodeURIComponent(id)}`, attackTechniqueSchema, { signal });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** ATT&CK facts for one technique id (cached for the session: they do not change). */
export function useAttackTechniqueQuery(id: string) {
  return useQuery({ queryKey: attackKeys.technique(id), queryFn: ({ signal }) => fetchAttackTechnique(id, signal), staleTime: Infinity, retry: false });
}
