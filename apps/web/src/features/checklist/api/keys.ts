import { alertKeys } from '../../alert-flyout/api/keys';

/** Mutation keys of one alert's checklist; the query key itself is `alertKeys.checklist`. */
export const checklistMutationKeys = {
  updateStep: (alertId: string) => [...alertKeys.checklist(alertId), 'update-step'] as const,
};

/**
 * Saves of one alert's steps share a scope so they reach the server in the order they were made:
 * after a quick tick-untick the server ends on the untick, as the box does.
 */
export function checklistSaveScope(alertId: string): { id: string } {
  return { id: `checklist-save:${alertId}` };
}
