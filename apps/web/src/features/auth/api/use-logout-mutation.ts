import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiRequest } from '../../../lib/http';

/** `POST /api/auth/logout`. */
export async function logout(): Promise<void> {
  await apiRequest('/api/auth/logout', z.unknown(), { method: 'POST', body: {} });
}

/** Logs out and forgets every cached answer. */
export function useLogoutMutation() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: logout, onSettled: () => queryClient.clear() });
}
