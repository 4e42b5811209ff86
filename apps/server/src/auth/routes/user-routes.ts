import { createUserSchema, updateUserSchema } from '@execwatch/api';
import { z } from 'zod';
import type { AuthContext } from '../../http/context';
import { badRequest, forbidden } from '../../http/errors';
import { Reply, routes, type Route } from '../../http/route';
import { presentUser } from '../accounts';
import type { AuthParts } from '../internals';

const usernameParams = z.object({ username: z.string().regex(/^[a-zA-Z0-9_.@-]{1,64}$/) });

const route = routes<AuthParts>();

/**
 * User management needs a password sign-in: a key that could create users or set passwords could make an admin
 * with a password of its choosing, and through them keys that outlive its own expiry or invalidation.
 */
function refuseApiKey(auth: AuthContext | undefined): void {
  if (auth?.method === 'api_key') throw forbidden('api keys cannot manage users; sign in with a password (session or HTTP Basic)');
}

/** GET|POST /api/users, PATCH /api/users/:username. */
export const userRoutes: Route<AuthParts>[] = [
  route({
    method: 'GET',
    path: '/api/users',
    requires: 'users:manage',
    summary: 'users',
    handler: async (_input, parts) => {
      const users = (await parts.store.users.list()).map(presentUser).sort((a, b) => a.username.localeCompare(b.username));
      return { total: users.length, users };
    },
  }),
  route({
    method: 'POST',
    path: '/api/users',
    requires: 'users:manage',
    summary: 'creates a user with roles',
    body: createUserSchema,
    bodyLimit: '16kb',
    audit: ['user.create'],
    handler: async ({ auth, body, audit }, parts) => {
      refuseApiKey(auth);
      const user = presentUser(await parts.accounts.create(body));
      await audit({ action: 'user.create', target: { type: 'user', id: user.username }, after: user });
      return new Reply(201, user);
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/users/:username',
    requires: 'users:manage',
    summary: "changes a user's roles, name, password or enabled state (sessions end on password change or disable)",
    params: usernameParams,
    body: updateUserSchema,
    bodyLimit: '16kb',
    audit: ['user.update', 'api_key.invalidate'],
    handler: async ({ auth, actor, params: { username }, body: patch, audit }, parts) => {
      refuseApiKey(auth);
      // an admin cannot lock themselves out; another admin can do it for them
      if (username === actor && patch.enabled === false) throw badRequest('enabled: you cannot disable your own account');
      if (username === actor && patch.roles !== undefined && !patch.roles.includes('admin') && auth?.roles.includes('admin')) throw badRequest('roles: you cannot remove your own admin role');
      const { before, after } = await parts.accounts.update(username, patch);
      const passwordChanged = patch.password !== undefined;
      const disabled = before.enabled && !after.enabled;
      if (passwordChanged || disabled) {
        await parts.sessions.revokeAllFor(username);
        const reason = passwordChanged ? 'password_changed' : 'user_disabled';
        for (const id of await parts.apiKeys.invalidateAllFor(username)) {
          await audit({ action: 'api_key.invalidate', target: { type: 'api_key', id }, before: { invalidated: false }, after: { invalidated: true, reason } });
        }
      }
      await audit({
        action: 'user.update',
        target: { type: 'user', id: username },
        before: presentUser(before),
        after: { ...presentUser(after), ...(passwordChanged ? { password_changed: true } : {}) },
      });
      return presentUser(after);
    },
  }),
];
