/**
 * Route declarations: each route is stated once (method, path, what it requires, its input schemas, the
 * audit actions it records, its handler). The policy table, the route inventory of the authorization test and
 * the README's API list are read from the declarations; `mountRoutes` turns them into Express handlers that
 * authenticate, authorize, read and parse the input before the handler runs.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { Ability } from '@execwatch/api';
import type { AuditInput, Authorize, AuthContext } from './context';
import { badRequest, HttpError, payloadTooLarge } from './errors';
import { parseWith } from './validate';

/** What a route needs: nothing (`public`), any signed-in user (`authenticated`), or one ability. */
export type RouteRequirement = 'public' | 'authenticated' | Ability;
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** JSON bodies of declared routes are read up to this size unless the route says otherwise. */
export const DEFAULT_JSON_LIMIT = '1mb';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives: the parsed input, the request's caller, and an audit writer bound to the request. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The authenticated caller; undefined only on public routes. */
  auth: AuthContext | undefined;
  /** The caller's username (`anonymous` on public routes). */
  actor: string;
  /** Records an audit event for this request; its action must be one the route declares. */
  audit(event: AuditInput): Promise<void>;
  req: Request;
  res: Response;
}

/** An answer with a status or headers other than 200 and none. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string | string[]> = {},
  ) {}
}

export interface RouteShape {
  method: HttpMethod;
  /** Express path pattern (`:name` parameters). */
  path: string;
  requires: RouteRequirement;
  /** One line for the API list. */
  summary: string;
  /**
   * How the body is read: `json` (parsed before the handler, up to `bodyLimit`), `stream` (the handler reads
   * the request itself: bulk ingest, multipart uploads) or `none`. Defaults to `json` when `body` is given.
   */
  bodyKind?: 'json' | 'stream' | 'none';
  bodyLimit?: string;
  /** Refuses a request whose body is not `application/json` (sign-in: no form posts across sites). */
  jsonOnly?: boolean;
  /** The audit actions this route records. */
  audit?: readonly string[];
}

/** A declaration with its schemas' types, as written beside a feature. */
export interface RouteSpec<D, PS, QS, BS> extends RouteShape {
  params?: PS;
  query?: QS;
  body?: BS;
  handler(input: RouteInput<Parsed<PS>, Parsed<QS>, Parsed<BS>>, deps: D): Promise<unknown> | unknown;
}

/** A declaration once its schema types are erased, so that a feature's routes can stand in one list. */
export interface Route<D> extends RouteShape {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  // Method syntax: a handler of narrower input types is accepted here (its input is produced from the schemas).
  handler(input: RouteInput<unknown, unknown, unknown>, deps: D): Promise<unknown> | unknown;
}

/** `routes<Deps>()` gives a `route()` that types each declaration's input from its schemas. */
export function routes<D>() {
  return function route<PS extends z.ZodType | undefined = undefined, QS extends z.ZodType | undefined = undefined, BS extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<D, PS, QS, BS>,
  ): Route<D> {
    return spec;
  };
}

/** The authorization facts of a declaration. */
export interface RoutePolicy {
  method: HttpMethod;
  path: string;
  requires: RouteRequirement;
}

const policyOf = (r: RouteShape): RoutePolicy => ({ method: r.method, path: r.path, requires: r.requires });

/** The policy entries of a list of declarations (the server's table is built from every feature's list). */
export function policiesOf(list: readonly RouteShape[]): RoutePolicy[] {
  return list.map(policyOf);
}

export interface RouteGuards {
  /** Run for non-public routes when the caller is not authenticated yet (routes mounted before the app-wide check). */
  authenticate?: RequestHandler;
  authorize: Authorize;
  audit(req: Request, event: AuditInput): Promise<void>;
}

interface BodyParserError {
  type: string;
  status: number;
}
/** Whether an error is body-parser's (`type` such as `entity.too.large`, and a status). */
export const isBodyParserError = (err: unknown): err is BodyParserError =>
  typeof err === 'object' && err !== null && 'type' in err && typeof err.type === 'string' && 'status' in err && typeof err.status === 'number';

/** body-parser's failures as the API's errors: 413 naming the route's limit, 400 for anything unreadable. */
function bodyError(err: unknown, limit: string): unknown {
  if (!isBodyParserError(err)) return err;
  if (err.type === 'entity.too.large') return payloadTooLarge(limit);
  if (err.type === 'entity.parse.failed') return badRequest('body: not valid JSON');
  if (err.status === 415) return new HttpError(415, 'unsupported_media_type', `body: ${err.type}`);
  return badRequest(`body: could not be read (${err.type})`);
}

function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) => parse(req, res, (err?: unknown) => next(err === undefined ? undefined : bodyError(err, limit)));
}

const lower = { GET: 'get', HEAD: 'head', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' } as const;

function undeclaredAudit(r: RouteShape, action: string): HttpError {
  // A route recording an action it does not declare is a bug of the route, not of the request.
  return new HttpError(500, 'internal_error', `route ${r.method} ${r.path} records undeclared audit action ${action}`);
}

/** Express handlers for declarations: authenticate (if given), authorize, read the body, parse the input, run. */
export function mountRoutes<D>(list: readonly Route<D>[], deps: D, guards: RouteGuards): Router {
  const router = Router();
  for (const r of list) {
    const chain: RequestHandler[] = [];
    if (r.requires !== 'public' && guards.authenticate) {
      const authenticate = guards.authenticate;
      chain.push((req, res, next) => (req.auth ? next() : authenticate(req, res, next)));
    }
    if (r.requires !== 'public' && r.requires !== 'authenticated') chain.push(guards.authorize(r.requires));
    const bodyKind = r.bodyKind ?? (r.body ? 'json' : 'none');
    if (r.jsonOnly) chain.push((req, _res, next) => next(req.is('application/json') ? undefined : badRequest('body: expected an application/json body')));
    if (bodyKind === 'json') chain.push(jsonBody(r.bodyLimit ?? DEFAULT_JSON_LIMIT));
    const declared = new Set(r.audit ?? []);
    chain.push(async (req, res) => {
      const input: RouteInput<unknown, unknown, unknown> = {
        params: r.params ? parseWith(r.params, req.params, 'params') : undefined,
        query: r.query ? parseWith(r.query, req.query, 'query') : undefined,
        body: r.body ? parseWith(r.body, req.body ?? {}, 'body') : undefined,
        auth: req.auth,
        actor: req.auth?.username ?? 'anonymous',
        audit: (event) => {
          if (!declared.has(event.action)) throw undeclaredAudit(r, event.action);
          return guards.audit(req, event);
        },
        req,
        res,
      };
      const result = await r.handler(input, deps);
      if (res.headersSent || res.writableEnded) return;
      if (result instanceof Reply) {
        for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
        if (result.body === undefined) res.status(result.status).end();
        else res.status(result.status).json(result.body);
        return;
      }
      res.json(result);
    });
    router[lower[r.method]](r.path, ...chain);
  }
  return router;
}
