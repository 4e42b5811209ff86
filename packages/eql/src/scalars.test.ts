import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, equalsFolded, formatDate, normalizeIp, parseCidr, parseDate, parseIp, parseIsoDate, parseIsoFast, wildcardMatch } from './scalars';

describe('dates', () => {
  it('reads the common ISO shapes exactly like Date', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(-5e13), max: new Date(5e13), noInvalidDate: true }), (d) => {
        const s = d.toISOString();
        if (s.length !== 24) return;
        expect(parseIsoDate(s)).toBe(d.getTime());
        expect(parseIsoDate(`${s.slice(0, 19)}Z`)).toBe(Math.floor(d.getTime() / 1000) * 1000);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads only the exact fast shapes without the full parser, whatever single character is changed', () => {
    const canonical = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), fc.boolean(), fc.nat(23), fc.string({ minLength: 1, maxLength: 1 }), (d, millis, at, ch) => {
        const iso = d.toISOString();
        const s = millis ? iso : `${iso.slice(0, 19)}Z`;
        const changed = s.slice(0, at % s.length) + ch + s.slice((at % s.length) + 1);
        const fast = parseIsoFast(changed);
        // a date that is read is read as Date reads it (days past a month's end roll over in both)
        if (fast !== null) expect(fast).toBe(Date.parse(changed));
        if (!canonical.test(changed)) expect(fast).toBe(null);
      }),
      { numRuns: 3000 },
    );
    expect(parseIsoFast('2024-05-01T24:00:00.000Z')).toBe(null);
    expect(parseIsoFast('2024-05-01T00:00:00.000+00:00')).toBe(null);
    expect(parseDate('2024-05-01T00:00:00.000+00:00')).toBe(Date.UTC(2024, 4, 1));
  });

  it('reads dates, zones, nanoseconds, epoch millis and custom formats', () => {
    expect(parseIsoDate('2024-01-01')).toBe(Date.UTC(2024, 0, 1));
    expect(parseIsoDate('2024-01-01T02:00:00+02:00')).toBe(Date.UTC(2024, 0, 1));
    expect(parseIsoDate('1974-03-03T02:22:54.294365140Z')).toBeCloseTo(Date.UTC(1974, 2, 3, 2, 22, 54, 294) + 0.36514, 3);
    expect(parseIsoDate('2024-13-01T00:00:00.000Z')).toBe(null);
    expect(parseDate('1700000000000')).toBe(1700000000000);
    expect(parseDate('17-12-2022', 'dd-MM-yyyy')).toBe(Date.UTC(2022, 11, 17));
    expect(parseDate('nonsense')).toBe(null);
    expect(formatDate(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('ip addresses', () => {
  it('normalizes IPv4 and IPv6 text', () => {
    expect(normalizeIp('10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeIp('not an ip')).toBe('not an ip');
    expect(parseIp('256.1.1.1')).toBe(null);
  });

  it('matches CIDR blocks', () => {
    const m = parseCidr('192.168.0.0/16');
    const ip = parseIp('192.168.44.1');
    expect(m && ip && m(ip)).toBe(true);
    const other = parseIp('192.169.0.1');
    expect(m && other && m(other)).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBe(null);
    const all = parseCidr('0.0.0.0/0');
    expect(all && ip && all(ip)).toBe(true);
  });
});

describe('versions', () => {
  it('orders by semantic precedence, pre-releases first, invalid versions last', () => {
    expect(compareVersions('1.2.4', '1.11.3')).toBe(-1);
    expect(compareVersions('1.2.4-SNAPSHOT', '1.2.4')).toBe(-1);
    expect(compareVersions('1.2.4-alpha.2', '1.2.4-alpha.10')).toBe(-1);
    expect(compareVersions('bad', '99.0.0')).toBe(1);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
  });
});

describe('wildcards', () => {
  it('matches * and ? anywhere, case-folded when asked', () => {
    expect(wildcardMatch('C:\\Windows\\System32\\cmd.exe', '*\\system32\\*.exe', true)).toBe(true);
    expect(wildcardMatch('abc', 'a?c', false)).toBe(true);
    expect(wildcardMatch('abc', 'A?C', false)).toBe(false);
    expect(wildcardMatch('', '*', false)).toBe(true);
    expect(wildcardMatch('ab', 'a*b*c', false)).toBe(false);
  });

  it('stays fast on adversarial patterns', () => {
    const t0 = performance.now();
    expect(wildcardMatch('a'.repeat(3000), `${'*a'.repeat(50)}b`, false)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('case-insensitive equality', () => {
  it('agrees with toLowerCase on any text, including letters whose lower case changes length', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'A', 'z', 'Z', '[', '`', '\u0130', 'i', '\u0307', '\u212a', 'k', '\u00c9', '\u00e9', '\u03a3', '\u03c3'), maxLength: 6 });
    fc.assert(
      fc.property(text, text, (s, t) => {
        const lower = t.toLowerCase();
        expect(equalsFolded(s, lower)).toBe(s.toLowerCase() === lower);
        expect(equalsFolded(s, s.toLowerCase())).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
