import type { QueryClient } from '@tanstack/react-query';
import { alertKeys } from '../../alert-flyout/api/keys';
import { fetchAlert } from '../../alert-flyout/api/use-alert-query';
import { parseAlertsViewState, toFilterQueryParams } from '../alerts-view-state';
import { alertsKeys } from './keys';
import { fetchAlerts } from './use-alerts-query';

/**
 * Starts loading the alert list (and the alert open in the flyout) for the URL being opened while the app is
 * still checking who is logged in, so the first rows do not wait for that round trip. Without a session it just
 * fails quietly and the page fetches again after login.
 */
export function prefetchAlertsForLocation(queryClient: QueryClient, location: Location): void {
  if (location.pathname !== '/alerts' && location.pathname !== '/') return;
  const view = parseAlertsViewState(new URLSearchParams(location.search));
  void queryClient.prefetchQuery({
    queryKey: alertsKeys.list({ filter: toFilterQueryParams(view), sortField: view.sortField, sortOrder: view.sortOrder, page: view.page, size: view.size }),
    queryFn: ({ signal }) => fetchAlerts(view, signal),
  });
  // A link to an open alert: its flyout opens with the page, so its detail is asked for at once too.
  const alertId = view.alert;
  if (alertId) void queryClient.prefetchQuery({ queryKey: alertKeys.detail(alertId), queryFn: ({ signal }) => fetchAlert(alertId, signal) });
}
