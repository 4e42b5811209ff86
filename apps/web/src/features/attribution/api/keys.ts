/** Query keys of the attribution feature. */
export const attributionKeys = {
  all: ['attribution'] as const,
  feedHealth: () => [...attributionKeys.all, 'feed-health'] as const,
};
