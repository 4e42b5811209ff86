/** `GET /api/store/_stats` and `PUT /api/store/_settings`: the store's size, growth and retention. */
import type { Router } from 'express';
import { storeSettingsSchema } from '@execwatch/api';
import type { RouteContext } from '../../http/context';
import { badRequest } from '../../http/errors';
import { mountRoutes, routes, type Route } from '../../http/route';
import { RetentionSettingError, type StorageService } from './storage-service';

interface StorageRouteDeps {
  storage: StorageService;
}

const route = routes<StorageRouteDeps>();

export const storageRoutes: Route<StorageRouteDeps>[] = [
  route({
    method: 'GET',
    path: '/api/store/_stats',
    requires: 'rules:read',
    summary: 'store size, oldest event, events per day, projected size, retention in force, disk guard',
    handler: (_input, { storage }) => storage.stats(),
  }),
  route({
    method: 'PUT',
    path: '/api/store/_settings',
    requires: 'users:manage',
    summary: '`{ events_retention, alerts_retention }` (e.g. `7d`; null: the environment\'s)',
    body: storeSettingsSchema,
    audit: ['store.settings.update'],
    handler: async ({ body, audit }, { storage }) => {
      let change;
      try {
        change = await storage.updateSettings(body);
      } catch (err) {
        if (err instanceof RetentionSettingError) throw badRequest(err.message);
        throw err;
      }
      await audit({ action: 'store.settings.update', target: { type: 'store', id: 'retention' }, before: change.before, after: change.after });
      return storage.stats();
    },
  }),
];

export function storageRouter(ctx: RouteContext, storage: StorageService): Router {
  return mountRoutes(storageRoutes, { storage }, ctx);
}
