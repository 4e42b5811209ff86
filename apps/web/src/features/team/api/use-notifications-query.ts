import { useQuery } from '@tanstack/react-query';
import { listNotificationsResponseSchema, type ListNotificationsResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { teamKeys } from './keys';

/** How often the inbox asks for news while the app is open. */
export const INBOX_REFRESH_MS = 15_000;

/** `GET /api/notifications`: the caller's inbox, newest first. */
export function fetchNotifications(signal?: AbortSignal): Promise<ListNotificationsResponse> {
  return apiRequest('/api/notifications?size=50', listNotificationsResponseSchema, { signal });
}

/** The caller's inbox, refreshed in the background and when the window regains focus. */
export function useNotificationsQuery() {
  return useQuery({ queryKey: teamKeys.notifications(), queryFn: ({ signal }) => fetchNotifications(signal), refetchInterval: INBOX_REFRESH_MS, refetchOnWindowFocus: true });
}
