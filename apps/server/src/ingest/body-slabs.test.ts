import { describe, expect, it } from 'vitest';
import { BodySlabs } from './body-slabs';

describe('BodySlabs', () => {
  it('reuses a released slab for the next body that fits, and keeps at most `keep`', () => {
    const slabs = new BodySlabs(2);
    const a = slabs.lease();
    const first = a.alloc(3 * 2 ** 20);
    first[0] = 7;
    a.release();
    expect(slabs.held).toBe(1);
    const b = slabs.lease();
    const second = b.alloc(2 ** 20);
    expect(second.buffer).toBe(first.buffer); // the same shared memory, offered again
    expect(second.length).toBe(2 ** 20);
    const c = slabs.lease();
    expect(c.alloc(10).buffer).not.toBe(first.buffer); // taken by b until released
    const d = slabs.lease();
    d.alloc(10);
    b.release();
    c.release();
    d.release();
    expect(slabs.held).toBe(2);
  });

  it('does not keep slabs beyond the size cap, and a second alloc on a lease hands the first slab back', () => {
    const slabs = new BodySlabs(3, 2 ** 20);
    const big = slabs.lease();
    expect(big.alloc(5 * 2 ** 20).buffer).toBeInstanceOf(SharedArrayBuffer);
    big.release();
    expect(slabs.held).toBe(0);
    const twice = slabs.lease();
    const one = twice.alloc(100);
    const two = twice.alloc(200);
    expect(two.buffer).toBe(one.buffer); // the first slab came back and fitted again
    expect(slabs.held).toBe(0);
    twice.release();
    expect(slabs.held).toBe(1);
  });
});
