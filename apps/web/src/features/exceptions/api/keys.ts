/** Query keys of the exceptions feature. */
export const exceptionsKeys = {
  all: ['exceptions'] as const,
  lists: () => [...exceptionsKeys.all, 'lists'] as const,
  stats: () => [...exceptionsKeys.all, 'stats'] as const,
  item: (id: string) => [...exceptionsKeys.all, 'item', id] as const,
  settings: () => [...exceptionsKeys.all, 'settings'] as const,
  preview: (body: unknown) => [...exceptionsKeys.all, 'preview', body] as const,
};
