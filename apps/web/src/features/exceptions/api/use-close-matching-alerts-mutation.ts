import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BulkUpdateAlertsResponse } from '@execwatch/api';
import { bulkUpdateAlerts } from '../../alerts/api/use-bulk-update-alerts-mutation';

/** Closes alerts as false positives (`POST /api/alerts/_bulk_update`); alerts lacking required checklist steps come back as skipped. */
export function closeAlertsAsFalsePositive(ids: string[]): Promise<BulkUpdateAlertsResponse> {
  return bulkUpdateAlerts({ ids, status: 'closed', reason: 'false_positive', reason_text: 'Matched by a new exception' });
}

/** Closes the alerts an exception matches and refreshes every alert view. */
export function useCloseMatchingAlertsMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: closeAlertsAsFalsePositive,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['alerts'] });
      await queryClient.invalidateQueries({ queryKey: ['alert'] });
    },
  });
}
