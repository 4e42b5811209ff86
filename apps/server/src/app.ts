/** The Express application: security headers, body limits, health, auth, ingest, the API, the web app, errors. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { ErrorIds } from '@execwatch/api';
import type { AuthService } from './auth/index';
import { repoRoot } from './config';
import { exceptionsRoutes } from './exceptions/routes';
import type { RouteContext } from './http/context';
import { compressResponses } from './http/compress-responses';
import { HttpError } from './http/errors';
import { mountRoutes } from './http/route';
import { kubeAuditRouter } from './features/attribution/routes';
import { detectionEngineRouter } from './features/detection-engine/routes';
import { esCompat } from './features/es-compat/routes';
import { notificationsRouter } from './features/notifications/routes';
import { diskFullAnswer, isDiskFullError } from './features/storage/disk-guard';
import { storageRouter } from './features/storage/routes';
import { documentWriteRouter } from './ingest/doc-routes';
import { bulkRoutes } from './ingest/routes';
import type { Logger } from './log';
import { alertsRoutes } from './routes/alerts-routes';
import { eventsRoutes } from './routes/events-routes';
import { healthRoutes } from './routes/health-routes';
import { rulesRoutes } from './routes/rules-routes';
import type { Services } from './services/index';
import type { Store } from './store/ports';
import { staticWeb } from './web/static-web';

/** The server's version (root package.json). */
export const serverVersion: string = (() => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    return pkg && typeof pkg === 'object' && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

export interface AppDeps {
  store: Store;
  log: Logger;
  now: () => number;
  auth: AuthService;
  services: Services;
  /** Folder of the built web app; null serves no web app. */
  webDist: string | null;
  /** Whether the scheduler runs (PATCH reschedules only then). */
  scheduling: boolean;
}

function errorHandler(log: Logger, store: Store): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let httpError: HttpError;
    if (isDiskFullError(err)) {
      // nothing of the failed write was committed: the client is told to send it again later
      log.warn('write refused: the disk is full', { method: req.method, path: req.path, error: err instanceof Error ? err.message : String(err) });
      if (diskFullAnswer(store, req, res)) return;
      httpError = new HttpError(507, ErrorIds.insufficientStorage, 'the disk is full; try again once space has been freed', undefined, { 'Retry-After': '30' });
    } else if (err instanceof HttpError) httpError = err;
    else if (err instanceof Error && err.name === 'AlertQuerySyntaxError') httpError = new HttpError(400, ErrorIds.validation, `query: ${err.message}`);
    else if (err instanceof Error && err.name === 'ClusterUnavailableError') {
      // the cluster adapter's own message says what failed after its retries; the cluster's raw answer stays in the log
      log.warn('cluster unavailable', { method: req.method, path: req.path, error: err.message });
      httpError = new HttpError(503, ErrorIds.unavailable, 'the Elasticsearch cluster is unavailable; try again shortly', undefined, { 'Retry-After': '5' });
    } else if (err instanceof Error && err.name === 'PreparationLostError') {
      log.warn('request lost with the document preparation thread', { method: req.method, path: req.path });
      httpError = new HttpError(503, ErrorIds.unavailable, err.message, undefined, { 'Retry-After': '1' });
    } else {
      log.error('unhandled error', { method: req.method, path: req.path, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
      httpError = new HttpError(500, ErrorIds.internal, 'internal server error');
    }
    for (const [k, v] of Object.entries(httpError.headers)) res.setHeader(k, v);
    res.status(httpError.status).json(httpError.toBody());
  };
}

/** Builds the Express app over ready services (the caller owns listening and shutdown). */
export function createApp(deps: AppDeps): Express {
  const { store, log, now, auth, services } = deps;
  const startedAt = now();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('etag', false);
  const ctx: RouteContext = { store, log, now, authorize: auth.authorize, audit: auth.audit };

  app.use(auth.securityHeaders());
  app.use(compressResponses());
  const health = () => ({ status: 'ok', store: store.kind, version: serverVersion, rules: services.registry.size, uptime_s: Math.round((now() - startedAt) / 1000), ...(services.storage.diskGuard ? { disk: services.storage.disk() } : {}) });
  app.use(mountRoutes(healthRoutes, { health }, ctx));

  app.use(auth.routes(ctx));
  if (deps.webDist) app.use(staticWeb(deps.webDist));
  // every path outside /api the web app did not answer is Elasticsearch's API from here on
  const elasticsearch = esCompat(ctx, { authenticate: auth.authenticate, serverVersion });
  app.use(elasticsearch.router);
  app.use(auth.authenticate);

  app.use(bulkRoutes(ctx, {}, services.ingestLane));
  app.use(documentWriteRouter(ctx, services.ingestLane));
  app.use(kubeAuditRouter(ctx));
  app.use(alertsRoutes(ctx, services.alerts));
  app.use(detectionEngineRouter(ctx, services));
  app.use(notificationsRouter(ctx, services.notifications));
  app.use(eventsRoutes(ctx));
  app.use(storageRouter(ctx, services.storage));
  app.use(rulesRoutes(ctx, { registry: services.registry, engine: services.engine, scheduler: deps.scheduling ? services.scheduler : null, exceptionLists: services.exceptionLists }));
  app.use(
    exceptionsRoutes(ctx, {
      getRule: async (ruleId: string) => {
        const rule = await services.registry.get(ruleId);
        return rule ? { ...rule, exceptions_list: [await services.exceptionLists.defaultList(rule)] } : null;
      },
    }),
  );

  app.use(elasticsearch.notFound);
  app.use((req, res) => {
    res.status(404).json(new HttpError(404, ErrorIds.notFound, `no route for ${req.method} ${req.path}`).toBody());
  });
  app.use(errorHandler(log, store));
  return app;
}
