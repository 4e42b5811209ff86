import { createApiKeySchema } from '@execwatch/api';
import { z } from 'zod';
import { badRequest, forbidden } from '../../http/errors';
import { routes, type Route } from '../../http/route';
import { parseExpiration, presentApiKey } from '../api-keys';
import type { AuthParts } from '../internals';

const keyId = z.string().min(1).max(64);

const listQuerySchema = z
  .object({
    id: keyId.optional(),
    name: z.string().min(1).max(200).optional(),
    username: z.string().min(1).max(64).optional(),
    owner: z.enum(['true', 'false']).optional(),
  })
  .strict();

/** Elasticsearch's invalidate request: by `ids` (or `id`), or by `name`; `owner: true` limits to the caller's keys. */
const invalidateSchema = z
  .object({
    ids: z.array(keyId).min(1).max(1000).optional(),
    id: keyId.optional(),
    name: z.string().min(1).max(200).optional(),
    owner: z.boolean().optional(),
    username: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((b) => b.ids !== undefined || b.id !== undefined || b.name !== undefined, { message: 'one of ids, id or name is required' });

const route = routes<AuthParts>();

/** POST|GET|DELETE /api/security/api_key (any signed-in user; only admins see and invalidate others' keys). */
export const apiKeyRoutes: Route<AuthParts>[] = [
  route({
    method: 'POST',
    path: '/api/security/api_key',
    requires: 'authenticated',
    summary: 'creates an API key (Elasticsearch\'s response: `id`, `api_key`, `encoded`; shown once)',
    body: createApiKeySchema,
    bodyLimit: '16kb',
    audit: ['api_key.create'],
    handler: async ({ auth, body, audit }, parts) => {
      if (!auth) throw forbidden('authentication required');
      // A key that could mint keys would outlive its own expiry or invalidation.
      if (auth.method === 'api_key') throw forbidden('an api key cannot create api keys; sign in with a password');
      const expiresInMs = body.expiration === undefined ? undefined : parseExpiration(body.expiration);
      if (expiresInMs === null) throw badRequest('body: expiration: expected a positive duration such as 30d, 12h, 15m or 60s');
      const created = await parts.apiKeys.create(auth.username, body.name, expiresInMs);
      await audit({
        action: 'api_key.create',
        target: { type: 'api_key', id: created.id },
        after: { id: created.id, name: created.name, username: auth.username, expiration: created.expiration ?? null },
      });
      return created;
    },
  }),
  route({
    method: 'GET',
    path: '/api/security/api_key',
    requires: 'authenticated',
    summary: "the caller's API keys (admins: anyone's)",
    query: listQuerySchema,
    handler: async ({ auth, query: q }, parts) => {
      if (!auth) throw forbidden('authentication required');
      const isAdmin = auth.abilities['users:manage'];
      if (!isAdmin && q.username !== undefined && q.username !== auth.username) throw forbidden("listing other users' api keys requires the [users:manage] ability");
      const username = q.owner === 'true' || !isAdmin ? auth.username : q.username;
      const keys = (await parts.apiKeys.list(username))
        .filter((k) => (q.id === undefined || k.id === q.id) && (q.name === undefined || k.name === q.name))
        .sort((a, b) => b.created_at - a.created_at)
        .map(presentApiKey);
      return { api_keys: keys };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/security/api_key',
    requires: 'authenticated',
    summary: 'invalidates API keys by `ids`, `id` or `name`',
    body: invalidateSchema,
    bodyLimit: '64kb',
    audit: ['api_key.invalidate'],
    handler: async ({ auth, body, audit }, parts) => {
      if (!auth) throw forbidden('authentication required');
      const isAdmin = auth.abilities['users:manage'];
      if (!isAdmin && body.username !== undefined && body.username !== auth.username) throw forbidden("invalidating other users' api keys requires the [users:manage] ability");
      const owner = body.owner === true || !isAdmin ? auth.username : (body.username ?? null);
      let ids = [...(body.ids ?? []), ...(body.id === undefined ? [] : [body.id])];
      if (body.name !== undefined) {
        const named = (await parts.apiKeys.list(owner ?? undefined)).filter((k) => k.name === body.name).map((k) => k.id);
        ids = [...ids, ...named];
      }
      const result = await parts.apiKeys.invalidate([...new Set(ids)], owner);
      for (const id of result.invalidated_api_keys) {
        await audit({ action: 'api_key.invalidate', target: { type: 'api_key', id }, before: { invalidated: false }, after: { invalidated: true } });
      }
      return result;
    },
  }),
];
