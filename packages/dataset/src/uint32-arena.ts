/**
 * Recycling of the typed arrays the write allocates per record, so that their memory is
 * reused instead of left to V8's garbage collector: a typed array larger than 64 bytes
 * lives outside V8's heap, and V8 frees such garbage only once tens of MiB of it have
 * piled up, which at large sample counts dominated the write's peak memory.
 *
 * @module
 */

/** Shortest array (in elements) served from a chunk; shorter ones are plain allocations. */
const MIN_ARENA_ELEMENTS = 16;

interface Chunk {
  readonly data: Uint32Array;
  /** Elements handed out from the start of the chunk. */
  used: number;
  /** Arrays handed out from the chunk and not yet released. */
  live: number;
}

/**
 * `Uint32Array`s carved one after the other from large chunks, for arrays that are
 * released in about the order they were acquired (the carriers of VCF records, released
 * once the sweep has moved past them): a chunk is reused, whole, once every array carved
 * from it has been released.
 *
 * Memory: as many chunks as ever spanned the arrays in use at once (from the oldest array
 * not yet released to the newest, plus the chunk being filled); a chunk freed is kept for
 * reuse, never dropped, so that a span that shrinks and grows again allocates nothing.
 * Each chunk holds `chunkElements` elements (4 bytes each). Nothing is allocated per
 * array once the chunks are there, except arrays shorter than 16 elements (V8 keeps those
 * on its heap, where young garbage is cheap) and arrays longer than a chunk (a chunk of
 * their own, dropped on release).
 *
 * A released array must not be used again: its memory is handed out by a later
 * `acquire`.
 *
 * @example
 * ```ts
 * const arena = new Uint32Arena(1 << 18); // 1 MiB chunks
 * const a = arena.acquire(1000); // length 1000; contents unspecified
 * a.fill(0);
 * arena.release(a);
 * ```
 */
export class Uint32Arena {
  private readonly chunkElements: number;
  private readonly chunks = new Map<ArrayBufferLike, Chunk>();
  private readonly spare: Chunk[] = [];
  private current: Chunk | undefined;

  /** @param chunkElements - elements per chunk (at least 16). */
  constructor(chunkElements: number) {
    if (!Number.isSafeInteger(chunkElements) || chunkElements < MIN_ARENA_ELEMENTS)
      throw new Error(`Uint32Arena: chunkElements must be an integer >= 16, got ${chunkElements}`);
    this.chunkElements = chunkElements;
  }

  /** Bytes of every chunk held, in use or spare. */
  get bytesHeld(): number {
    let n = 0;
    for (const c of this.chunks.values()) n += c.data.byteLength;
    return n;
  }

  /** Chunks held, in use or spare. */
  get chunkCount(): number {
    return this.chunks.size;
  }

  /**
   * An array of `n` elements. Its contents are unspecified (reused memory keeps what it
   * held): the caller writes every element it reads.
   */
  acquire(n: number): Uint32Array {
    if (n < MIN_ARENA_ELEMENTS) return new Uint32Array(n);
    if (n > this.chunkElements) {
      // A chunk of its own, dropped on release.
      const own = this.newChunk(n);
      own.used = n;
      own.live = 1;
      return own.data;
    }
    let c = this.current;
    if (c === undefined || c.used + n > c.data.length) {
      if (c !== undefined && c.live === 0) this.retire(c);
      c = this.spare.pop() ?? this.newChunk();
      this.current = c;
    }
    const a = c.data.subarray(c.used, c.used + n);
    c.used += n;
    c.live++;
    return a;
  }

  /** Gives back an array returned by {@link acquire} (the array itself, not a view of it). */
  release(a: Uint32Array): void {
    if (a.length < MIN_ARENA_ELEMENTS) return;
    const c = this.chunks.get(a.buffer);
    if (c === undefined || c.live === 0)
      throw new Error('Uint32Arena: release() of an array that is not in use');
    c.live--;
    if (c.live > 0) return;
    if (c === this.current) c.used = 0;
    else this.retire(c);
  }

  private newChunk(elements = this.chunkElements): Chunk {
    const c: Chunk = { data: new Uint32Array(elements), used: 0, live: 0 };
    this.chunks.set(c.data.buffer, c);
    return c;
  }

  /** A chunk with nothing in use: kept as a spare (a chunk of its own is dropped). */
  private retire(c: Chunk): void {
    c.used = 0;
    if (c.data.length === this.chunkElements) this.spare.push(c);
    else this.chunks.delete(c.data.buffer);
  }
}
