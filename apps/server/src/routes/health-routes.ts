/** `GET /api/health`: liveness and what the server runs on. */
import { routes, type Route } from '../http/route';

export interface HealthRouteDeps {
  health(): Record<string, unknown>;
}

const route = routes<HealthRouteDeps>();

export const healthRoutes: Route<HealthRouteDeps>[] = [
  route({
    method: 'GET',
    path: '/api/health',
    requires: 'public',
    summary: 'liveness: `{ status, store, version, rules, uptime_s }`, and `disk` (the disk guard) on the embedded store',
    handler: (_input, { health }) => health(),
  }),
];
