import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import { storeStatsSchema, type StoreSettings, type StoreStats } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { apiRequest } from '../../../lib/http';
import { storageKeys } from './keys';

/** `PUT /api/store/_settings` (admins): the retention of events and alerts. */
export function updateStoreSettings(settings: StoreSettings): Promise<StoreStats> {
  return apiRequest('/api/store/_settings', storeStatsSchema, { method: 'PUT', body: settings });
}

/** Changes the retention; the answer replaces the cached stats. An error toasts unless the caller handles it. */
export function useUpdateStoreSettingsMutation(options: Omit<UseMutationOptions<StoreStats, Error, StoreSettings>, 'mutationFn'> = {}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    onError: (err) => toast({ title: 'Retention was not changed', text: err.message, color: 'danger' }),
    ...options,
    mutationFn: async (settings: StoreSettings) => {
      const stats = await updateStoreSettings(settings);
      queryClient.setQueryData(storageKeys.stats(), stats);
      return stats;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: storageKeys.all }),
  });
}
