import { useQuery } from '@tanstack/react-query';
import { listApiKeysResponseSchema, type ApiKeyInfoDto } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { adminKeys } from './keys';

/** `GET /api/security/api_key`: the caller's keys (an admin gets everyone's), newest first. */
export async function fetchApiKeys(signal?: AbortSignal): Promise<ApiKeyInfoDto[]> {
  return (await apiRequest('/api/security/api_key', listApiKeysResponseSchema, { signal })).api_keys;
}

/** The API keys the caller may see. */
export function useApiKeysQuery() {
  return useQuery({ queryKey: adminKeys.apiKeys(), queryFn: ({ signal }) => fetchApiKeys(signal) });
}
