import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIT_CHAIN_GENESIS, canonicalJson, chainHash } from './audit-chain';

describe('audit chain format', () => {
  it('writes JSON with keys sorted at every depth and no white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: true } })).toBe('{"a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}');
    expect(canonicalJson({ kept: 1, dropped: undefined })).toBe('{"kept":1}');
    expect(canonicalJson([undefined, Number.NaN])).toBe('[null,null]');
  });

  it('gives the same text for the same value whatever the key order, and parses back to it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('hashes sha256(prev_hash + canonical {seq, event}) from a genesis of 64 zeros', () => {
    const event = { id: 'e1', action: 'user.create' };
    const expected = createHash('sha256').update(`${'0'.repeat(64)}{"event":{"action":"user.create","id":"e1"},"seq":1}`).digest('hex');
    expect(AUDIT_CHAIN_GENESIS).toBe('0'.repeat(64));
    expect(chainHash(AUDIT_CHAIN_GENESIS, 1, event)).toBe(expected);
    expect(chainHash(AUDIT_CHAIN_GENESIS, 2, event)).not.toBe(expected);
  });
});
