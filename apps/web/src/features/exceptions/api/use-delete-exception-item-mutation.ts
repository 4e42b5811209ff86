import { useMutation, useQueryClient } from '@tanstack/react-query';
import { exceptionListItemSchema, type ExceptionListItem } from '@execwatch/api';
import { apiRequest, withQuery } from '../../../lib/http';
import { exceptionsKeys } from './keys';

/** `DELETE /api/exception_lists/items?id=...`. */
export function deleteExceptionItem(id: string): Promise<ExceptionListItem> {
  return apiRequest(withQuery('/api/exception_lists/items', { id }), exceptionListItemSchema, { method: 'DELETE' });
}

/** Deletes an exception item. */
export function useDeleteExceptionItemMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteExceptionItem,
    onSettled: () => queryClient.invalidateQueries({ queryKey: exceptionsKeys.all }),
  });
}
