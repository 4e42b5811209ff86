import { useMutation, useQueryClient } from '@tanstack/react-query';
import { alertSchema, type Alert, type UpdateAlert } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { alertKeys } from './keys';

/** `PATCH /api/alerts/{id}`: status (with closing reason), assignees, tags. */
export function updateAlert(id: string, patch: UpdateAlert): Promise<Alert> {
  return apiRequest(`/api/alerts/${encodeURIComponent(id)}`, alertSchema, { method: 'PATCH', body: patch });
}

/** Changes one alert; refreshes it and the lists it appears in. */
export function useUpdateAlertMutation(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateAlert) => updateAlert(id, patch),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: alertKeys.detail(id) });
      await queryClient.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
}
