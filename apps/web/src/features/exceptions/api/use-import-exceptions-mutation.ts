import { useMutation, useQueryClient } from '@tanstack/react-query';
import { importExceptionsResponseSchema, type ImportExceptionsResponse } from '@execwatch/api';
import { withQuery } from '../../../lib/http';
import { exceptionsRequest } from './request';
import { exceptionsKeys } from './keys';

export interface ImportExceptionsInput {
  file: File;
  overwrite: boolean;
  asNewList: boolean;
}

/** `POST /api/exception_lists/_import` (multipart `file`), Kibana's ndjson export format. */
export async function importExceptions({ file, overwrite, asNewList }: ImportExceptionsInput): Promise<ImportExceptionsResponse> {
  const form = new FormData();
  form.append('file', file, file.name);
  const path = withQuery('/api/exception_lists/_import', { overwrite: String(overwrite), as_new_list: String(asNewList) });
  const { data } = await exceptionsRequest(path, importExceptionsResponseSchema, { method: 'POST', formData: form });
  return data;
}

/** Imports lists and items from an ndjson file and refreshes the exceptions page. */
export function useImportExceptionsMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: importExceptions,
    onSettled: () => queryClient.invalidateQueries({ queryKey: exceptionsKeys.all }),
  });
}
