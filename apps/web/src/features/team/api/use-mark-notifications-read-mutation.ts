import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import { markNotificationsReadResponseSchema, type MarkNotificationsRead, type MarkNotificationsReadResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { teamKeys } from './keys';

/** `POST /api/notifications/_read`. */
export function markNotificationsRead(body: MarkNotificationsRead): Promise<MarkNotificationsReadResponse> {
  return apiRequest('/api/notifications/_read', markNotificationsReadResponseSchema, { method: 'POST', body });
}

/** Marks inbox entries read; refreshes the inbox. */
export function useMarkNotificationsReadMutation(options: Omit<UseMutationOptions<MarkNotificationsReadResponse, Error, MarkNotificationsRead>, 'mutationFn'> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    ...options,
    mutationFn: markNotificationsRead,
    onSettled: async (...args) => {
      await queryClient.invalidateQueries({ queryKey: teamKeys.notifications() });
      await options.onSettled?.(...args);
    },
  });
}
