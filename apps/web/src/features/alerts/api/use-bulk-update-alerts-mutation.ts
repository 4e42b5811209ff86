import { useMutation, useQueryClient } from '@tanstack/react-query';
import { bulkUpdateAlertsResponseSchema, type BulkUpdateAlerts, type BulkUpdateAlertsResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { alertsKeys } from './keys';

/** `POST /api/alerts/_bulk_update` (by ids or by query). */
export function bulkUpdateAlerts(body: BulkUpdateAlerts): Promise<BulkUpdateAlertsResponse> {
  return apiRequest('/api/alerts/_bulk_update', bulkUpdateAlertsResponseSchema, { method: 'POST', body });
}

/** Bulk status change; refreshes every alert list, the stats and open alerts. */
export function useBulkUpdateAlertsMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: bulkUpdateAlerts,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: alertsKeys.all });
      await queryClient.invalidateQueries({ queryKey: ['alert'] });
    },
  });
}
