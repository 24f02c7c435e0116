import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Uint32Arena } from '../src/uint32-arena.js';

/** Whether two views share memory. */
function overlap(a: Uint32Array, b: Uint32Array): boolean {
  if (a.buffer !== b.buffer || a.length === 0 || b.length === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

describe('Uint32Arena', () => {
  it('carves arrays from a chunk and reuses the chunk once they are all released', () => {
    const arena = new Uint32Arena(100);
    const a = arena.acquire(60);
    const b = arena.acquire(30);
    expect(a.length).toBe(60);
    expect(b.buffer).toBe(a.buffer);
    // Does not fit: a second chunk.
    const c = arena.acquire(20);
    expect(c.buffer).not.toBe(a.buffer);
    expect(arena.chunkCount).toBe(2);
    arena.release(a);
    expect(arena.chunkCount).toBe(2);
    arena.release(b);
    // The first chunk is now a spare, and serves the next chunk's worth.
    const d = arena.acquire(90);
    expect(d.buffer).toBe(a.buffer);
    expect(arena.chunkCount).toBe(2);
    expect(arena.bytesHeld).toBe(2 * 400);
    arena.release(c);
    arena.release(d);
  });

  it('allocates short arrays plainly, and gives an array longer than a chunk its own', () => {
    const arena = new Uint32Arena(64);
    expect(arena.acquire(15).length).toBe(15);
    expect(arena.acquire(0).length).toBe(0);
    expect(arena.chunkCount).toBe(0);
    const big = arena.acquire(1000);
    expect(big.length).toBe(1000);
    arena.release(big);
    // Not kept as a spare: only chunks of the regular size are.
    expect(arena.bytesHeld).toBe(0);
  });

  it('refuses the release of an array that is not in use', () => {
    const arena = new Uint32Arena(64);
    const a = arena.acquire(20);
    arena.release(a);
    expect(() => arena.release(a)).toThrow(/not in use/);
    expect(() => arena.release(new Uint32Array(20))).toThrow(/not in use/);
  });

  it('never hands out memory in use; holds no more chunks than were ever in use at once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 })), { maxLength: 300 }),
        (ops) => {
          const CHUNK = 256;
          const arena = new Uint32Arena(CHUNK);
          // Acquired in order; released mostly oldest first, sometimes out of order.
          const held: Uint32Array[] = [];
          let peak = 0;
          for (const [take, n] of ops) {
            if (take || held.length === 0) {
              const a = arena.acquire(n);
              expect(a.length).toBe(n);
              for (const h of held) expect(overlap(a, h)).toBe(false);
              held.push(a);
            } else {
              const i = n % 7 === 0 ? n % held.length : 0;
              arena.release(held.splice(i, 1)[0] as Uint32Array);
            }
            // Chunks in use: those of the arrays held (chunk-sized ones), plus the one
            // being filled.
            const buffers = new Set<ArrayBufferLike>();
            for (const h of held) if (h.length >= 16 && h.length <= CHUNK) buffers.add(h.buffer);
            peak = Math.max(peak, buffers.size + 1);
            let own = 0;
            for (const h of held) if (h.length > CHUNK) own++;
            expect(arena.chunkCount - own).toBeLessThanOrEqual(peak);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
