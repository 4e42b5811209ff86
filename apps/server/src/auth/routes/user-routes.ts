import { Router } from 'express';
import { createUserSchema, updateUserSchema } from '@execwatch/api';
import { z } from 'zod';
import { parseBody, parseParams } from '../../http/validate';
import { presentUser } from '../accounts';
import type { AuthParts } from '../internals';

const usernameParams = z.object({ username: z.string().regex(/^[a-zA-Z0-9_.@-]{1,64}$/) });

/** GET|POST /api/users, PATCH /api/users/:username (users:manage). */
export function userRoutes(parts: AuthParts): Router {
  const router = Router();
  const manage = [parts.authenticate, parts.authorize('users:manage')];

  router.get('/api/users', ...manage, async (_req, res) => {
    const users = (await parts.store.users.list()).map(presentUser).sort((a, b) => a.username.localeCompare(b.username));
    res.json({ total: users.length, users });
  });

  router.post('/api/users', ...manage, async (req, res) => {
    const input = parseBody(createUserSchema, req);
    const user = presentUser(await parts.accounts.create(input));
    await parts.auditor.audit(req, { action: 'user.create', target: { type: 'user', id: user.username }, after: user });
    res.status(201).json(user);
  });

  router.patch('/api/users/:username', ...manage, async (req, res) => {
    const { username } = parseParams(usernameParams, req);
    const patch = parseBody(updateUserSchema, req);
    const { before, after } = await parts.accounts.update(username, patch);
    const passwordChanged = patch.password !== undefined;
    if (passwordChanged || (before.enabled && !after.enabled)) await parts.sessions.revokeAllFor(username);
    await parts.auditor.audit(req, {
      action: 'user.update',
      target: { type: 'user', id: username },
      before: presentUser(before),
      after: { ...presentUser(after), ...(passwordChanged ? { password_changed: true } : {}) },
    });
    res.json(presentUser(after));
  });

  return router;
}
