/** A small, fast, seedable PRNG (mulberry32) with the helpers the generators need. */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Mixing the seed once keeps small consecutive seeds (1, 2, 3) from starting on similar sequences.
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform unsigned 32-bit integer. */
  uint32(): number {
    return (this.next() * 4294967296) >>> 0;
  }

  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Lower-case hex string of `length` characters. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.uint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** A random (version 4 shaped) UUID. */
  uuid(): string {
    const a = this.uint32();
    const b = this.uint32();
    const c = this.uint32();
    const d = this.uint32();
    return (
      hex8(a) + '-' + hex4(b >>> 16) + '-4' + hex4(b).slice(1) + '-a' + hex4(c >>> 16).slice(1) + '-' + hex4(c) + hex8(d)
    );
  }
}

const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex4(n: number): string {
  return BYTE_HEX[(n >>> 8) & 0xff] + BYTE_HEX[n & 0xff];
}

function hex8(n: number): string {
  return BYTE_HEX[n >>> 24] + BYTE_HEX[(n >>> 16) & 0xff] + BYTE_HEX[(n >>> 8) & 0xff] + BYTE_HEX[n & 0xff];
}
