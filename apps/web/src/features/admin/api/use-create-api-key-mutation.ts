import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createApiKeyResponseSchema, type CreateApiKey, type CreateApiKeyResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { adminKeys } from './keys';

/** `POST /api/security/api_key`: the answer holds the secret, which the server never shows again. */
export function createApiKey(input: CreateApiKey): Promise<CreateApiKeyResponse> {
  return apiRequest('/api/security/api_key', createApiKeyResponseSchema, { method: 'POST', body: input });
}

/** Creates a key for the signed-in user. The secret is only in the mutation's result, never in the query cache. */
export function useCreateApiKeyMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createApiKey,
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.all }),
  });
}
