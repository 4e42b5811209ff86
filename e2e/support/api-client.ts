/** A minimal client for seeding the e2e server through its HTTP API (Basic auth, as Elasticsearch clients do). */
export class SeedClient {
  constructor(
    private readonly baseURL: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const basic = Buffer.from(`${this.username}:${this.password}`).toString('base64');
    return { authorization: `Basic ${basic}`, 'execwatch-xsrf': 'true', ...extra };
  }

  /** Sends a request and returns the parsed JSON; throws with the server's message on failure. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    const response = await fetch(`${this.baseURL}${path}`, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': contentType }),
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as unknown) : null;
  }

  /** Ingests NDJSON through `POST /_bulk`; fails when any item failed. */
  async bulk(ndjson: string): Promise<number> {
    const result = (await this.request('POST', '/_bulk', ndjson, 'application/x-ndjson')) as { errors: boolean; items: unknown[] };
    if (result.errors) throw new Error(`bulk ingest reported item errors: ${JSON.stringify(result.items.slice(0, 2))}`);
    return result.items.length;
  }

  /** Creates a user unless it already exists. */
  async ensureUser(username: string, password: string, roles: string[]): Promise<void> {
    try {
      await this.request('POST', '/api/users', { username, password, roles });
    } catch (err) {
      if (!(err instanceof Error) || !/ 409:/.test(err.message)) throw err;
    }
  }
}
