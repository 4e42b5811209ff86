/**
 * Keeps the matches an event search can still return: the `limit` smallest (`head`) or largest (`tail`) in sort
 * order, out of any number pushed in any order, in at most twice `limit` slots. Sorting happens only when the
 * buffer fills, so pushing costs amortized O(log limit) and the input is never copied. Once `limit` items are
 * kept, an item that cannot be kept costs one comparison; items pushed in order are never sorted.
 */
export class HitBuffer<T> {
  private items: T[] = [];
  /** Whether `items` is in order (pushes that arrive in order need no sort). */
  private inOrder = true;
  /** Once `limit` items are kept: the one a new item must beat to be kept (the last kept of the head, the first of the tail). */
  private bound: T | null = null;

  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly limit: number,
    private readonly keep: 'head' | 'tail',
  ) {}

  push(item: T): void {
    if (this.limit <= 0) return;
    // an item that cannot be kept costs one comparison, not a place in the next sort
    if (this.bound !== null && (this.keep === 'head' ? this.compare(item, this.bound) > 0 : this.compare(item, this.bound) < 0)) return;
    const last = this.items.length > 0 ? this.items[this.items.length - 1] : undefined;
    if (this.inOrder && last !== undefined && this.compare(last, item) > 0) this.inOrder = false;
    this.items.push(item);
    if (this.items.length >= 2 * this.limit) this.trim();
  }

  /** The kept items, sorted. */
  sorted(): T[] {
    this.trim();
    return this.items;
  }

  private trim(): void {
    if (!this.inOrder) this.items.sort(this.compare);
    this.inOrder = true;
    if (this.items.length > this.limit) this.items = this.keep === 'head' ? this.items.slice(0, this.limit) : this.items.slice(-this.limit);
    if (this.items.length === this.limit) this.bound = (this.keep === 'head' ? this.items[this.limit - 1] : this.items[0]) as T; // length === limit > 0
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
