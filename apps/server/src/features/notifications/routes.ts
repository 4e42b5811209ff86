/** Team work: user suggestions for the assignee picker, the caller's inbox and marking it read. */
import type { Router } from 'express';
import { listNotificationsQuerySchema, markNotificationsReadSchema, suggestUsersQuerySchema } from '@execwatch/api';
import type { RouteContext } from '../../http/context';
import { mountRoutes, routes, type Route } from '../../http/route';
import type { NotificationsService } from './service';

export interface NotificationRouteDeps {
  notifications: NotificationsService;
}

const route = routes<NotificationRouteDeps>();

export const notificationRoutes: Route<NotificationRouteDeps>[] = [
  route({
    method: 'GET',
    path: '/api/users/_suggest',
    requires: 'alerts:read',
    summary: 'known, enabled users for the assignee picker (`q`: start of the username or name): usernames and full names only',
    query: suggestUsersQuerySchema,
    handler: ({ query }, { notifications }) => notifications.suggest(query),
  }),
  route({
    method: 'GET',
    path: '/api/notifications',
    requires: 'alerts:read',
    summary: "the caller's inbox, newest first: alerts assigned to them, notes that @mention them (`unread=true`)",
    query: listNotificationsQuerySchema,
    handler: ({ query, actor }, { notifications }) => notifications.list(actor, query),
  }),
  route({
    method: 'POST',
    path: '/api/notifications/_read',
    requires: 'alerts:read',
    summary: "marks the caller's notifications read (`ids`, or `all: true`)",
    body: markNotificationsReadSchema,
    bodyLimit: '64kb',
    handler: ({ body, actor }, { notifications }) => notifications.markRead(actor, body),
  }),
];

/** Mounts the team routes. */
export function notificationsRouter(ctx: RouteContext, notifications: NotificationsService): Router {
  return mountRoutes(notificationRoutes, { notifications }, ctx);
}
