/** Events API: events related to an alert by one field value. */
import { Router } from 'express';
import { relatedEventsQuerySchema } from '@execwatch/api';
import type { RouteContext } from '../http/context';
import { parseQuery } from '../http/validate';
import { relatedEvents } from '../services/events/related-events';

/** Mounts `GET /api/events/_related` (needs `alerts:read`). */
export function eventsRoutes(ctx: RouteContext): Router {
  const r = Router();
  r.get('/api/events/_related', ctx.authorize('alerts:read'), async (req, res) => {
    res.json(await relatedEvents(ctx.store, parseQuery(relatedEventsQuerySchema, req), ctx.now()));
  });
  return r;
}
