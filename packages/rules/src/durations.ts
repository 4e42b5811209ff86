/** A duration or look-back that cannot be read; the message says what was expected. */
export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_MS = 366 * UNIT_MS.d;

function toMs(amount: string, unit: string, what: string, text: string): number {
  const ms = Number(amount) * UNIT_MS[unit];
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new DurationError(`${what} ${JSON.stringify(text)} must be greater than zero`);
  if (ms > MAX_MS) throw new DurationError(`${what} ${JSON.stringify(text)} is longer than 366 days`);
  return ms;
}

/** A rule's `interval` (`30s`, `5m`, `1h`, `1d`) in milliseconds. */
export function parseInterval(interval: string): number {
  const m = /^(\d{1,9})([smhd])$/.exec(interval.trim());
  if (!m) throw new DurationError(`invalid interval ${JSON.stringify(interval)}: expected a whole number followed by s, m, h or d, e.g. 5m`);
  return toMs(m[1], m[2], 'interval', interval);
}

/** How far back a rule's `from` (`now-6m`) reaches, in milliseconds. */
export function lookbackMs(from: string): number {
  const m = /^now-(\d{1,9})([smhd])$/.exec(from.trim());
  if (!m) throw new DurationError(`invalid from ${JSON.stringify(from)}: expected now- followed by a whole number and s, m, h or d, e.g. now-6m`);
  return toMs(m[1], m[2], 'from', from);
}
