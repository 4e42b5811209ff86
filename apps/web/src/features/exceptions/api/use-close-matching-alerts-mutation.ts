import { useMutation, useQueryClient } from '@tanstack/react-query';
import { closeByExceptionResponseSchema, type CloseByException, type CloseByExceptionResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';

/**
 * `POST /api/alerts/_close_by_exception`: the server closes what the saved exception matches when it runs (reason
 * "matched an exception"), and says what it left open and why.
 */
export function closeAlertsByException(body: CloseByException): Promise<CloseByExceptionResponse> {
  return apiRequest('/api/alerts/_close_by_exception', closeByExceptionResponseSchema, { method: 'POST', body });
}

/** Closes the alerts an exception matches and refreshes every alert view. */
export function useCloseMatchingAlertsMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: closeAlertsByException,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['alerts'] });
      await queryClient.invalidateQueries({ queryKey: ['alert'] });
    },
  });
}
