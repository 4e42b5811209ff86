import { useQuery } from '@tanstack/react-query';
import { meResponseSchema, type MeResponse } from '@execwatch/api';
import { ApiError, apiRequest } from '../../../lib/http';
import { authKeys } from './keys';

/** `GET /api/auth/me`; resolves to null when nobody is logged in. */
export async function fetchMe(): Promise<MeResponse | null> {
  try {
    return await apiRequest('/api/auth/me', meResponseSchema);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** The logged-in user and their abilities. */
export function useMeQuery() {
  return useQuery({ queryKey: authKeys.me(), queryFn: fetchMe, staleTime: 60_000, retry: false });
}
