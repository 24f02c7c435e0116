import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TypedArrayPool } from '../src/array-pool.js';

describe('TypedArrayPool', () => {
  it('serves exact lengths within 25 % of capacity and reuses released buffers', () => {
    const pool = new TypedArrayPool(Uint32Array);
    const a = pool.acquire(1000);
    expect(a.length).toBe(1000);
    expect(a.buffer.byteLength).toBe(4 * 1024);
    a.fill(7);
    const buf = a.buffer;
    pool.release(a);
    expect(pool.bytesInUse).toBe(0);
    expect(pool.bytesFree).toBe(4 * 1024);
    // Same size class (1000 and 1001 both round up to 1024): the same buffer, stale contents.
    const b = pool.acquire(1001);
    expect(b.buffer).toBe(buf);
    expect(b[0]).toBe(7);
    // Another class: a new buffer.
    const c = pool.acquire(1500);
    expect(c.buffer).not.toBe(buf);
    expect(c.buffer.byteLength).toBe(4 * 1536);
  });

  it('allocates short arrays plainly and ignores their release', () => {
    const pool = new TypedArrayPool(Float64Array);
    const a = pool.acquire(TypedArrayPool.MIN_POOLED - 1);
    expect(a.length).toBe(TypedArrayPool.MIN_POOLED - 1);
    pool.release(a);
    expect(pool.bytesFree).toBe(0);
    expect(pool.acquire(0).length).toBe(0);
  });

  it('refuses a double release and an array it did not hand out', () => {
    const pool = new TypedArrayPool(Int32Array);
    const a = pool.acquire(100);
    pool.release(a);
    expect(() => pool.release(a)).toThrow(/released twice/);
    expect(() => pool.release(pool.acquire(100).subarray(1))).toThrow(/acquire/);
  });

  it('never hands out a buffer in use, and keeps no more free bytes than were ever in use', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 })), { maxLength: 200 }),
        (ops) => {
          const pool = new TypedArrayPool(Uint32Array);
          const held: Uint32Array[] = [];
          let peak = 0;
          for (const [take, n] of ops) {
            if (take || held.length === 0) {
              const a = pool.acquire(n);
              expect(a.length).toBe(n);
              if (n >= TypedArrayPool.MIN_POOLED) {
                expect(a.buffer.byteLength).toBeLessThanOrEqual(Math.ceil(4 * n * 1.25));
                for (const h of held)
                  if (h.length >= TypedArrayPool.MIN_POOLED) expect(h.buffer).not.toBe(a.buffer);
              }
              held.push(a);
            } else {
              pool.release(held.splice(n % held.length, 1)[0] as Uint32Array);
            }
            peak = Math.max(peak, pool.bytesInUse);
            expect(pool.bytesFree).toBeLessThanOrEqual(peak);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
