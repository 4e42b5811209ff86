import type { Request, RequestHandler } from 'express';
import type { Abilities, Ability, Role } from '@execwatch/api';
import type { Store } from '../store/ports';
import type { Logger } from '../log';

/** Who is making a request; set by the authentication middleware. */
export interface AuthContext {
  username: string;
  roles: Role[];
  abilities: Abilities;
  method: 'session' | 'basic' | 'api_key';
  /** Set for API-key requests. */
  apiKeyId?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point
  namespace Express {
    interface Request {
      auth?: AuthContext;
    }
  }
}

export interface AuditInput {
  action: string;
  target: { type: string; id: string | null };
  outcome?: 'success' | 'failure';
  before?: unknown;
  after?: unknown;
}

/** Middleware factory: responds 403 unless the authenticated user has `ability`. */
export type Authorize = (ability: Ability) => RequestHandler;
/** Appends an audit event attributed to the request's user and address. */
export type AuditFn = (req: Request, event: AuditInput) => Promise<void>;

/** What every route module receives. */
export interface RouteContext {
  store: Store;
  log: Logger;
  authorize: Authorize;
  audit: AuditFn;
  /** Clock (epoch ms), injectable for tests. */
  now: () => number;
}

/** The authenticated user's name; routes behind authentication always have one. */
export function actor(req: Request): string {
  return req.auth?.username ?? 'anonymous';
}
