import type { ChecklistProgress, ChecklistResponse, ChecklistStep } from '@execwatch/api';

/** The part of a step a save changes; what a failed save puts back. */
export type StepState = Pick<ChecklistStep, 'done' | 'done_by' | 'done_at' | 'note'>;

/** Progress as the server counts it: steps done, and required steps not done. */
export function checklistProgress(groups: ChecklistResponse['groups']): ChecklistProgress {
  let done = 0;
  let total = 0;
  let requiredRemaining = 0;
  for (const group of groups) {
    for (const step of group.steps) {
      total++;
      if (step.done) done++;
      else if (step.required) requiredRemaining++;
    }
  }
  return { done, total, required_remaining: requiredRemaining };
}

/** The step with that id, if the checklist has it. */
export function findStep(checklist: ChecklistResponse | undefined, stepId: string): ChecklistStep | undefined {
  if (!checklist) return undefined;
  for (const group of checklist.groups) {
    const step = group.steps.find((s) => s.id === stepId);
    if (step) return step;
  }
  return undefined;
}

/** The checklist with one step's state replaced and its progress counted again. */
export function withStepState(checklist: ChecklistResponse, stepId: string, state: StepState): ChecklistResponse {
  const groups = checklist.groups.map((group) =>
    group.steps.some((s) => s.id === stepId) ? { ...group, steps: group.steps.map((s) => (s.id === stepId ? { ...s, ...state } : s)) } : group,
  );
  return { groups, progress: checklistProgress(groups) };
}

/**
 * The state the server will store for a save, as far as the client can tell ahead of it:
 * a ticked step is the user's as of now, an unticked one nobody's, and a missing note keeps the old one.
 */
export function expectedStepState(step: StepState, change: { done: boolean; note?: string }, user: string, now: Date): StepState {
  return {
    done: change.done,
    done_by: change.done ? user : null,
    done_at: change.done ? now.toISOString() : null,
    note: change.note ?? step.note,
  };
}

/** A step's text short enough for a toast title. */
export function stepLabel(text: string, max = 80): string {
  const plain = text.replace(/\s+/g, ' ').trim();
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.]+$/, '')}…`;
}
