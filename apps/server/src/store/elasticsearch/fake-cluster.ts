/**
 * Test support: a small in-memory stand-in for a cluster behind @elastic/elasticsearch-mock. It keeps
 * documents with `_seq_no`/`_primary_term` (honouring `if_seq_no`, `if_primary_term` and `op_type=create`
 * as Elasticsearch does), answers template and index calls, and records every request so tests can
 * check the exact shapes the adapter sends. `_eql/search` runs @execwatch/eql over the stored documents;
 * other search-like endpoints answer from stored documents or from `responders`. Tests can arm faults
 * (`fail`) and cut one client off (`cutOff`) to play cluster trouble and a dead server instance.
 */
import Mock from '@elastic/elasticsearch-mock';
import { BaseConnection, Client, errors } from '@elastic/elasticsearch';
import type { ConnectionRequestOptions, ConnectionRequestOptionsAsStream, ConnectionRequestParams, ConnectionRequestResponse, ConnectionRequestResponseAsStream } from '@elastic/transport';
import { answerEqlSearch, isEqlRequestError, matchesIndexPatterns, type EqlDoc } from './fake-eql';
import { faultError, FaultPlan, partialAnswer, type Fault } from './fake-faults';

export interface RecordedRequest {
  method: string;
  path: string;
  querystring: Record<string, string>;
  body: unknown;
}

interface StoredDoc {
  source: Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
  version: number;
}

type Json = Record<string, unknown>;
export type Responder = (req: RecordedRequest) => Json | Error;

const PRIMARY_TERM = 1;

function responseError(statusCode: number, type: string, reason: string): errors.ResponseError {
  // The mock turns a ResponseError into an HTTP response with this status and body.
  return new errors.ResponseError({ body: { error: { type, reason }, status: statusCode }, statusCode, headers: {}, warnings: [], meta: {} as never }); // the mock reads only body and status
}

/** An in-memory cluster shared by any number of clients (several "server instances"). */
export class FakeCluster {
  readonly mock = new Mock();
  readonly requests: RecordedRequest[] = [];
  readonly headers: Record<string, string>[] = [];
  readonly indices = new Map<string, Map<string, StoredDoc>>();
  readonly templates = new Map<string, Json>();
  /** Answers for `_eql/search`, `_search`, `_count`, `_update_by_query`, `_delete_by_query`, `_update`, `_bulk` by endpoint name. */
  readonly responders = new Map<string, Responder>();
  /** Faults armed for upcoming requests (see `fail`). */
  readonly faults = new FaultPlan();
  /** The cluster's clock for date math in EQL filters. */
  now: () => number = Date.now;
  private readonly cutOffClients = new Set<string>();
  private seqNo = 0;
  private autoId = 0;

