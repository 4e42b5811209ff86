/** Query keys of one alert (detail, notes); the checklist and session features nest their keys under it. */
export const alertKeys = {
  all: ['alert'] as const,
  detail: (id: string) => [...alertKeys.all, id, 'detail'] as const,
  notes: (id: string) => [...alertKeys.all, id, 'notes'] as const,
  checklist: (id: string) => [...alertKeys.all, id, 'checklist'] as const,
  session: (id: string) => [...alertKeys.all, id, 'session'] as const,
};
