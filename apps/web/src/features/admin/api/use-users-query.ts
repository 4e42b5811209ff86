import { useQuery } from '@tanstack/react-query';
import { listUsersResponseSchema, type ListUsersResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { adminKeys } from './keys';

/** `GET /api/users`: every user, by name. */
export function fetchUsers(signal?: AbortSignal): Promise<ListUsersResponse> {
  return apiRequest('/api/users', listUsersResponseSchema, { signal });
}

/** The users; only fetched when `enabled` (the caller may manage users). */
export function useUsersQuery({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: adminKeys.users(), queryFn: ({ signal }) => fetchUsers(signal), enabled });
}
