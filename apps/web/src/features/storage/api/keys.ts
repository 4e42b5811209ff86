/** Query keys of the storage feature. */
export const storageKeys = {
  all: ['storage'] as const,
  stats: () => [...storageKeys.all, 'stats'] as const,
};
