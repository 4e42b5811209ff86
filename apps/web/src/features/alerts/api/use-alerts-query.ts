import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { listAlertsResponseSchema, type ListAlertsResponse } from '@execwatch/api';
import { apiRequest, withQuery } from '../../../lib/http';
import { toFilterQueryParams, type AlertsViewState } from '../alerts-view-state';
import { alertsKeys } from './keys';

/** `GET /api/alerts` for a view. */
export function fetchAlerts(view: AlertsViewState, signal?: AbortSignal): Promise<ListAlertsResponse> {
  const path = withQuery('/api/alerts', {
    ...toFilterQueryParams(view),
    sort_field: view.sortField,
    sort_order: view.sortOrder,
    page: view.page,
    size: view.size,
  });
  return apiRequest(path, listAlertsResponseSchema, { signal });
}

/** The cache key of a view's page of alerts. */
export function alertsListKey(view: AlertsViewState) {
  return alertsKeys.list({
    filter: toFilterQueryParams(view),
    sortField: view.sortField,
    sortOrder: view.sortOrder,
    page: view.page,
    size: view.size,
  });
}

/** The page of alerts the view shows; keeps the previous page on screen while the next loads. */
export function useAlertsQuery(view: AlertsViewState) {
  return useQuery({
    queryKey: alertsListKey(view),
    queryFn: ({ signal }) => fetchAlerts(view, signal),
    placeholderData: keepPreviousData,
    refetchInterval: view.refresh > 0 ? view.refresh : false,
  });
}
