import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { noteSchema, type Note } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { alertKeys } from './keys';

/** Either a bare array of notes or `{ notes: [...] }`. */
const notesResponseSchema = z.union([z.array(noteSchema), z.object({ notes: z.array(noteSchema) }).transform((r) => r.notes)]);

/** `GET /api/alerts/{id}/notes`. */
export async function fetchAlertNotes(id: string, signal?: AbortSignal): Promise<Note[]> {
  return apiRequest(`/api/alerts/${encodeURIComponent(id)}/notes`, notesResponseSchema, { signal });
}

/** Notes analysts left on the alert, oldest first. */
export function useAlertNotesQuery(id: string) {
  return useQuery({ queryKey: alertKeys.notes(id), queryFn: ({ signal }) => fetchAlertNotes(id, signal) });
}
