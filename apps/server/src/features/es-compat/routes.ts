/**
 * Execwatch as an Elasticsearch 8 cluster to Elastic clients and shippers: the handshake (`GET /`, `HEAD /`), the
 * probes and setup calls they make on connect, `X-Elastic-Product`, the compatibility media types, `filter_path`,
 * and Elasticsearch-shaped errors, for every path outside `/api` that the web app does not serve.
 */
import os from 'node:os';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { RouteContext } from '../../http/context';
import { mountRoutes, routes, type Route } from '../../http/route';
import { BULK_DEFAULTS, configuredBulkLimits } from '../../ingest/bulk-limits';
import { parseByteLimit } from '../../ingest/read-lines';
import { clusterIdentity, type ClusterIdentity } from './cluster-identity';
import { elasticsearchErrors, indexNotFound, noHandler, resourceNotFound, sendElasticsearchError } from './es-errors';
import { applyFilterPath, parseFilterPath } from './filter-path';
import { responseMediaType } from './media-type';
import { checkIndexExpression, checkResourceName, isKnownDataStream } from './names';
import { presentHealth, presentIndices, presentLicense, presentNodesHttp, presentPipelines, presentPolicies, presentRoot, presentTemplates, presentXpack, type ServerFacts } from './presenters';
import {
  idParams,
  indexParams,
  nameParams,
  parseSetupBody,
  pipelineBodySchema,
  policyBodySchema,
  putQuery,
  readJsonBody,
  summarizePipeline,
  summarizePolicy,
  summarizeTemplate,
  templateBodySchema,
} from './schemas';
import { ILM_POLICIES, INDEX_TEMPLATES, INGEST_PIPELINES, setupRecords, type SetupKind, type SetupRecords } from './setup-records';

/** The header Elastic's clients check on every successful answer before they believe it came from Elasticsearch. */
export const PRODUCT_HEADER = 'X-Elastic-Product';

/** Execwatch's own API, which keeps its own error shape and never answers as Elasticsearch. */
export const isExecwatchApiPath = (p: string) => p === '/api' || p.startsWith('/api/');

export interface EsCompatDeps {
  identity(): Promise<ClusterIdentity>;
  records: SetupRecords;
  facts(): ServerFacts;
}

const route = routes<EsCompatDeps>();

const TEMPLATE_BODY_LIMIT = '10mb';
const SETUP_BODY_LIMIT = '2mb';

async function findOr404<T>(records: SetupRecords, kind: SetupKind<T>, name: string, missing: string) {
  checkResourceName(name, kind.noun, { wildcard: true, lowercase: false });
  const found = await records.find(kind, name);
  if (found.length === 0) throw resourceNotFound(missing);
  return found;
}

const localAddress = (req: Request) => ({ address: req.socket.localAddress ?? '127.0.0.1', port: req.socket.localPort ?? 0 });

