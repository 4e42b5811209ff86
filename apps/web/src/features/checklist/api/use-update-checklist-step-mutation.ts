import { useCallback } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ChecklistResponse, UpdateChecklistStep } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { alertKeys } from '../../alert-flyout/api/keys';
import { useMe } from '../../auth/components/abilities-context';
import { checklistStepSaveOptions } from './checklist-step-save';
import { findStep, type StepState } from './step-changes';

/**
 * Ticks, unticks or annotates steps of one alert's checklist (optimistically, see
 * `checklistStepSaveOptions`). `toggleStep` flips the step from its state as last shown, not
 * from the click's checkbox value: before React re-renders, a quick second click still sees the
 * box as it was before the first, and would save the same value twice.
 */
export function useUpdateChecklistStepMutation(alertId: string) {
  const queryClient = useQueryClient();
  const me = useMe();
  const toast = useToast();
  const mutation = useMutation(checklistStepSaveOptions(queryClient, alertId, { user: me.user.username, toast }));
  const { mutate } = mutation;

  const save = useCallback(
    (stepId: string, change: (step: StepState) => UpdateChecklistStep) => {
      const step = findStep(queryClient.getQueryData<ChecklistResponse>(alertKeys.checklist(alertId)), stepId);
      if (step) mutate({ stepId, body: change(step) });
    },
    [queryClient, alertId, mutate],
  );
  const toggleStep = useCallback(
    (stepId: string, note: string | undefined) => save(stepId, (step) => ({ done: !step.done, ...(note !== undefined ? { note } : {}) })),
    [save],
  );
  const saveNote = useCallback(
    (stepId: string, note: string | undefined) => save(stepId, (step) => ({ done: step.done, ...(note !== undefined ? { note } : {}) })),
    [save],
  );
  return { ...mutation, toggleStep, saveNote };
}
