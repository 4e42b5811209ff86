import { useMutation, useQueryClient } from '@tanstack/react-query';
import { exceptionListItemSchema, type ExceptionListItem, type UpdateExceptionListItem } from '@execwatch/api';
import { exceptionsRequest, type WithWarnings } from './request';
import { exceptionsKeys } from './keys';

/** The update body as the UI sends it: existing comments resent with their ids, a new one without. */
export type UpdateExceptionItemInput = Pick<UpdateExceptionListItem, 'id' | 'name' | 'description' | 'entries' | 'comments' | 'expire_time' | 'meta' | '_version'>;

/** `PUT /api/exception_lists/items`; returns the item and the server's validation warnings. */
export function updateExceptionItem(input: UpdateExceptionItemInput): Promise<WithWarnings<ExceptionListItem>> {
  return exceptionsRequest('/api/exception_lists/items', exceptionListItemSchema, { method: 'PUT', body: { ...input, type: 'simple' } });
}

/** Edits an exception item and refreshes the exceptions page's data. */
export function useUpdateExceptionItemMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateExceptionItem,
    onSettled: () => queryClient.invalidateQueries({ queryKey: exceptionsKeys.all }),
  });
}
