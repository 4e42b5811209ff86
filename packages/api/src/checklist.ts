import { z } from 'zod';

export const checklistGroupKindSchema = z.enum(['investigation', 'false_positive', 'response']);
export type ChecklistGroupKind = z.infer<typeof checklistGroupKindSchema>;

export const checklistStepSchema = z.object({
  id: z.string(),
  text: z.string(),
  required: z.boolean(),
  /** ECS fields the step names, with the alert's values for them. */
  fields: z.array(z.object({ field: z.string(), values: z.array(z.string()) })),
  done: z.boolean(),
  done_by: z.string().nullable(),
  done_at: z.string().nullable(),
  note: z.string().nullable(),
  /** The step only restates the rule's own match conditions and the alert's fields meet them: done without a tick. */
  auto_checked: z.boolean(),
  /** For such a step, each condition the rule requires and the alert's values that meet it. */
  evidence: z.array(z.object({ field: z.string(), condition: z.string(), values: z.array(z.string()) })),
});
export type ChecklistStep = z.infer<typeof checklistStepSchema>;

export const checklistResponseSchema = z.object({
  groups: z.array(
    z.object({ id: z.string(), kind: checklistGroupKindSchema, title: z.string(), steps: z.array(checklistStepSchema) }),
  ),
  progress: z.object({ done: z.number().int(), total: z.number().int(), required_remaining: z.number().int() }),
});
export type ChecklistResponse = z.infer<typeof checklistResponseSchema>;

/** `PUT /api/alerts/{id}/checklist/{step_id}` */
export const updateChecklistStepSchema = z
  .object({ done: z.boolean(), note: z.string().max(5000).optional() })
  .strict();
export type UpdateChecklistStep = z.infer<typeof updateChecklistStepSchema>;