  constructor() {
    const m = this.mock;
    const on = (method: string | string[], path: string | string[], fn: (req: RecordedRequest) => Json | Error) =>
      m.add({ method, path }, (params) => {
        const req: RecordedRequest = {
          method: params.method as string, // the mock passes the request's method
          path: params.path as string, // the mock passes the parsed request
          querystring: (params.querystring ?? {}) as Record<string, string>, // the mock passes the parsed request
          body: params.body ?? null,
        };
        this.requests.push(req);
        const fault = this.faults.take(req.path);
        if (fault && fault.kind !== 'partial') return faultError(fault) as never; // the mock turns error instances into responses or rejections
        const out = fn(req);
        if (fault?.kind === 'partial' && !(out instanceof Error)) return partialAnswer(out, seg(req.path, 0), fault) as never; // the mock accepts plain objects
        return out as never; // the mock accepts objects and error instances alike
      });
    on('GET', '/_index_template/:name', (r) => {
      const name = seg(r.path, 1);
      const t = this.templates.get(name);
      return t ? { index_templates: [{ name, index_template: t }] } : responseError(404, 'resource_not_found_exception', `index template matching [${name}] not found`);
    });
    on('PUT', '/_index_template/:name', (r) => {
      this.templates.set(seg(r.path, 1), r.body as Json); // request bodies are the JSON the client sent
      return { acknowledged: true };
    });
    on('HEAD', '/:index', (r) => (this.indices.has(seg(r.path, 0)) ? {} : responseError(404, 'index_not_found_exception', 'no such index')));
    on('PUT', '/:index', (r) => {
      const index = seg(r.path, 0);
      if (this.indices.has(index)) return responseError(400, 'resource_already_exists_exception', `index [${index}] already exists`);
      this.indices.set(index, new Map());
      return { acknowledged: true, index };
    });
    on('GET', '/:index/_mapping', (r) => {
      const index = seg(r.path, 0);
      return { [index]: { mappings: this.mappingFor(index) } };
    });
    on('PUT', '/:index/_mapping', () => ({ acknowledged: true }));
    on('GET', '/:index/_doc/:id', (r) => this.getDoc(seg(r.path, 0), seg(r.path, 2)));
    on(['PUT', 'POST'], '/:index/_doc/:id', (r) => this.writeDoc(seg(r.path, 0), seg(r.path, 2), r.body as Json, r.querystring)); // request bodies are the JSON the client sent
    on(['PUT', 'POST'], '/:index/_create/:id', (r) => this.writeDoc(seg(r.path, 0), seg(r.path, 2), r.body as Json, { ...r.querystring, op_type: 'create' })); // request bodies are the JSON the client sent
    on('DELETE', '/:index/_doc/:id', (r) => this.deleteDoc(seg(r.path, 0), seg(r.path, 2), r.querystring));
    on('POST', '/:index/_doc', (r) => this.writeDoc(seg(r.path, 0), `auto-${++this.autoId}`, r.body as Json, r.querystring)); // request bodies are the JSON the client sent
    for (const endpoint of ['_eql/search', '_search', '_count', '_update_by_query', '_delete_by_query', '_bulk', '_mget']) {
      const reply = (r: RecordedRequest) => {
        const responder = this.responders.get(endpoint);
        if (responder) return responder(r);
        if (endpoint === '_search' || endpoint === '_count' || endpoint === '_delete_by_query') return this.queryDocs(endpoint, seg(r.path, 0), (r.body ?? {}) as Json); // request bodies are the JSON the client sent
        if (endpoint === '_bulk') return this.bulk((r.body ?? []) as Json[]); // request bodies are the JSON the client sent
        if (endpoint === '_eql/search') return this.eqlSearch(seg(r.path, 0), (r.body ?? {}) as Json); // request bodies are the JSON the client sent
        return responseError(500, 'fake_cluster_exception', `no responder for ${endpoint}`);
      };
      on(['GET', 'POST'], `/:index/${endpoint}`, reply);
      if (endpoint === '_bulk' || endpoint === '_mget') on(['POST', 'PUT'], `/${endpoint}`, reply);
    }
    on('POST', '/:index/_update/:id', (r) => {
      const responder = this.responders.get('_update');
      return responder ? responder(r) : responseError(500, 'fake_cluster_exception', 'no responder for _update');
    });
  }

