import type { Route } from '../../http/route';
import type { AuthParts } from '../internals';
import { apiKeyRoutes } from './api-key-routes';
import { auditRoutes } from './audit-routes';
import { sessionRoutes } from './session-routes';
import { userRoutes } from './user-routes';

/** Sign-in, identity, users, API keys and the audit log. */
export const authRoutes: Route<AuthParts>[] = [...sessionRoutes, ...userRoutes, ...apiKeyRoutes, ...auditRoutes];
