import { createUserSchema, updateUserSchema } from '@execwatch/api';
import { z } from 'zod';
import { Reply, routes, type Route } from '../../http/route';
import { presentUser } from '../accounts';
import type { AuthParts } from '../internals';

const usernameParams = z.object({ username: z.string().regex(/^[a-zA-Z0-9_.@-]{1,64}$/) });

const route = routes<AuthParts>();

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
    handler: async ({ body, audit }, parts) => {
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
    audit: ['user.update'],
    handler: async ({ params: { username }, body: patch, audit }, parts) => {
      const { before, after } = await parts.accounts.update(username, patch);
      const passwordChanged = patch.password !== undefined;
      if (passwordChanged || (before.enabled && !after.enabled)) await parts.sessions.revokeAllFor(username);
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
