import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors';
import { durationMs, resolveDate, resolveRange, tryResolveDate } from './dates';

const now = Date.parse('2026-01-01T12:34:56.000Z');

describe('tryResolveDate', () => {
  it.each([
    ['now', now],
    ['now-6m', now - 6 * 60_000],
    ['now+1h', now + 3_600_000],
    ['now/d', Date.parse('2026-01-01T00:00:00.000Z')],
    ['2024-01-01T00:00:00Z', Date.parse('2024-01-01T00:00:00Z')],
    ['2024-01-01T00:00:00.123+02:00', Date.parse('2024-01-01T00:00:00.123+02:00')],
    ['2024-01-01||+1d', Date.parse('2024-01-02T00:00:00Z')],
  ])('resolves %s', (input, expected) => {
    expect(tryResolveDate(input, now)).toBe(expected);
  });

  it.each(['garbage', 'now-', 'now+5x', '2024-13-45', '1700000000000', '', 'now-6m garbage', 'yesterday'])('rejects %s', (input) => {
    expect(tryResolveDate(input, now)).toBeNull();
  });

  it('rounds up an upper bound', () => {
    expect(tryResolveDate('now/d', now, true)).toBe(Date.parse('2026-01-01T23:59:59.999Z'));
  });

  it('never throws and returns a finite number or null for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const r = tryResolveDate(s, now);
        expect(r === null || Number.isFinite(r)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('resolveDate and resolveRange', () => {
  it('throws a 400 naming the parameter', () => {
    try {
      resolveDate('nope', now, 'from');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(400);
      expect((err as HttpError).message).toMatch(/^from: invalid date/);
    }
  });

  it('rejects from after to', () => {
    expect(() => resolveRange('now', 'now-1h', now)).toThrow(/must not be after/);
    expect(resolveRange('now-1h', 'now', now)).toEqual({ from: now - 3_600_000, to: now });
    expect(resolveRange(undefined, undefined, now)).toEqual({ from: undefined, to: undefined });
  });
});

describe('durationMs', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['250ms', 250],
  ])('%s', (text, ms) => expect(durationMs(text)).toBe(ms));
  it.each(['5', 'm', '5x', '-5m', ''])('rejects %s', (text) => expect(durationMs(text)).toBeNull());
});
