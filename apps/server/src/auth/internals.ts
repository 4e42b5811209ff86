import type { RequestHandler } from 'express';
import type { Authorize } from '../http/context';
import type { Accounts } from './accounts';
import type { ApiKeyManager } from './api-keys';
import type { Auditor } from './auditor';
import type { LoginThrottle } from './login-throttle';
import type { SessionManager } from './sessions';
import type { SourceIp } from './source-ip';
import type { AuthStore } from './store';

/** The parts of access control the route modules share. */
export interface AuthParts {
  store: AuthStore;
  accounts: Accounts;
  sessions: SessionManager;
  apiKeys: ApiKeyManager;
  throttle: LoginThrottle;
  auditor: Auditor;
  authenticate: RequestHandler;
  authorize: Authorize;
  sourceIp: SourceIp;
  secureCookies: boolean;
  now: () => number;
}
