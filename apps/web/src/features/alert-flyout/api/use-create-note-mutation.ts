import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiRequest } from '../../../lib/http';
import { alertKeys } from './keys';

/** `POST /api/alerts/{id}/notes`. */
export async function createNote(id: string, text: string): Promise<void> {
  await apiRequest(`/api/alerts/${encodeURIComponent(id)}/notes`, z.unknown(), { method: 'POST', body: { text } });
}

/** Adds a note and refreshes the notes and the note count on the lists. */
export function useCreateNoteMutation(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => createNote(id, text),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: alertKeys.notes(id) });
      await queryClient.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
}