/** The endpoints; `GET` routes also answer `HEAD` (status and headers, no body), as Elasticsearch does. */
export const esCompatRoutes: Route<EsCompatDeps>[] = [
  route({
    method: 'GET',
    path: '/',
    requires: 'ingest',
    summary: "Elasticsearch 8's root answer, also to `HEAD /` (`version.number` 8.19.0, a `cluster_uuid` kept per installation); browsers get the web app",
    handler: async (_input, d) => presentRoot(await d.identity(), d.facts()),
  }),
  route({
    method: 'GET',
    path: '/_license',
    requires: 'ingest',
    summary: 'a basic license, active',
    handler: async (_input, d) => presentLicense(await d.identity()),
  }),
  route({
    method: 'GET',
    path: '/_cluster/health',
    requires: 'ingest',
    summary: 'green, one node',
    handler: () => presentHealth(),
  }),
  route({
    method: 'GET',
    path: '/_xpack',
    requires: 'ingest',
    summary: 'license and features (security on; ILM and data streams as set-up calls that are recorded)',
    handler: async (_input, d) => presentXpack(await d.identity(), d.facts()),
  }),
  route({
    method: 'GET',
    path: '/_nodes/http',
    requires: 'ingest',
    summary: 'this node and the address it was reached at',
    handler: async ({ req }, d) => presentNodesHttp(await d.identity(), d.facts(), localAddress(req)),
  }),
  route({
    method: 'GET',
    path: '/_nodes/_all/http',
    requires: 'ingest',
    summary: "as `/_nodes/http` (the JavaScript client's sniffing path)",
    handler: async ({ req }, d) => presentNodesHttp(await d.identity(), d.facts(), localAddress(req)),
  }),
  route({
    method: 'GET',
    path: '/_index_template/:name',
    requires: 'ingest',
    summary: 'an index template put before (names, wildcards), as recorded; 404 `resource_not_found_exception` otherwise',
    params: nameParams,
    handler: async ({ params: { name } }, d) => presentTemplates(await findOr404(d.records, INDEX_TEMPLATES, name, `index template matching [${name}] not found`)),
  }),
  route({
    method: 'PUT',
    path: '/_index_template/:name',
    requires: 'ingest',
    summary: '`{ "acknowledged": true }`: its name, patterns and priority are recorded, nothing is applied (`?create=true` refuses an existing one)',
    params: nameParams,
    query: putQuery,
    bodyKind: 'stream',
    audit: [INDEX_TEMPLATES.audit],
    handler: async ({ params: { name }, query, req, res, audit }, d) => {
      checkResourceName(name, INDEX_TEMPLATES.noun, { wildcard: false, lowercase: true });
      const body = parseSetupBody(templateBodySchema, await readJsonBody(req, res, TEMPLATE_BODY_LIMIT));
      await d.records.put(INDEX_TEMPLATES, name, summarizeTemplate(body), { create: query.create === 'true', audit });
      return { acknowledged: true };
    },
  }),
  route({
    method: 'GET',
    path: '/_ilm/policy/:name',
    requires: 'ingest',
    summary: 'a lifecycle policy put before, as recorded (its phases, no actions); 404 `resource_not_found_exception` otherwise',
    params: nameParams,
    handler: async ({ params: { name } }, d) => presentPolicies(await findOr404(d.records, ILM_POLICIES, name, `Lifecycle policy not found: ${name}`)),
  }),
  route({
    method: 'PUT',
    path: '/_ilm/policy/:name',
    requires: 'ingest',
    summary: '`{ "acknowledged": true }`: its name and phase names are recorded, nothing is applied (no rollover, no deletion by it)',
    params: nameParams,
    bodyKind: 'stream',
    audit: [ILM_POLICIES.audit],
    handler: async ({ params: { name }, req, res, audit }, d) => {
      checkResourceName(name, ILM_POLICIES.noun, { wildcard: false, lowercase: false });
      const body = parseSetupBody(policyBodySchema, await readJsonBody(req, res, SETUP_BODY_LIMIT));
      await d.records.put(ILM_POLICIES, name, summarizePolicy(body), { create: false, audit });
      return { acknowledged: true };
    },
  }),
  route({
    method: 'GET',
    path: '/_ingest/pipeline/:id',
    requires: 'ingest',
    summary: 'an ingest pipeline put before, as recorded (no processors: none runs); 404 `resource_not_found_exception` otherwise',
    params: idParams,
    handler: async ({ params: { id } }, d) => presentPipelines(await findOr404(d.records, INGEST_PIPELINES, id, `pipeline [${id}] is missing`)),
  }),
  route({
    method: 'PUT',
    path: '/_ingest/pipeline/:id',
    requires: 'ingest',
    summary: '`{ "acknowledged": true }`: its id, description and processor count are recorded; events are stored as they arrive',
    params: idParams,
    bodyKind: 'stream',
    audit: [INGEST_PIPELINES.audit],
    handler: async ({ params: { id }, req, res, audit }, d) => {
      checkResourceName(id, INGEST_PIPELINES.noun, { wildcard: false, lowercase: false });
      const body = parseSetupBody(pipelineBodySchema, await readJsonBody(req, res, SETUP_BODY_LIMIT));
      await d.records.put(INGEST_PIPELINES, id, summarizePipeline(body), { create: false, audit });
      return { acknowledged: true };
    },
  }),
  // last: a single path segment is an index name only when no endpoint above took it
  route({
    method: 'GET',
    path: '/:index',
    requires: 'ingest',
    summary: 'also `HEAD`: 200 for `logs-<dataset>-<namespace>` data streams (the names events are stored under), 404 `index_not_found_exception` for others',
    params: indexParams,
    handler: ({ params: { index }, req }) => {
      if (index.startsWith('_')) throw noHandler(req.method, req.path);
      const names: string[] = [];
      for (const expression of index.split(',')) {
        checkIndexExpression(expression);
        // a wildcard names no data stream Execwatch could list (nothing lists them), so it matches none
        if (expression.includes('*')) continue;
        if (!isKnownDataStream(expression)) throw indexNotFound(expression);
        names.push(expression);
      }
      return presentIndices(names);
    },
  }),
];

