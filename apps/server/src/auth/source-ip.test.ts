import { describe, expect, it } from 'vitest';
import { createClientAddress, trustedProxiesFromEnv } from './source-ip';

describe('client address', () => {
  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const address = createClientAddress([]);
    expect(address('198.51.100.4', '203.0.113.9')).toBe('198.51.100.4');
    expect(address('::ffff:198.51.100.4', undefined)).toBe('198.51.100.4');
    expect(address(undefined, undefined)).toBe('unknown');
  });

  it.each([
    ['a trusted peer with one client hop', '127.0.0.1', '203.0.113.9', '203.0.113.9'],
    ['the right-most untrusted hop, not what the client prepended', '127.0.0.1', '192.0.2.1, 203.0.113.9, 10.4.5.6', '203.0.113.9'],
    ['several headers joined', '127.0.0.1', ['192.0.2.1', '203.0.113.9'], '203.0.113.9'],
    ['the left-most hop when every hop is trusted', '127.0.0.1', '10.0.0.1, 10.0.0.2', '10.0.0.1'],
    ['the peer when there is no header', '10.9.9.9', undefined, '10.9.9.9'],
    ['an untrusted peer, ignoring its header', '198.51.100.4', '203.0.113.9', '198.51.100.4'],
    ['the proxy that passed a malformed entry', '127.0.0.1', 'not-an-address, 10.0.0.7', '10.0.0.7'],
    ['ports and brackets removed', '127.0.0.1', '203.0.113.9:51234', '203.0.113.9'],
    ['IPv6 hops', '127.0.0.1', '[2001:db8::7]:443, fd00::1', '2001:db8::7'],
    ['IPv4-mapped peers as IPv4', '::ffff:127.0.0.1', '203.0.113.9', '203.0.113.9'],
  ])('is %s', (_name, peer, header, expected) => {
    const address = createClientAddress(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(address(peer, header)).toBe(expected);
  });
});

describe('EXECWATCH_TRUSTED_PROXIES', () => {
  it('lists addresses and CIDR ranges separated by commas or spaces; unset is none', () => {
    expect(trustedProxiesFromEnv({ EXECWATCH_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1 ::1 fd00::/8' })).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    expect(trustedProxiesFromEnv({})).toEqual([]);
    expect(trustedProxiesFromEnv({ EXECWATCH_TRUSTED_PROXIES: ' ' })).toEqual([]);
  });

  it.each(['proxy.internal', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '10.0.0.0/x'])('refuses %j, naming the variable', (value) => {
    expect(() => trustedProxiesFromEnv({ EXECWATCH_TRUSTED_PROXIES: value })).toThrow(/EXECWATCH_TRUSTED_PROXIES/);
  });
});
