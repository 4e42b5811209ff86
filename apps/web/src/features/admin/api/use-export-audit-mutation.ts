import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sendRequest, toApiError, withQuery } from '../../../lib/http';
import { saveTextFile } from '../../exceptions/api/use-export-exception-list-mutation';
import { auditQueryParams, type AuditFilters } from '../audit-filters';
import { adminKeys } from './keys';

/** `GET /api/audit/_export` with the filters: the matching events as ndjson, and the file name the server suggests. */
export async function exportAudit(filters: AuditFilters): Promise<{ text: string; filename: string | null }> {
  const response = await sendRequest(withQuery('/api/audit/_export', auditQueryParams(filters)));
  const text = await response.text();
  if (!response.ok) {
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not a JSON error body: the status is all there is
    }
    throw toApiError(json, response.status);
  }
  const name = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '');
  return { text, filename: name ? name[1] : null };
}

/** Downloads the filtered audit log; resolves to the number of events in the file. */
export function useExportAuditMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (filters: AuditFilters) => {
      const { text, filename } = await exportAudit(filters);
      saveTextFile(text, filename ?? 'execwatch-audit.ndjson');
      return text.split('\n').filter((line) => line.length > 0).length;
    },
    // The export is itself audited.
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
  });
}
