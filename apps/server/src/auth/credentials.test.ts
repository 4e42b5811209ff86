import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readCookie } from './cookies';
import { parseAuthorization } from './credentials';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('parseAuthorization', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    [`Basic ${b64('alice:s3cret:with:colons')}`, { kind: 'basic', username: 'alice', password: 's3cret:with:colons' }],
    [`basic ${b64('alice:')}`, { kind: 'basic', username: 'alice', password: '' }],
    [`ApiKey ${b64('keyid:secret')}`, { kind: 'api_key', id: 'keyid', key: 'secret' }],
    [`Basic ${b64(':nouser')}`, { kind: 'invalid', reason: 'malformed basic credentials' }],
    [`Basic ${b64('nocolon')}`, { kind: 'invalid', reason: 'malformed basic credentials' }],
    ['Basic !!!notbase64', { kind: 'invalid', reason: 'malformed basic credentials' }],
    [`ApiKey ${b64('idonly:')}`, { kind: 'invalid', reason: 'malformed api key' }],
    [`Bearer ${b64('keyid:secret')}`, { kind: 'api_key', id: 'keyid', key: 'secret' }],
    ['Bearer abc', { kind: 'invalid', reason: 'malformed api key' }],
    ['Negotiate abc', { kind: 'invalid', reason: 'unsupported authorization scheme' }],
    ['Basic', { kind: 'invalid', reason: 'malformed authorization header' }],
    [`Basic ${'A'.repeat(5000)}`, { kind: 'invalid', reason: 'authorization header too long' }],
  ])('%j -> %j', (header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });

  it('never throws and always yields a known kind', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (header) => {
        const parsed = parseAuthorization(header);
        if (parsed !== undefined) expect(['basic', 'api_key', 'invalid']).toContain(parsed.kind);
      }),
    );
  });
});

describe('readCookie', () => {
  it.each([
    ['execwatch_sid=abc', 'abc'],
    ['a=1; execwatch_sid=abc; b=2', 'abc'],
    ['execwatch_sid="quoted"', 'quoted'],
    ['other=1', undefined],
    ['execwatch_sidx=1', undefined],
    ['', undefined],
  ])('%j -> %j', (header, expected) => {
    expect(readCookie(header, 'execwatch_sid')).toBe(expected);
  });

  it('never throws on arbitrary headers', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (header) => void readCookie(header, 'execwatch_sid')));
  });
});