const header = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** Runs the app's authentication middleware as a promise (its failures are thrown, as HttpErrors). */
function authenticated(authenticate: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => (err === undefined || err === null ? resolve() : reject(err));
    Promise.resolve(authenticate(req, res, done)).catch(reject);
  });
}

/** `res.json` filtered by the request's `filter_path` (successful answers only, as errors must stay readable). */
function filterAnswers(req: Request, res: Response): void {
  const filter = parseFilterPath(req.query.filter_path);
  if (!filter) return;
  const json = res.json.bind(res);
  res.json = (body?: unknown) => json(res.statusCode >= 200 && res.statusCode < 300 ? applyFilterPath(body, filter) : body);
}

/**
 * What every Elasticsearch-compatible request goes through first: `X-Elastic-Product`, the compatibility media
 * type of its answers, `filter_path`, and authentication with Elasticsearch-shaped 401s (as a cluster with security
 * on, `GET /` included). Requests to `/api` leave the router untouched.
 */
function compatibility(authenticate: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    if (isExecwatchApiPath(req.path)) return next('router');
    res.setHeader(PRODUCT_HEADER, 'Elasticsearch');
    const mediaType = responseMediaType(header(req, 'accept'), header(req, 'content-type'));
    // set before the handler: res.json keeps a Content-Type that is already there
    if (mediaType) res.setHeader('Content-Type', mediaType);
    filterAnswers(req, res);
    if (!req.auth) await authenticated(authenticate, req, res);
    next();
  };
}

export interface EsCompatOptions {
  /** The app's authentication middleware. */
  authenticate: RequestHandler;
  serverVersion: string;
}

/**
 * `router`: mounted after the web app and before the app-wide authentication (every path outside `/api` the web
 * app did not answer comes through it, the bulk API included); `notFound`: mounted after every other route, it
 * answers what no route took, outside `/api`, with Elasticsearch's 404.
 */
export function esCompat(ctx: RouteContext, opts: EsCompatOptions): { router: Router; notFound: RequestHandler } {
  const startedAt = new Date(ctx.now()).toISOString();
  const nodeName = os.hostname();
  const deps: EsCompatDeps = {
    identity: clusterIdentity(ctx.store.settings, ctx.now),
    records: setupRecords(ctx.store.settings, ctx.now),
    facts: () => ({
      nodeName,
      serverVersion: opts.serverVersion,
      startedAt,
      maxContentLengthBytes: parseByteLimit(configuredBulkLimits().bodyLimit ?? BULK_DEFAULTS.bodyLimit),
    }),
  };
  const router = Router();
  router.use(compatibility(opts.authenticate));
  router.use(mountRoutes(esCompatRoutes, deps, { authenticate: opts.authenticate, authorize: ctx.authorize, audit: ctx.audit }));
  router.use(elasticsearchErrors);
  const notFound: RequestHandler = (req, res, next) => (isExecwatchApiPath(req.path) ? next() : sendElasticsearchError(res, noHandler(req.method, req.path)));
  return { router, notFound };
}