  /**
   * A client on this cluster; each call is a separate client, as separate server instances have.
   * `name` identifies it for `cutOff`.
   */
  client(name = 'client'): Client {
    const client = new Client({ node: 'http://fake-cluster:9200', Connection: this.connectionFor(name), maxRetries: 0 });
    client.diagnostic.on('request', (_err, result) => {
      const headers = result?.meta.request.params.headers;
      if (headers) this.headers.push(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])));
    });
    return client;
  }

  /** The next `count` requests (to `endpoint` when given, e.g. `_eql/search`) get `fault`. */
  fail(fault: Fault, count: number, endpoint?: string): void {
    this.faults.add(fault, count, endpoint);
  }

  /** Every request of the named client fails as unreachable from now on (a dead or partitioned server instance). */
  cutOff(name: string): void {
    this.cutOffClients.add(name);
  }

  /** Reconnects a client cut off before. */
  reconnect(name: string): void {
    this.cutOffClients.delete(name);
  }

  /** Requests whose path ends with the endpoint (e.g. `_eql/search`). */
  sent(endpoint: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(`/${endpoint}`));
  }

  /** The mapping an index got from the template matching it (indices take it at creation, as Elasticsearch does). */
  private mappingFor(index: string): Json {
    for (const t of this.templates.values()) {
      const patterns = Array.isArray(t.index_patterns) ? (t.index_patterns as string[]) : []; // written by putIndexTemplate
      const matches = patterns.some((p) => (p.endsWith('*') ? index.startsWith(p.slice(0, -1)) : index === p));
      const template = t.template as { mappings?: Json } | undefined; // templates are the JSON putIndexTemplate sent
      if (matches) return template?.mappings ?? {};
    }
    return {};
  }

  /** The mock's connection class, refusing requests while the named client is cut off (they never reach the cluster). */
  private connectionFor(name: string): typeof BaseConnection {
    const isCutOff = () => this.cutOffClients.has(name);
    const Base = this.mock.getConnection();
    class InstanceConnection extends Base {
      override request(params: ConnectionRequestParams, options: ConnectionRequestOptions): Promise<ConnectionRequestResponse>;
      override request(params: ConnectionRequestParams, options: ConnectionRequestOptionsAsStream): Promise<ConnectionRequestResponseAsStream>;
      override async request(params: ConnectionRequestParams, options: ConnectionRequestOptions | ConnectionRequestOptionsAsStream): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
        // Answers arrive in a later turn of the event loop, as network responses do, so that
        // concurrent callers (several instances) interleave instead of running one after the other.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (isCutOff()) throw new errors.ConnectionError(`connect ECONNREFUSED fake-cluster:9200 (client ${name} is cut off)`);
        // The mock connection answers both overloads alike; this picks the non-stream one for the compiler.
        return super.request(params, options as ConnectionRequestOptions);
      }
    }
    return InstanceConnection;
  }

  /** `_eql/search` over the stored documents of every index the request's patterns match. */
  private eqlSearch(patterns: string, body: Json): Json | Error {
    const docs: EqlDoc[] = [];
    for (const [index, stored] of this.indices) {
      if (!matchesIndexPatterns(index, patterns)) continue;
      for (const [id, d] of stored) docs.push({ _index: index, _id: id, _source: d.source });
    }
    try {
      return answerEqlSearch(docs, body, this.now());
    } catch (err) {
      if (isEqlRequestError(err)) return responseError(400, 'parsing_exception', err.message);
      throw err;
    }
  }

  doc(index: string, id: string): StoredDoc | undefined {
    return this.indices.get(index)?.get(id);
  }

  /** `_bulk` with `create`/`index` actions on stored documents (a `create` of an existing id is a 409 item). */
  private bulk(lines: Json[]): Json {
    const items: Json[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const [action, meta] = Object.entries(lines[i] ?? {})[0] ?? [];
      const { _index, _id } = (meta ?? {}) as { _index?: string; _id?: string }; // request bodies are the JSON the client sent
      const index = _index ?? '';
      const id = _id ?? `auto-${++this.autoId}`;
      const out = this.writeDoc(index, id, (lines[i + 1] ?? {}) as Json, action === 'create' ? { op_type: 'create' } : {}); // request bodies are the JSON the client sent
      if (out instanceof errors.ResponseError) {
        const body = out.body as { error?: Json }; // built by responseError above
        items.push({ [String(action)]: { _index: index, _id: id, status: out.statusCode, error: body.error } });
      } else if (!(out instanceof Error)) {
        items.push({ [String(action)]: { _index: index, _id: id, status: out.result === 'created' ? 201 : 200, result: out.result } });
      }
    }
    return { took: 1, errors: items.some((it) => Object.values(it).some((v) => (v as { status: number }).status >= 300)), items }; // items are built just above
  }

  /** `_search`, `_count` and `_delete_by_query` over stored documents (bool/term/terms/range/exists/ids only). */
  private queryDocs(endpoint: string, index: string, body: Json): Json {
    const docs = [...(this.indices.get(index)?.entries() ?? [])].filter(([id, d]) => matches(body.query as Json | undefined, id, d.source)); // request bodies are the JSON the client sent
    if (endpoint === '_count') return { count: docs.length };
    if (endpoint === '_delete_by_query') {
      for (const [id] of docs) this.indices.get(index)?.delete(id);
      return { deleted: docs.length, version_conflicts: 0, failures: [] };
    }
    const sort = Array.isArray(body.sort) ? (body.sort as Json[]) : []; // request bodies are the JSON the client sent
    const first = sort[0] ? Object.entries(sort[0])[0] : undefined;
    if (first) {
      const [field, spec] = first;
      const desc = (spec as { order?: string }).order === 'desc'; // request bodies are the JSON the client sent
      docs.sort(([, a], [, b]) => String(a.source[field] ?? '').localeCompare(String(b.source[field] ?? '')) * (desc ? -1 : 1));
    }
    const from = typeof body.from === 'number' ? body.from : 0;
    const size = typeof body.size === 'number' ? body.size : 10;
    return {
      hits: {
        total: { value: docs.length, relation: 'eq' },
        hits: docs.slice(from, from + size).map(([id, d]) => ({ _index: index, _id: id, _source: d.source, ...(first ? { sort: [d.source[first[0]] ?? null] } : {}) })),
      },
    };
  }

  private getDoc(index: string, id: string): Json | Error {
    const d = this.indices.get(index)?.get(id);
    if (!d) return responseError(404, 'document_missing', `[${id}] not found`);
    return { _index: index, _id: id, _version: d.version, _seq_no: d.seqNo, _primary_term: d.primaryTerm, found: true, _source: d.source };
  }

  private writeDoc(index: string, id: string, source: Json, qs: Record<string, string>): Json | Error {
    const docs = this.indices.get(index) ?? new Map<string, StoredDoc>();
    this.indices.set(index, docs);
    const current = docs.get(id);
    if (qs.op_type === 'create' && current) return responseError(409, 'version_conflict_engine_exception', `[${id}]: version conflict, document already exists`);
    if (qs.if_seq_no !== undefined || qs.if_primary_term !== undefined) {
      if (!current || String(current.seqNo) !== qs.if_seq_no || String(current.primaryTerm) !== qs.if_primary_term) {
        return responseError(409, 'version_conflict_engine_exception', `[${id}]: version conflict, required seqNo [${qs.if_seq_no}]`);
      }
    }
    const next: StoredDoc = { source, seqNo: ++this.seqNo, primaryTerm: PRIMARY_TERM, version: (current?.version ?? 0) + 1 };
    docs.set(id, next);
    return { _index: index, _id: id, _version: next.version, _seq_no: next.seqNo, _primary_term: next.primaryTerm, result: current ? 'updated' : 'created' };
  }

  private deleteDoc(index: string, id: string, qs: Record<string, string>): Json | Error {
    const current = this.indices.get(index)?.get(id);
    if (!current) return responseError(404, 'not_found', `[${id}] not found`);
    if (qs.if_seq_no !== undefined && (String(current.seqNo) !== qs.if_seq_no || String(current.primaryTerm) !== qs.if_primary_term)) {
      return responseError(409, 'version_conflict_engine_exception', `[${id}]: version conflict`);
    }
    this.indices.get(index)?.delete(id);
    return { _index: index, _id: id, result: 'deleted', _seq_no: ++this.seqNo, _primary_term: PRIMARY_TERM };
  }
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Evaluates the small query subset the state stores use against a document's top-level key fields. */
function matches(query: Json | undefined, id: string, source: Json): boolean {
  if (!query) return true;
  const [kind, spec] = Object.entries(query)[0] ?? [];
  const q = (spec ?? {}) as Json; // request bodies are the JSON the client sent
  switch (kind) {
    case 'match_all':
      return true;
    case 'bool':
      return (
        asList(q.filter).every((c) => matches(c as Json, id, source)) && // request bodies are the JSON the client sent
        asList(q.must).every((c) => matches(c as Json, id, source)) && // request bodies are the JSON the client sent
        !asList(q.must_not).some((c) => matches(c as Json, id, source)) // request bodies are the JSON the client sent
      );
    case 'term': {
      const [field, value] = Object.entries(q)[0] ?? [];
      const wanted = typeof value === 'object' && value !== null ? (value as Json).value : value; // request bodies are the JSON the client sent
      return field !== undefined && asList(source[field]).some((v) => v === wanted);
    }
    case 'terms': {
      const [field, values] = Object.entries(q)[0] ?? [];
      return field !== undefined && asList(source[field]).some((v) => asList(values).includes(v));
    }
    case 'exists':
      return source[String(q.field)] !== undefined && source[String(q.field)] !== null;
    case 'ids':
      return asList(q.values).includes(id);
    case 'range': {
      const [field, bounds] = Object.entries(q)[0] ?? [];
      const value = field === undefined ? undefined : source[field];
      if (typeof value !== 'string') return false;
      const b = bounds as Record<string, string>; // request bodies are the JSON the client sent
      return (b.gte === undefined || value >= b.gte) && (b.gt === undefined || value > b.gt) && (b.lte === undefined || value <= b.lte) && (b.lt === undefined || value < b.lt);
    }
    default:
      throw new Error(`the fake cluster does not evaluate ${String(kind)} queries`);
  }
}

function seg(path: string, n: number): string {
  return decodeURIComponent(path.split('/').filter((p) => p.length > 0)[n] ?? '');
}

export { responseError };
