/**
 * Keeps the matches an event search can still return: the `limit` smallest (`head`) or largest (`tail`) in sort
 * order, out of any number pushed in any order, in at most twice `limit` slots. Sorting happens only when the
 * buffer fills, so pushing costs amortized O(log limit) and the input is never copied.
 */
export class HitBuffer<T> {
  private items: T[] = [];

  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly limit: number,
    private readonly keep: 'head' | 'tail',
  ) {}

  push(item: T): void {
    if (this.limit <= 0) return;
    this.items.push(item);
    if (this.items.length >= 2 * this.limit) this.trim();
  }

  /** The kept items, sorted. */
  sorted(): T[] {
    this.trim();
    return this.items;
  }

  private trim(): void {
    this.items.sort(this.compare);
    if (this.items.length > this.limit) this.items = this.keep === 'head' ? this.items.slice(0, this.limit) : this.items.slice(-this.limit);
  }
}

/**
 * Which end of the sorted matches, and how many, a request can return: the first pipe takes its count from its
 * end and later pipes and `size` only narrow that; without pipes `size` counts from `position`.
 */
export function keptWindow(pipes: readonly { kind: 'head' | 'tail'; count: number }[], size: number, position: 'head' | 'tail'): { limit: number; keep: 'head' | 'tail' } {
  if (pipes.length > 0) return { limit: pipes[0].count, keep: pipes[0].kind };
  return { limit: size, keep: position };
}
