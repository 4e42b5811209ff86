import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { ChecklistResponse, UpdateChecklistStep } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { alertKeys } from '../../alert-flyout/api/keys';

/** `PUT /api/alerts/{id}/checklist/{step_id}`. */
export async function updateChecklistStep(alertId: string, stepId: string, body: UpdateChecklistStep): Promise<void> {
  await apiRequest(`/api/alerts/${encodeURIComponent(alertId)}/checklist/${encodeURIComponent(stepId)}`, z.unknown(), { method: 'PUT', body });
}

/** Ticks or unticks a step (optimistically), then refreshes the checklist and the row's progress. */
export function useUpdateChecklistStepMutation(alertId: string) {
  const queryClient = useQueryClient();
  const key = alertKeys.checklist(alertId);
  return useMutation({
    mutationFn: ({ stepId, body }: { stepId: string; body: UpdateChecklistStep }) => updateChecklistStep(alertId, stepId, body),
    onMutate: async ({ stepId, body }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<ChecklistResponse>(key);
      if (before) {
        queryClient.setQueryData<ChecklistResponse>(key, {
          ...before,
          groups: before.groups.map((g) => ({
            ...g,
            steps: g.steps.map((s) => (s.id === stepId ? { ...s, done: body.done, note: body.note ?? s.note } : s)),
          })),
        });
      }
      return { before };
    },
    onError: (_err, _vars, context) => {
      if (context?.before) queryClient.setQueryData(key, context.before);
    },
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: key });
      await queryClient.invalidateQueries({ queryKey: alertKeys.detail(alertId) });
      await queryClient.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
}
