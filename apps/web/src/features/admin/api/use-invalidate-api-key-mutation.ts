import { useMutation, useQueryClient } from '@tanstack/react-query';
import { invalidateApiKeysResponseSchema, type InvalidateApiKeysResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { adminKeys } from './keys';

/** `DELETE /api/security/api_key` with `{ ids: [id] }`; fails when the server reports the key as not invalidated. */
export async function invalidateApiKey(id: string): Promise<InvalidateApiKeysResponse> {
  const result = await apiRequest('/api/security/api_key', invalidateApiKeysResponseSchema, { method: 'DELETE', body: { ids: [id] } });
  if (result.error_count > 0) throw new Error(result.error_details?.map((d) => d.reason).join('; ') ?? 'the key was not revoked');
  return result;
}

/** Revokes one key. */
export function useInvalidateApiKeyMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: invalidateApiKey,
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.all }),
  });
}
