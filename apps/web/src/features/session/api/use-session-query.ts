import { useQuery } from '@tanstack/react-query';
import { sessionResponseSchema, type SessionResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { alertKeys } from '../../alert-flyout/api/keys';

/** `GET /api/alerts/{id}/session`. */
export function fetchSession(alertId: string, signal?: AbortSignal): Promise<SessionResponse> {
  return apiRequest(`/api/alerts/${encodeURIComponent(alertId)}/session`, sessionResponseSchema, { signal });
}

/** The processes of the alert's session. */
export function useSessionQuery(alertId: string) {
  return useQuery({ queryKey: alertKeys.session(alertId), queryFn: ({ signal }) => fetchSession(alertId, signal) });
}
