import { useMutation, useQueryClient } from '@tanstack/react-query';
import { exceptionListItemSchema, type CreateExceptionListItem, type ExceptionListItem } from '@execwatch/api';
import { exceptionsRequest, type WithWarnings } from './request';
import { exceptionsKeys } from './keys';

/** The create body as the UI sends it (server defaults fill the rest). */
export type CreateExceptionItemInput = Pick<CreateExceptionListItem, 'list_id' | 'name' | 'description' | 'entries' | 'comments'> &
  Partial<Pick<CreateExceptionListItem, 'expire_time' | 'meta' | 'tags'>>;

/** `POST /api/exception_lists/items`; returns the item and the server's validation warnings. */
export function createExceptionItem(input: CreateExceptionItemInput): Promise<WithWarnings<ExceptionListItem>> {
  return exceptionsRequest('/api/exception_lists/items', exceptionListItemSchema, { method: 'POST', body: { ...input, type: 'simple' } });
}

/** Adds an exception item and refreshes the exceptions page's data. */
export function useCreateExceptionItemMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createExceptionItem,
    onSettled: () => queryClient.invalidateQueries({ queryKey: exceptionsKeys.all }),
  });
}
