import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ruleSchema, type Rule, type UpdateRule } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { rulesKeys } from './keys';

/** `PATCH /api/rules/{rule_id}` (enable/disable, schedule, required steps). */
export function updateRule(ruleId: string, patch: UpdateRule): Promise<Rule> {
  return apiRequest(`/api/rules/${encodeURIComponent(ruleId)}`, ruleSchema, { method: 'PATCH', body: patch });
}

/** Changes a rule and refreshes the rule caches. */
export function useUpdateRuleMutation(ruleId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateRule) => updateRule(ruleId, patch),
    onSuccess: (rule) => queryClient.setQueryData(rulesKeys.detail(ruleId), rule),
    onSettled: () => queryClient.invalidateQueries({ queryKey: rulesKeys.all }),
  });
}
