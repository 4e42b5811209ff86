/**
 * Shared-memory buffers for bulk request bodies, reused from request to request. A body lives in shared
 * memory so the store's preparation thread reads its lines without a copy, and writes the documents it
 * makes of them over the body (the lines are scratch once parsed; see doc-prep.ts). That thread's references keep
 * the memory alive until its own garbage collection, which rarely runs (it allocates little), so fresh
 * buffers per request would pile up. Reused slabs bound the memory instead: at most `keep` are held.
 */
export class BodySlabs {
  private readonly free: SharedArrayBuffer[] = [];

  constructor(
    private readonly keep = 3,
    /** Slabs larger than this are not kept for reuse (one-off huge bodies). */
    private readonly maxKeptBytes = 48 * 2 ** 20,
  ) {}

  /** A lease: `alloc(size)` gives a zero-offset buffer of `size` bytes; `release()` hands its slab back. */
  lease(): { alloc(size: number): Buffer; release(): void } {
    let slab: SharedArrayBuffer | null = null;
    return {
      alloc: (size: number) => {
        if (slab) this.giveBack(slab);
        slab = this.take(size);
        return Buffer.from(slab, 0, size);
      },
      release: () => {
        if (slab) this.giveBack(slab);
        slab = null;
      },
    };
  }

  /** Slabs held for reuse (for tests). */
  get held(): number {
    return this.free.length;
  }

  private take(size: number): SharedArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const s = this.free[i] as SharedArrayBuffer; // i < length
      if (s.byteLength >= size && (best === -1 || s.byteLength < (this.free[best] as SharedArrayBuffer).byteLength)) best = i;
    }
    if (best !== -1) return this.free.splice(best, 1)[0] as SharedArrayBuffer; // best indexes free
    // rounded up to a MiB, so bodies of similar size fit each other's slabs
    return new SharedArrayBuffer(Math.max(1, Math.ceil(size / 2 ** 20)) * 2 ** 20);
  }

  private giveBack(slab: SharedArrayBuffer): void {
    if (slab.byteLength > this.maxKeptBytes) return;
    this.free.push(slab);
    if (this.free.length > this.keep) {
      // drop the smallest
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if ((this.free[i] as SharedArrayBuffer).byteLength < (this.free[smallest] as SharedArrayBuffer).byteLength) smallest = i;
      this.free.splice(smallest, 1);
    }
  }
}
