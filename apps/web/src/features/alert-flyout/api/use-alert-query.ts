import { useQuery } from '@tanstack/react-query';
import { alertDetailSchema, type AlertDetail } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { alertKeys } from './keys';

/** `GET /api/alerts/{id}`. */
export function fetchAlert(id: string, signal?: AbortSignal): Promise<AlertDetail> {
  return apiRequest(`/api/alerts/${encodeURIComponent(id)}`, alertDetailSchema, { signal });
}

/** One alert with its whole document. */
export function useAlertQuery(id: string) {
  return useQuery({ queryKey: alertKeys.detail(id), queryFn: ({ signal }) => fetchAlert(id, signal) });
}
