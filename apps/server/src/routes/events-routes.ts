/** Events API: events related to an alert by one field value. */
import type { Router } from 'express';
import { relatedEventsQuerySchema } from '@execwatch/api';
import type { RouteContext } from '../http/context';
import { mountRoutes, routes, type Route } from '../http/route';
import { relatedEvents } from '../services/events/related-events';
import type { Store } from '../store/ports';

export interface EventRouteDeps {
  store: Store;
  now: () => number;
}

const route = routes<EventRouteDeps>();

export const eventRoutes: Route<EventRouteDeps>[] = [
  route({
    method: 'GET',
    path: '/api/events/_related',
    requires: 'alerts:read',
    summary: 'events sharing one field value with an alert, around its time',
    query: relatedEventsQuerySchema,
    handler: ({ query }, { store, now }) => relatedEvents(store, query, now()),
  }),
];

/** Mounts `GET /api/events/_related`. */
export function eventsRoutes(ctx: RouteContext): Router {
  return mountRoutes(eventRoutes, { store: ctx.store, now: ctx.now }, ctx);
}
