import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, repoRoot } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 5611, host: '127.0.0.1', store: 'embedded', demo: false, demoInterval: '30s', secureCookies: false });
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.webDist).toBe(path.join(repoRoot, 'apps/web/dist'));
  });

  it('uses ./data/demo in demo mode and treats empty values as unset', () => {
    expect(loadConfig({ EXECWATCH_DATA_DIR: '' }, { demo: true }).dataDir).toBe(path.resolve('./data/demo'));
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ EXECWATCH_STORE: 'mongo' }, /EXECWATCH_STORE/],
    [{ EXECWATCH_STORE: 'elasticsearch' }, /ES_URL is required/],
    [{ EXECWATCH_TLS_CERT: '/c.pem' }, /must be set together/],
    [{ EXECWATCH_DEMO_INTERVAL: 'soon' }, /EXECWATCH_DEMO_INTERVAL/],
    [{ EXECWATCH_ADMIN_PASSWORD: 'short' }, /EXECWATCH_ADMIN_PASSWORD/],
    [{ ES_URL: 'not a url' }, /ES_URL/],
  ])('rejects %o with a message naming it', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts a cluster configuration and TLS', () => {
    const c = loadConfig({ EXECWATCH_STORE: 'elasticsearch', ES_URL: 'https://es:9200', ES_API_KEY: 'k', EXECWATCH_TLS_CERT: '/c', EXECWATCH_TLS_KEY: '/k', PORT: '0' });
    expect(c.store).toBe('elasticsearch');
    expect(c.es).toMatchObject({ node: 'https://es:9200', apiKey: 'k' });
    expect(c.tls).toEqual({ certFile: '/c', keyFile: '/k' });
    expect(c.secureCookies).toBe(true);
    expect(c.port).toBe(0);
  });

  it('applies the documented defaults of the server and bulk limits', () => {
    const c = loadConfig({});
    expect(c.serverLimits).toMatchObject({ maxConnections: 2000, maxConnectionsPerAddress: 200, headersTimeoutMs: 20_000, bodyTimeoutMs: 30_000, longBodyTimeoutMs: 600_000 });
    expect(c.bulk).toMatchObject({ bodyLimit: '100mb', concurrency: 3, maxBodies: 8, bufferLimit: '256mb', documentLimit: '10mb', bodyTimeoutMs: 600_000, idleTimeoutMs: 30_000, turnTimeoutMs: 120_000 });
    expect(c.shedding).toEqual({ maxLoopDelayMs: 200, maxBulkInFlight: 32 });
  });

  it('reads the server and bulk limits', () => {
    const c = loadConfig({
      EXECWATCH_MAX_CONNECTIONS: '50',
      EXECWATCH_MAX_CONNECTIONS_PER_ADDRESS: '5',
      EXECWATCH_HEADERS_TIMEOUT: '5s',
      EXECWATCH_BODY_TIMEOUT: '10s',
      EXECWATCH_BULK_BODY_TIMEOUT: '2m',
      EXECWATCH_BULK_IDLE_TIMEOUT: '15s',
      EXECWATCH_BULK_TURN_TIMEOUT: '1m',
      EXECWATCH_BULK_CONCURRENCY: '2',
      EXECWATCH_BULK_MAX_BODIES: '4',
      EXECWATCH_BULK_BODY_LIMIT: '20mb',
      EXECWATCH_BULK_BUFFER_LIMIT: '64mb',
      EXECWATCH_BULK_DOCUMENT_LIMIT: '1mb',
      EXECWATCH_SHED_LOOP_DELAY: '0ms',
      EXECWATCH_SHED_MAX_BULK_IN_FLIGHT: '0',
    });
    expect(c.serverLimits).toMatchObject({ maxConnections: 50, maxConnectionsPerAddress: 5, headersTimeoutMs: 5000, bodyTimeoutMs: 10_000, longBodyTimeoutMs: 120_000 });
    expect(c.bulk).toMatchObject({ bodyLimit: '20mb', concurrency: 2, maxBodies: 4, bufferLimit: '64mb', documentLimit: '1mb', bodyTimeoutMs: 120_000, idleTimeoutMs: 15_000, turnTimeoutMs: 60_000, turnHoldMs: 60_000 });
    expect(c.shedding).toEqual({ maxLoopDelayMs: 0, maxBulkInFlight: 0 });
  });

  it.each([
    [{ EXECWATCH_MAX_CONNECTIONS: '0' }, /EXECWATCH_MAX_CONNECTIONS/],
    [{ EXECWATCH_MAX_CONNECTIONS_PER_ADDRESS: 'many' }, /EXECWATCH_MAX_CONNECTIONS_PER_ADDRESS/],
    [{ EXECWATCH_HEADERS_TIMEOUT: '0s' }, /EXECWATCH_HEADERS_TIMEOUT: must be at least 1ms/],
    [{ EXECWATCH_BODY_TIMEOUT: 'soon' }, /EXECWATCH_BODY_TIMEOUT/],
    [{ EXECWATCH_BULK_BUFFER_LIMIT: 'lots' }, /EXECWATCH_BULK_BUFFER_LIMIT/],
    [{ EXECWATCH_BULK_CONCURRENCY: '4', EXECWATCH_BULK_MAX_BODIES: '3' }, /EXECWATCH_BULK_MAX_BODIES: must be at least EXECWATCH_BULK_CONCURRENCY/],
    [{ EXECWATCH_BULK_DOCUMENT_LIMIT: '200mb' }, /EXECWATCH_BULK_DOCUMENT_LIMIT: must not be larger than EXECWATCH_BULK_BODY_LIMIT/],
  ])('rejects the limit %o with a message naming it', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
