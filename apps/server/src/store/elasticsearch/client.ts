import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';

/** Major version of Elasticsearch's REST compatibility the requests ask for. */
export type CompatibilityVersion = 8 | 9;

/**
 * The REST compatibility headers for JSON requests, as the client's documentation gives them for
 * talking to a newer major (a 8.x client against Elasticsearch 9 sends `compatible-with=9`).
 */
export function compatibilityHeaders(version: CompatibilityVersion): Record<string, string> {
  const json = `application/vnd.elasticsearch+json; compatible-with=${version}`;
  return { accept: json, 'content-type': json };
}

/** Per-request headers for NDJSON bodies (`_bulk`): global headers would otherwise label them JSON. */
export function ndjsonHeaders(version: CompatibilityVersion): Record<string, string> {
  return {
    accept: `application/vnd.elasticsearch+json; compatible-with=${version}`,
    'content-type': `application/vnd.elasticsearch+x-ndjson; compatible-with=${version}`,
  };
}

export interface EsConnectionOptions {
  node: string;
  apiKey?: string;
  username?: string;
  password?: string;
  caFile?: string;
  compatibility?: CompatibilityVersion;
  /** An existing client (tests); the compatibility headers are applied through a child client. */
  client?: Client;
}

/** Builds the cluster client (or wraps an injected one) with auth, CA and compatibility headers. */
export function createEsClient(opts: EsConnectionOptions): Client {
  const headers = opts.compatibility === undefined ? undefined : compatibilityHeaders(opts.compatibility);
  if (opts.client) return headers ? opts.client.child({ headers }) : opts.client;
  const options: ClientOptions = {
    node: opts.node,
    // The client retries connection errors and 502/503/504; 429 and bulk item failures are retried by withRetry.
    maxRetries: 3,
    requestTimeout: 60_000,
    ...(headers ? { headers } : {}),
  };
  if (opts.apiKey) options.auth = { apiKey: opts.apiKey };
  else if (opts.username !== undefined) options.auth = { username: opts.username, password: opts.password ?? '' };
  if (opts.caFile) options.tls = { ca: readFileSync(opts.caFile) };
  return new Client(options);
}
