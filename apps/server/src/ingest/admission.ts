/**
 * What bounds bulk ingest: how many request bodies (and how many bytes of them) are held at once, and how many
 * requests are prepared and stored at once. Bodies are received before a request waits for its turn to be
 * stored, so a slow sender holds memory for its own body only, never a turn.
 */

/** A body's hold on the budget: `grow(total)` asks for room for `total` bytes in all; `release()` gives it back. */
export interface BodyHold {
  grow(total: number): boolean;
  release(): void;
}

/**
 * Room for request bodies: at most `maxBodies` at once, and at most `maxBytes` bytes of them, except that one
 * body alone may always take up to the body limit (so that any request under the limit gets in eventually).
 */
export class BodyBudget {
  private bodies = 0;
  private bytes = 0;

  constructor(
    readonly maxBodies: number,
    readonly maxBytes: number,
  ) {}

  /** A hold for one more body, or null when `maxBodies` are held already. */
  admit(): BodyHold | null {
    if (this.bodies >= this.maxBodies) return null;
    this.bodies++;
    let held = 0;
    let released = false;
    return {
      grow: (total) => {
        if (released) return false;
        if (total <= held) return true;
        const more = total - held;
        const alone = this.bodies === 1 && this.bytes === held;
        if (!alone && this.bytes + more > this.maxBytes) return false;
        this.bytes += more;
        held = total;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.bodies--;
        this.bytes -= held;
        held = 0;
      },
    };
  }

  /** What is held now (for tests and diagnostics). */
  get state(): { bodies: number; bytes: number } {
    return { bodies: this.bodies, bytes: this.bytes };
  }
}

/** Why a turn was not given: the wait's deadline passed, or the waiter gave up. */
export class TurnRefused extends Error {
  constructor(readonly reason: 'timeout' | 'aborted') {
    super(reason === 'timeout' ? 'no turn to store the request came free in time' : 'the request was abandoned while it waited');
    this.name = 'TurnRefused';
  }
}

interface Waiter {
  grant(release: () => void): void;
}

/**
 * `size` turns, given in arrival order. A waiter leaves the queue when its deadline passes or its signal aborts,
 * so an abandoned request never takes a turn; a turn is given back by calling its release (once; later calls do nothing).
 */
export class Turns {
  private busy = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly size: number) {}

  /** Waits for a turn: resolves with its release, or rejects with TurnRefused. */
  acquire(opts: { waitMs: number; signal?: AbortSignal }): Promise<() => void> {
    if (opts.signal?.aborted) return Promise.reject(new TurnRefused('aborted'));
    if (this.busy < this.size) {
      this.busy++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const leave = (reason: 'timeout' | 'aborted') => {
        const at = this.queue.indexOf(waiter);
        if (at === -1) return;
        this.queue.splice(at, 1);
        cleanup();
        reject(new TurnRefused(reason));
      };
      const onAbort = () => leave('aborted');
      const timer = setTimeout(() => leave('timeout'), opts.waitMs);
      const cleanup = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: (release) => {
          cleanup();
          resolve(release);
        },
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Turns taken and requests waiting (for tests and diagnostics). */
  get state(): { busy: number; waiting: number } {
    return { busy: this.busy, waiting: this.queue.length };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // the turn passes straight to the next waiter, so `busy` stays as it is
      if (next) next.grant(this.releaser());
      else this.busy--;
    };
  }
}
