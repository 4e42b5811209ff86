import { mutationOptions, type QueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { AlertDetail, ChecklistProgress, ChecklistResponse, ListAlertsResponse, UpdateChecklistStep } from '@execwatch/api';
import { apiRequest, errorMessage } from '../../../lib/http';
import { alertKeys } from '../../alert-flyout/api/keys';
import { alertsKeys } from '../../alerts/api/keys';
import { checklistMutationKeys, checklistSaveScope } from './keys';
import { expectedStepState, findStep, stepLabel, withStepState, type StepState } from './step-changes';

/** `PUT /api/alerts/{id}/checklist/{step_id}`. */
export async function updateChecklistStep(alertId: string, stepId: string, body: UpdateChecklistStep): Promise<void> {
  await apiRequest(`/api/alerts/${encodeURIComponent(alertId)}/checklist/${encodeURIComponent(stepId)}`, z.unknown(), { method: 'PUT', body });
}

export interface ChecklistStepSave {
  stepId: string;
  body: UpdateChecklistStep;
}

/** What a save needs to undo itself: the step's state before it, and its text for the error toast. */
interface SaveContext {
  text: string;
  previous: StepState;
}

/** What the save needs from around it; the app's `useToast()` is a `toast`. */
export interface SaveEffects {
  /** Shown as the one who ticked, until the server's answer replaces it. */
  user: string;
  toast: (toast: { title: string; text: string; color: 'danger' }) => void;
  now?: () => Date;
}

function isSaveOf(stepId: string, variables: unknown): boolean {
  return typeof variables === 'object' && variables !== null && 'stepId' in variables && variables.stepId === stepId;
}

function isSaveContext(value: unknown): value is SaveContext {
  return typeof value === 'object' && value !== null && 'previous' in value && 'text' in value;
}

function withRowProgress(list: ListAlertsResponse | undefined, alertId: string, progress: ChecklistProgress): ListAlertsResponse | undefined {
  if (!list?.alerts.some((a) => a.id === alertId)) return list;
  return { ...list, alerts: list.alerts.map((a) => (a.id === alertId ? { ...a, checklist: progress } : a)) };
}

/**
 * Saving one step of an alert's checklist, optimistically: the cached checklist, the alert's
 * progress and its row in the alert lists change as soon as the save starts; a failed save puts
 * the step back and toasts its name; the last save of the checklist to settle refreshes all three.
 */
export function checklistStepSaveOptions(queryClient: QueryClient, alertId: string, effects: SaveEffects) {
  const checklistKey = alertKeys.checklist(alertId);
  const detailKey = alertKeys.detail(alertId);
  const mutationKey = checklistMutationKeys.updateStep(alertId);
  const now = effects.now ?? (() => new Date());

  const showStep = (stepId: string, state: StepState) => {
    const checklist = queryClient.getQueryData<ChecklistResponse>(checklistKey);
    if (!checklist || !findStep(checklist, stepId)) return;
    const next = withStepState(checklist, stepId, state);
    queryClient.setQueryData<ChecklistResponse>(checklistKey, next);
    queryClient.setQueryData<AlertDetail>(detailKey, (alert) => (alert ? { ...alert, checklist: next.progress } : alert));
    queryClient.setQueriesData<ListAlertsResponse>({ queryKey: alertsKeys.lists() }, (list) => withRowProgress(list, alertId, next.progress));
  };

  /** Saves of the step still pending other than the one with `context`, oldest first. */
  const otherPendingSaves = (stepId: string, context: SaveContext | undefined) =>
    queryClient
      .getMutationCache()
      .findAll({ mutationKey, status: 'pending', predicate: (m) => isSaveOf(stepId, m.state.variables) && m.state.context !== context });

  return mutationOptions({
    mutationKey,
    scope: checklistSaveScope(alertId),
    mutationFn: ({ stepId, body }: ChecklistStepSave) => updateChecklistStep(alertId, stepId, body),
    onMutate: async ({ stepId, body }): Promise<SaveContext | undefined> => {
      // Cancelling takes effect at once (only the returned promise settles later), so the cache can be
      // written before awaiting: the box then flips in the click's own task, and no refetch that was
      // already under way can answer afterwards with the step as it was.
      const hasData = { predicate: (q: { state: { data: unknown } }) => q.state.data !== undefined };
      const cancelled = Promise.all([
        queryClient.cancelQueries({ queryKey: checklistKey, ...hasData }),
        queryClient.cancelQueries({ queryKey: detailKey, ...hasData }),
        queryClient.cancelQueries({ queryKey: alertsKeys.lists(), ...hasData }),
      ]);
      const step = findStep(queryClient.getQueryData<ChecklistResponse>(checklistKey), stepId);
      let context: SaveContext | undefined;
      if (step) {
        context = { text: step.text, previous: { done: step.done, done_by: step.done_by, done_at: step.done_at, note: step.note } };
        showStep(stepId, expectedStepState(step, body, effects.user, now()));
      }
      await cancelled;
      return context;
    },
    onError: (error, { stepId }, context) => {
      // Saves of a checklist run in order, so a pending one is a later one: the box already shows what
      // the user wants last, and that save reports for itself. Should it fail too, what the server
      // still has is what this save would have put back, not this save's value.
      const next = otherPendingSaves(stepId, context)[0];
      if (next) {
        if (context && isSaveContext(next.state.context)) next.state.context.previous = context.previous;
        return;
      }
      if (context) showStep(stepId, context.previous);
      const name = stepLabel(context?.text ?? findStep(queryClient.getQueryData<ChecklistResponse>(checklistKey), stepId)?.text ?? stepId);
      const shownAgain = context ? ` The step is shown as ${context.previous.done ? 'done' : 'not done'} again.` : '';
      effects.toast({ title: `Not saved: "${name}"`, text: `${errorMessage(error)}${shownAgain}`, color: 'danger' });
    },
    onSettled: async () => {
      // This save still counts as pending here. While another save of the checklist is on its way, a
      // refetch would answer without it and flip its box back until the next one.
      if (queryClient.isMutating({ mutationKey }) > 1) return;
      void queryClient.invalidateQueries({ queryKey: alertsKeys.all });
      await Promise.all([queryClient.invalidateQueries({ queryKey: checklistKey }), queryClient.invalidateQueries({ queryKey: detailKey })]);
    },
  });
}
