import { z } from 'zod';

/** `GET /api/users/_suggest?q=`: users an alert can be assigned to (known and enabled), names only. */
export const suggestUsersQuerySchema = z.object({
  q: z.string().max(100).optional(),
  size: z.coerce.number().int().min(1).max(50).default(10),
});
export type SuggestUsersQuery = z.infer<typeof suggestUsersQuerySchema>;

export const userSuggestionSchema = z.object({ username: z.string(), full_name: z.string().nullable() });
export type UserSuggestion = z.infer<typeof userSuggestionSchema>;
export const suggestUsersResponseSchema = z.object({ users: z.array(userSuggestionSchema) });
export type SuggestUsersResponse = z.infer<typeof suggestUsersResponseSchema>;

export const notificationKindSchema = z.enum(['assigned', 'mentioned']);
export type NotificationKind = z.infer<typeof notificationKindSchema>;

/** One inbox entry: an alert (or several, from a bulk assignment) assigned to me, or a note that mentions me. */
export const notificationSchema = z.object({
  id: z.string(),
  kind: notificationKindSchema,
  /** Who assigned or wrote the note. */
  actor: z.string(),
  /** The alert to open; for a bulk assignment, the first of them. */
  alert_id: z.string().nullable(),
  /** How many alerts a bulk assignment took in (1 otherwise). */
  alerts_count: z.number().int(),
  /** What it is about, in a line: the rule's name, or the note's start. */
  text: z.string(),
  created_at: z.string(),
  read: z.boolean(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** `GET /api/notifications` */
export const listNotificationsQuerySchema = z.object({
  unread: z.enum(['true', 'false']).optional(),
  size: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListNotificationsQuery = z.infer<typeof listNotificationsQuerySchema>;
export const listNotificationsResponseSchema = z.object({ unread: z.number().int(), notifications: z.array(notificationSchema) });
export type ListNotificationsResponse = z.infer<typeof listNotificationsResponseSchema>;

/** `POST /api/notifications/_read`: marks some (by id) or all of the caller's notifications read. */
export const markNotificationsReadSchema = z
  .object({ ids: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(), all: z.literal(true).optional() })
  .strict()
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give either ids or all: true' });
export type MarkNotificationsRead = z.infer<typeof markNotificationsReadSchema>;
export const markNotificationsReadResponseSchema = z.object({ marked: z.number().int(), unread: z.number().int() });
export type MarkNotificationsReadResponse = z.infer<typeof markNotificationsReadResponseSchema>;

/** `@username` mentions in a note (usernames as the server accepts them), each once, in order. */
export function mentionsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(^|[^\w@.])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})/g)) {
    const name = (m[2] ?? '').replace(/[.-]+$/, '');
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}
