import { useMutation, useQueryClient } from '@tanstack/react-query';
import { userSchema, type UpdateUser, type User } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { adminKeys } from './keys';

/** `PATCH /api/users/{username}`: roles, name, password or enabled state. */
export function updateUser({ username, patch }: { username: string; patch: UpdateUser }): Promise<User> {
  return apiRequest(`/api/users/${encodeURIComponent(username)}`, userSchema, { method: 'PATCH', body: patch });
}

/** Changes a user; a new password or disabling also invalidates their keys, so every admin list is refreshed. */
export function useUpdateUserMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateUser,
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.all }),
  });
}
