import { useMutation, useQueryClient } from '@tanstack/react-query';
import { exceptionListItemSchema, type ExceptionListItem } from '@execwatch/api';
import { apiRequest, withQuery } from '../../../lib/http';
import { exceptionsKeys } from './keys';

/** `PUT /api/exception_lists/items?expire_now=true&id=...`. */
export function expireExceptionItem(id: string): Promise<ExceptionListItem> {
  return apiRequest(withQuery('/api/exception_lists/items', { expire_now: 'true', id }), exceptionListItemSchema, { method: 'PUT' });
}

/** Ends an exception item now (it stays listed as expired). */
export function useExpireExceptionItemMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: expireExceptionItem,
    onSettled: () => queryClient.invalidateQueries({ queryKey: exceptionsKeys.all }),
  });
}
