import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditInput } from './context';
import { forbidden, HttpError, unauthenticated } from './errors';
import { mountRoutes, Reply, routes } from './route';

interface Deps {
  seen: string[];
}
const route = routes<Deps>();
const audits: AuditInput[] = [];
const deps: Deps = { seen: [] };

const declared = [
  route({
    method: 'POST',
    path: '/things/:id',
    requires: 'alerts:triage',
    summary: 'test',
    params: z.object({ id: z.string().regex(/^\d+$/) }),
    query: z.object({ dry: z.enum(['true', 'false']).default('false') }),
    body: z.object({ name: z.string().max(10) }).strict(),
    bodyLimit: '1kb',
    audit: ['thing.create'],
    handler: async ({ params, query, body, actor, audit }, d) => {
      d.seen.push(`${params.id}:${query.dry}:${body.name}`);
      await audit({ action: 'thing.create', target: { type: 'thing', id: params.id } });
      return new Reply(201, { id: params.id, by: actor }, { 'x-made': 'yes' });
    },
  }),
  route({
    method: 'POST',
    path: '/sloppy',
    requires: 'authenticated',
    summary: 'records an audit action it does not declare',
    handler: async ({ audit }) => {
      await audit({ action: 'thing.delete', target: { type: 'thing', id: null } });
      return { ok: true };
    },
  }),
  route({
    method: 'POST',
    path: '/login',
    requires: 'public',
    summary: 'JSON only',
    jsonOnly: true,
    body: z.object({ u: z.string() }),
    handler: ({ body, auth }) => ({ u: body.u, signedIn: auth !== undefined }),
  }),
];

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(
    mountRoutes(declared, deps, {
      // The test's stand-in for sign-in: `x-user` names the caller, `x-abilities` what they may do.
      authenticate: (req, _res, next) => {
        const user = req.header('x-user');
        if (!user) return next(unauthenticated());
        req.auth = { username: user, roles: [], abilities: { 'alerts:read': false, 'alerts:triage': (req.header('x-abilities') ?? '').includes('alerts:triage'), 'exceptions:read': false, 'exceptions:write': false, 'rules:read': false, 'rules:write': false, 'users:manage': false, 'audit:read': false, ingest: false }, method: 'basic' };
        next();
      },
      authorize: (ability) => (req, _res, next) => next(req.auth?.abilities[ability] ? undefined : forbidden(`needs ${ability}`)),
      audit: async (_req, event) => void audits.push(event),
    }),
  );
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = err instanceof HttpError ? err : new HttpError(500, 'internal_error', String(err));
    res.status(e.status).json(e.toBody());
  };
  app.use(onError);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // a TCP listener: an AddressInfo
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const triager = { 'x-user': 'ana', 'x-abilities': 'alerts:triage' };

describe('declared routes', () => {
  it('parses params, query and body before the handler and answers its Reply', async () => {
    const res = await post('/things/42?dry=true', '{"name":"box"}', triager);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-made')).toBe('yes');
    expect(await res.json()).toEqual({ id: '42', by: 'ana' });
    expect(deps.seen).toContain('42:true:box');
    expect(audits.at(-1)).toMatchObject({ action: 'thing.create', target: { id: '42' } });
  });

  it('answers 400 naming the first bad field, and the handler never runs', async () => {
    const before = deps.seen.length;
    const cases: [string, string, RegExp][] = [
      ['/things/x', '{"name":"a"}', /^params: id/],
      ['/things/1?dry=maybe', '{"name":"a"}', /^query: dry/],
      ['/things/1', '{"name":"far too long a name"}', /^body: name/],
      ['/things/1', '{"name":"a","extra":1}', /^body: /],
      ['/things/1', '{"name":', /^body: not valid JSON/],
    ];
    for (const [path, body, message] of cases) {
      const res = await post(path, body, triager);
      const json = (await res.json()) as { message: string }; // the error shape
      expect(res.status, path).toBe(400);
      expect(json.message).toMatch(message);
    }
    expect(deps.seen.length).toBe(before);
  });

  it('authenticates and authorizes before reading the body', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(5000) });
    expect((await post('/things/1', big)).status).toBe(401);
    expect((await post('/things/1', big, { 'x-user': 'vic' })).status).toBe(403);
    const tooBig = await post('/things/1', big, triager);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { message: string }).message).toContain('1kb');
  });

  it('refuses an audit action the route does not declare', async () => {
    const res = await post('/sloppy', '{}', { 'x-user': 'ana' });
    expect(res.status).toBe(500);
    expect(audits.some((a) => a.action === 'thing.delete')).toBe(false);
  });

  it('refuses a non-JSON body where the route is JSON only, without authentication on public routes', async () => {
    const form = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'u=a' });
    expect(form.status).toBe(400);
    const json = await post('/login', '{"u":"a"}');
    expect(await json.json()).toEqual({ u: 'a', signedIn: false });
  });
});
