import { useQuery } from '@tanstack/react-query';
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
