import { useCallback, useSyncExternalStore } from 'react';
import { hashKey, useQuery, useQueryClient } from '@tanstack/react-query';
import { checklistResponseSchema, type ChecklistResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { alertKeys } from '../../alert-flyout/api/keys';

/** `GET /api/alerts/{id}/checklist`. */
export function fetchChecklist(alertId: string, signal?: AbortSignal): Promise<ChecklistResponse> {
  return apiRequest(`/api/alerts/${encodeURIComponent(alertId)}/checklist`, checklistResponseSchema, { signal });
}

/** The alert's investigation checklist, from its rule's guide. */
export function useChecklistQuery(alertId: string) {
  return useQuery({ queryKey: alertKeys.checklist(alertId), queryFn: ({ signal }) => fetchChecklist(alertId, signal) });
}

/**
 * The alert's checklist as cached at this moment. `useQuery` hears of a cache write one task
 * later; a tick is written to the cache inside the click's own handler, and read this way the box
 * renders ticked before the click ends, instead of React first putting the controlled checkbox
 * back as it was for that task.
 */
export function useCachedChecklist(alertId: string): ChecklistResponse | undefined {
  const queryClient = useQueryClient();
  const hash = hashKey(alertKeys.checklist(alertId));
  const subscribe = useCallback(
    (onChange: () => void) =>
      queryClient.getQueryCache().subscribe((event) => {
        if (event.type === 'updated' && event.query.queryHash === hash) onChange();
      }),
    [queryClient, hash],
  );
  const read = useCallback(() => queryClient.getQueryData<ChecklistResponse>(alertKeys.checklist(alertId)), [queryClient, alertId]);
  return useSyncExternalStore(subscribe, read);
}
