import type { AlertGroupField } from '@execwatch/api';
import type { AlertsViewState } from '../alerts-view-state';

type ListParams = Pick<AlertsViewState, 'sortField' | 'sortOrder' | 'page' | 'size'> & { filter: Record<string, unknown> };

/** Query keys of the alert list and its statistics. */
export const alertsKeys = {
  all: ['alerts'] as const,
  lists: () => [...alertsKeys.all, 'list'] as const,
  list: (params: ListParams) => [...alertsKeys.lists(), params] as const,
  stats: (filter: Record<string, unknown>, groupBy: AlertGroupField | null) => [...alertsKeys.all, 'stats', filter, groupBy] as const,
};
