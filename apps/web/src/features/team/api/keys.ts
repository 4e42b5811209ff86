/** Query keys of team work: user suggestions for the assignee picker, the caller's inbox. */
export const teamKeys = {
  all: ['team'] as const,
  suggestions: (q: string) => [...teamKeys.all, 'suggest', q] as const,
  notifications: () => [...teamKeys.all, 'notifications'] as const,
};
