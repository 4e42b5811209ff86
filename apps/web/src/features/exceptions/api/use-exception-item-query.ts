import { useQuery } from '@tanstack/react-query';
import { exceptionListItemSchema, type ExceptionListItem } from '@execwatch/api';
import { apiRequest, withQuery } from '../../../lib/http';
import { exceptionsKeys } from './keys';

/** `GET /api/exception_lists/items?id=...`. */
export function fetchExceptionItem(id: string, signal?: AbortSignal): Promise<ExceptionListItem> {
  return apiRequest(withQuery('/api/exception_lists/items', { id }), exceptionListItemSchema, { signal });
}

/** One exception item (for editing); idle without an id. */
export function useExceptionItemQuery(id: string | undefined) {
  return useQuery({
    queryKey: exceptionsKeys.item(id ?? ''),
    queryFn: ({ signal }) => fetchExceptionItem(id ?? '', signal),
    enabled: id !== undefined && id !== '',
  });
}
