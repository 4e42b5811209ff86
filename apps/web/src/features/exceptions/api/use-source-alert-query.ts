import { useQuery } from '@tanstack/react-query';
import { alertKeys } from '../../alert-flyout/api/keys';
import { fetchAlert } from '../../alert-flyout/api/use-alert-query';

/** The alert an exception is added from (shares the alert flyout's cache entry); idle without an id. */
export function useSourceAlertQuery(alertId: string | undefined) {
  return useQuery({
    queryKey: alertKeys.detail(alertId ?? ''),
    queryFn: ({ signal }) => fetchAlert(alertId ?? '', signal),
    enabled: alertId !== undefined && alertId !== '',
  });
}
