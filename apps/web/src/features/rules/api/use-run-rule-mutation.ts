import { useMutation, useQueryClient } from '@tanstack/react-query';
import { executionSchema, type Execution, type RunRule } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { rulesKeys } from './keys';

/** `POST /api/rules/{rule_id}/_run`: runs the rule now and answers its execution record. */
export function runRule(ruleId: string, body: RunRule): Promise<Execution> {
  return apiRequest(`/api/rules/${encodeURIComponent(ruleId)}/_run`, executionSchema, { method: 'POST', body });
}

/** "Run now": refreshes executions, the rule and the alert lists afterwards. */
export function useRunRuleMutation(ruleId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RunRule) => runRule(ruleId, body),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: rulesKeys.all });
      await queryClient.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
}
