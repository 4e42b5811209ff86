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
});
