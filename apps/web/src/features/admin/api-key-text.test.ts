import { describe, expect, it } from 'vitest';
import { apiKeySnippets, apiKeyStatus } from './api-key-text';

describe('api key status', () => {
  it.each([
    [{ invalidated: true, expiration: undefined }, 'revoked'],
    [{ invalidated: true, expiration: 500 }, 'revoked'],
    [{ invalidated: false, expiration: 1000 }, 'expired'],
    [{ invalidated: false, expiration: 1001 }, 'active'],
    [{ invalidated: false, expiration: undefined }, 'active'],
  ] as const)('%j at 1000 is %s', (key, status) => {
    expect(apiKeyStatus(key, 1000)).toBe(status);
  });
});

describe('api key snippets', () => {
  const key = { id: 'abc', api_key: 'secret', encoded: Buffer.from('abc:secret').toString('base64') };
  const s = apiKeySnippets(key, 'https://siem.example:5611');

  it('puts the encoded form in the Authorization header', () => {
    expect(s.header).toBe(`Authorization: ApiKey ${key.encoded}`);
    expect(s.curl).toContain('https://siem.example:5611/_bulk');
  });

  it('gives Filebeat and Agent the id:key form they expect', () => {
    expect(s.filebeat).toContain('api_key: "abc:secret"');
    expect(s.filebeat).toContain('hosts: ["https://siem.example:5611"]');
    expect(s.agent).toContain('api_key: "abc:secret"');
  });
});
