import { useMutation, useQueryClient } from '@tanstack/react-query';
import { userSchema, type CreateUser, type User } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { adminKeys } from './keys';

/** `POST /api/users`. */
export function createUser(input: CreateUser): Promise<User> {
  return apiRequest('/api/users', userSchema, { method: 'POST', body: input });
}

/** Creates a user and refreshes the list (and the audit log, which records it). */
export function useCreateUserMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.all }),
  });
}
