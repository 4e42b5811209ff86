import { useMutation, useQueryClient } from '@tanstack/react-query';
import { alertKeys } from '../../alert-flyout/api/keys';
import { updateAlert } from '../../alert-flyout/api/use-update-alert-mutation';
import { alertsKeys } from './keys';

/** Acknowledges one alert, any alert (the keyboard's `a`); refreshes it and the lists. */
export function useAcknowledgeAlertMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => updateAlert(id, { status: 'acknowledged' }),
    onSettled: async (_data, _error, id) => {
      await queryClient.invalidateQueries({ queryKey: alertKeys.detail(id) });
      await queryClient.invalidateQueries({ queryKey: alertsKeys.all });
    },
  });
}
