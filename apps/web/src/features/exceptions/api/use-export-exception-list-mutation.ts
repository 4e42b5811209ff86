import { useMutation } from '@tanstack/react-query';
import { withQuery } from '../../../lib/http';
import { downloadRequest } from './request';

/** `POST /api/exception_lists/_export?list_id=...`: the list and its items as Kibana's ndjson. */
export function exportExceptionList(listId: string): Promise<{ text: string; filename: string | null }> {
  return downloadRequest(withQuery('/api/exception_lists/_export', { list_id: listId }));
}

/** Hands a text to the browser as a file download. */
export function saveTextFile(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/ndjson' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Exports one list and saves it as `<list_id>.ndjson`. */
export function useExportExceptionListMutation() {
  return useMutation({
    mutationFn: async (listId: string) => {
      const { text, filename } = await exportExceptionList(listId);
      saveTextFile(text, filename ?? `${listId}.ndjson`);
      return text;
    },
  });
}
