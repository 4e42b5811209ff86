import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { Login } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { authKeys } from './keys';

/** `POST /api/auth/login`: sets the session cookie. */
export async function login(credentials: Login): Promise<void> {
  await apiRequest('/api/auth/login', z.unknown(), { method: 'POST', body: credentials });
}

/** Logs in and refetches who the user is. */
export function useLoginMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.all }),
  });
}
