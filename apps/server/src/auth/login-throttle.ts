import type { UserStore } from '../store/ports';

export interface ThrottleOptions {
  /** Failed sign-ins allowed per user name within the window. */
  maxPerUser: number;
  /** Failed sign-ins allowed per source address within the window. */
  maxPerAddress: number;
  windowMs: number;
  now: () => number;
}

/** 5 failures per user name and 20 per address within 15 minutes. */
export const defaultThrottle = { maxPerUser: 5, maxPerAddress: 20, windowMs: 15 * 60_000 } as const;

export interface LoginThrottle {
  /**
   * Seconds until a sign-in for this user (null: no user name, e.g. an API key) from this address may be tried
   * again, or null when it may be tried now.
   */
  retryAfter(username: string | null, address: string): Promise<number | null>;
  /** Counts a failure; returns the limits it has just reached (`user` and/or `address`), for the audit log. */
  recordFailure(username: string | null, address: string): Promise<('user' | 'address')[]>;
  /** A correct password clears the user's counter (not the address's: one good account must not reset a guessing address). */
  recordSuccess(username: string): Promise<void>;
}

const userKey = (username: string) => `user:${username.toLowerCase()}`;
const addressKey = (address: string) => `ip:${address}`;
const RESOLUTION_MS = 1000;

/**
 * Counts failed sign-ins per user and per address through the user store, so that limits hold across
 * server instances sharing a cluster. Blocked attempts are refused before any password check.
 */
export function createLoginThrottle(users: UserStore, opts: ThrottleOptions): LoginThrottle {
  // Finds when the oldest failure that keeps the count at the limit leaves the window (bisection over `since`).
  async function secondsUntilBelow(key: string, max: number, at: number): Promise<number> {
    let lo = 0;
    let hi = opts.windowMs + 1; // failures(now + 1) is 0: nothing is recorded in the future
    while (hi - lo > RESOLUTION_MS) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await users.failures(key, at - opts.windowMs + mid)) >= max) lo = mid;
      else hi = mid;
    }
    return Math.max(1, Math.ceil(hi / 1000));
  }

  return {
    async retryAfter(username, address) {
      const at = opts.now();
      const since = at - opts.windowMs;
      let wait: number | null = null;
      const limits: [string, number][] = [[addressKey(address), opts.maxPerAddress]];
      if (username !== null) limits.push([userKey(username), opts.maxPerUser]);
      for (const [key, max] of limits) {
        if ((await users.failures(key, since)) >= max) {
          const seconds = await secondsUntilBelow(key, max, at);
          wait = Math.max(wait ?? 0, seconds);
        }
      }
      return wait;
    },

    async recordFailure(username, address) {
      const at = opts.now();
      const reached: ('user' | 'address')[] = [];
      if (username !== null && (await users.recordFailure(userKey(username), at, opts.windowMs)) === opts.maxPerUser) reached.push('user');
      if ((await users.recordFailure(addressKey(address), at, opts.windowMs)) === opts.maxPerAddress) reached.push('address');
      return reached;
    },

    async recordSuccess(username) {
      await users.clearFailures(userKey(username));
    },
  };
}
