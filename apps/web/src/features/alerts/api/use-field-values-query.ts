import { useQuery } from '@tanstack/react-query';
import type { AlertGroupField } from '@execwatch/api';
import { toFilterQueryParams, type AlertsViewState } from '../alerts-view-state';
import { fetchAlertStats } from './use-alert-stats-query';
import { alertsKeys } from './keys';

/** The view's list behind each field a filter drop-down offers values of. */
export const ownFilter = { namespace: 'namespace', image: 'image', user: 'user', requested_by: 'requestedBy' } as const satisfies Partial<Record<AlertGroupField, keyof AlertsViewState>>;

/**
 * The view a drop-down's values are counted in: every active filter (time, query, field filters, the other
 * drop-downs) except the drop-down's own, so its options are what the others leave and choosing one adds to them.
 */
export function fieldValuesScope(field: AlertGroupField, view: AlertsViewState): AlertsViewState {
  const own = field in ownFilter ? ownFilter[field as keyof typeof ownFilter] : null; // narrowed by the `in` check
  return { ...view, ...(own ? { [own]: [] } : {}), groupBy: field, page: 1 };
}

/** Values of one field among the alerts the other filters select (for a filter's options), fetched when the control is opened. */
export function useFieldValuesQuery(field: AlertGroupField, view: AlertsViewState, enabled: boolean) {
  const scope = fieldValuesScope(field, view);
  return useQuery({
    queryKey: [...alertsKeys.all, 'values', field, toFilterQueryParams(scope)] as const,
    queryFn: async ({ signal }) => {
      const stats = await fetchAlertStats(scope, signal);
      return (stats.groups ?? []).filter((g) => g.key !== null).map((g) => ({ value: g.key ?? '', count: g.count }));
    },
    enabled,
    staleTime: 30_000,
  });
}
