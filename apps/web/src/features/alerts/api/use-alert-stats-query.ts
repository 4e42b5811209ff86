import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { alertStatsResponseSchema, type AlertStatsResponse } from '@execwatch/api';
import { apiRequest, withQuery } from '../../../lib/http';
import { toFilterQueryParams, type AlertsViewState } from '../alerts-view-state';
import { alertsKeys } from './keys';

/** `GET /api/alerts/_stats`: counts by status, the histogram and, when grouping, the groups. */
export function fetchAlertStats(view: AlertsViewState, signal?: AbortSignal): Promise<AlertStatsResponse> {
  const path = withQuery('/api/alerts/_stats', { ...toFilterQueryParams(view), group_by: view.groupBy, buckets: 48 });
  return apiRequest(path, alertStatsResponseSchema, { signal });
}

/**
 * Statistics for the view's filters. `enabled` lets the page ask for them only once the rows are
 * in: they cost the server more than a page of rows, and the rows are what the analyst waits for.
 */
export function useAlertStatsQuery(view: AlertsViewState, enabled = true) {
  return useQuery({
    enabled,
    queryKey: alertsKeys.stats(toFilterQueryParams(view), view.groupBy),
    queryFn: ({ signal }) => fetchAlertStats(view, signal),
    placeholderData: keepPreviousData,
    refetchInterval: view.refresh > 0 ? view.refresh : false,
  });
}
