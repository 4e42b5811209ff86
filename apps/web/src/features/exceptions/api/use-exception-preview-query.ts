import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { previewExceptionResponseSchema, type ExceptionEntry, type PreviewExceptionResponse } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { exceptionsKeys } from './keys';

export interface PreviewInput {
  rule_id: string;
  entries: ExceptionEntry[];
  sample_size: number;
}

/** `POST /api/exception_lists/items/_preview`: what a candidate item would have matched. */
export function fetchExceptionPreview(body: PreviewInput, signal?: AbortSignal): Promise<PreviewExceptionResponse> {
  return apiRequest('/api/exception_lists/items/_preview', previewExceptionResponseSchema, { method: 'POST', body, signal });
}

/** The preview of the conditions being edited; idle until they are complete. */
export function useExceptionPreviewQuery(body: PreviewInput | null) {
  return useQuery({
    queryKey: exceptionsKeys.preview(body),
    queryFn: ({ signal }) => fetchExceptionPreview(body ?? { rule_id: '', entries: [], sample_size: 0 }, signal),
    enabled: body !== null,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
