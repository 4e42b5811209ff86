/** Query keys of the rules feature. */
export const rulesKeys = {
  all: ['rules'] as const,
  list: () => [...rulesKeys.all, 'list'] as const,
  detail: (ruleId: string) => [...rulesKeys.all, 'detail', ruleId] as const,
  executions: (ruleId: string) => [...rulesKeys.all, 'executions', ruleId] as const,
};
