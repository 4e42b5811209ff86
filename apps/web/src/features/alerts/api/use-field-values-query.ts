import { useQuery } from '@tanstack/react-query';
import type { AlertGroupField } from '@execwatch/api';
import type { AlertsViewState } from '../alerts-view-state';
import { fetchAlertStats } from './use-alert-stats-query';
import { alertsKeys } from './keys';

/** Values of one field among the alerts in range (for a filter's options), fetched when the control is opened. */
export function useFieldValuesQuery(field: AlertGroupField, view: AlertsViewState, enabled: boolean) {
  const scope: AlertsViewState = { ...view, namespace: [], image: [], user: [], requestedBy: [], attribution: [], minSessionRisk: null, query: '', fields: {}, groupBy: field };
  return useQuery({
    queryKey: [...alertsKeys.all, 'values', field, scope.from, scope.to, scope.status] as const,
    queryFn: async ({ signal }) => {
      const stats = await fetchAlertStats(scope, signal);
      return (stats.groups ?? []).filter((g) => g.key !== null).map((g) => ({ value: g.key ?? '', count: g.count }));
    },
    enabled,
    staleTime: 30_000,
  });
}
