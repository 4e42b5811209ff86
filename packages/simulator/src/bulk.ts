/** Elasticsearch bulk bodies for generated events. */

export const DEFAULT_INDEX = 'logs-cloud_defend.process-default';

/** NDJSON bulk body of `create` actions (data streams accept only `create`), ending with a newline. */
export function toBulkBody(events: object[], index: string = DEFAULT_INDEX): string {
  const action = `${JSON.stringify({ create: { _index: index } })}\n`;
  let body = '';
  for (const event of events) body += `${action}${JSON.stringify(event)}\n`;
  return body;
}

/** Credentials for the server: an encoded API key or a user and password. */
export type Credentials = { apiKey: string } | { username: string; password: string };

/** The `Authorization` header value for the credentials. */
export function authorizationHeader(auth: Credentials): string {
  if ('apiKey' in auth) return `ApiKey ${auth.apiKey}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** Credentials from EXECWATCH_API_KEY, or EXECWATCH_USERNAME and EXECWATCH_PASSWORD; undefined when neither is set. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  if (env.EXECWATCH_API_KEY) return { apiKey: env.EXECWATCH_API_KEY };
  if (env.EXECWATCH_USERNAME && env.EXECWATCH_PASSWORD !== undefined) {
    return { username: env.EXECWATCH_USERNAME, password: env.EXECWATCH_PASSWORD };
  }
  return undefined;
}
