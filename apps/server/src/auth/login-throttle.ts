import type { ThrottleState, UserStore } from '../store/ports';

export interface ThrottleOptions {
  /** Failed sign-ins in a row for one user name before each further attempt has to wait. */
  maxPerUser: number;
  /** Failed sign-ins (and bad API keys) from one address before each further attempt from it has to wait. */
  maxPerAddress: number;
  /** The first wait past a limit; each further failure doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A counter without an attempt for this long starts again from zero. */
  forgetAfterMs: number;
  now: () => number;
}

/** 5 failures per user name and 20 per address, then waits of 1 s, 2 s, 4 s ... up to 15 minutes; forgotten after an hour. */
export const defaultThrottle = { maxPerUser: 5, maxPerAddress: 20, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 } as const;

export type Limit = 'user' | 'address';

/** How a password check that was let through ended. */
export type AttemptOutcome = 'success' | 'failure' | 'not_checked';

export type Attempt =
  | {
      granted: true;
      /**
       * Settles the reserved attempt: a success clears the user's counter and takes the attempt back from the
       * address (which counts failures only); a failure stays counted and returns the limits it has just reached;
       * `not_checked` (the check could not run) takes the attempt back from both.
       */
      settle(outcome: AttemptOutcome): Promise<Limit[]>;
    }
  | { granted: false; retryAfterS: number };

export interface LoginThrottle {
  /**
   * Reserves a password check for this user name from this address before it runs, counted as a failure until
   * settled: concurrent guesses each take a place, so no more of them run than the limits allow.
   */
  begin(username: string, address: string): Promise<Attempt>;
  /** Counts a bad API key against its address; `retryAfterS` when the address has to wait (the key was not counted). */
  rejectKey(address: string): Promise<{ retryAfterS: number | null; reached: Limit[] }>;
}

const userKey = (username: string) => `user:${username.slice(0, 200).toLowerCase()}`;
const addressKey = (address: string) => `ip:${address.slice(0, 100)}`;
const PRUNE_EVERY_MS = 60_000;

type Reservation = { granted: true; count: number; at: number; previousAt: number | null } | { granted: false; until: number };
type Granted = Extract<Reservation, { granted: true }>;

/**
 * Sign-in throttling with the counters in the store, so limits hold across server instances sharing a cluster.
 *
 * Each key (user name, address) counts attempts since its last success. Up to its limit attempts go straight
 * through; past it, an attempt may only start `baseDelayMs * 2^(count - limit)` (capped) after the last one,
 * so a guesser gets a handful of tries an hour while the owner, refused at most for the current wait, gets in
 * once it has passed. An attempt is counted before its password is checked, in one atomic store update per key
 * (serialised within the process, compare-and-set between instances).
 */
export function createLoginThrottle(users: UserStore, opts: ThrottleOptions): LoginThrottle {
  const locks = new Map<string, Promise<unknown>>();
  let prunedAt = Number.NEGATIVE_INFINITY;

  /** Runs store updates of one key one at a time within this process, so instances only contend with each other. */
  function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    locks.set(key, settled);
    void settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return run;
  }

  const live = (state: ThrottleState | null, at: number) => (state && at - state.last_at < opts.forgetAfterMs ? state : null);

  function waitUntil(state: ThrottleState | null, limit: number): number {
    if (!state || state.count < limit) return Number.NEGATIVE_INFINITY;
    return state.last_at + Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (state.count - limit));
  }

  function reserve(key: string, limit: number, at: number): Promise<Reservation> {
    return serialised(key, () =>
      users.updateThrottle(key, (stored): { next?: ThrottleState | null; result: Reservation } => {
        const current = live(stored, at);
        const until = waitUntil(current, limit);
        if (at < until) return { result: { granted: false, until } };
        const next = { count: (current?.count ?? 0) + 1, last_at: at };
        return { next, result: { granted: true, count: next.count, at, previousAt: current?.last_at ?? null } };
      }),
    );
  }

  /**
   * Takes one counted attempt back (it turned out not to be a failure), and its time too unless a later attempt
   * was counted since: a good sign-in must not restart the wait of the failures before it.
   */
  const giveBack = (key: string, reservation: Granted) =>
    serialised(key, () =>
      users.updateThrottle(key, (stored) => {
        if (!stored || stored.count <= 1) return { next: null, result: undefined };
        const lastAt = stored.last_at === reservation.at && reservation.previousAt !== null ? reservation.previousAt : stored.last_at;
        return { next: { count: stored.count - 1, last_at: lastAt }, result: undefined };
      }),
    );

  const clear = (key: string) => serialised(key, () => users.updateThrottle(key, () => ({ next: null, result: undefined })));

  async function prune(at: number): Promise<void> {
    if (at - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = at;
    await users.pruneThrottle(at - opts.forgetAfterMs);
  }

  const seconds = (until: number, at: number) => Math.max(1, Math.ceil((until - at) / 1000));

  return {
    async begin(username, address) {
      const at = opts.now();
      await prune(at);
      const uKey = userKey(username);
      const aKey = addressKey(address);
      const user = await reserve(uKey, opts.maxPerUser, at);
      if (!user.granted) return { granted: false, retryAfterS: seconds(user.until, at) };
      const addr = await reserve(aKey, opts.maxPerAddress, at);
      if (!addr.granted) {
        await giveBack(uKey, user);
        return { granted: false, retryAfterS: seconds(addr.until, at) };
      }
      let settled = false;
      return {
        granted: true,
        async settle(outcome) {
          if (settled) return [];
          settled = true;
          if (outcome === 'success') {
            await clear(uKey);
            await giveBack(aKey, addr);
            return [];
          }
          if (outcome === 'not_checked') {
            await giveBack(uKey, user);
            await giveBack(aKey, addr);
            return [];
          }
          const reached: Limit[] = [];
          if (user.count === opts.maxPerUser) reached.push('user');
          if (addr.count === opts.maxPerAddress) reached.push('address');
          return reached;
        },
      };
    },

    async rejectKey(address) {
      const at = opts.now();
      await prune(at);
      const addr = await reserve(addressKey(address), opts.maxPerAddress, at);
      if (!addr.granted) return { retryAfterS: seconds(addr.until, at), reached: [] };
      return { retryAfterS: null, reached: addr.count === opts.maxPerAddress ? ['address'] : [] };
    },
  };
}
