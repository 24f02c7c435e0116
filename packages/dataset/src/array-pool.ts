/**
 * Recycling of the typed arrays the write allocates per record and per region, so that
 * their memory is reused instead of left to V8's garbage collector: a typed array larger
 * than 64 bytes lives outside V8's heap, and V8 frees such garbage only once tens of MiB
 * of it have piled up, which at large sample counts dominated the write's peak memory.
 *
 * @module
 */

/** A typed array class the pool can build views of. */
interface TypedArrayClass<T> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

type PoolArray = Uint32Array | Int32Array | Float64Array;

/**
 * Capacity, in elements, of the buffer that serves `n >= 16` elements: `n` rounded up to
 * a multiple of a quarter of the power of two below it (so at most 25 % above `n`; four
 * capacities per doubling).
 */
function capacityOf(n: number): number {
  const step = 2 ** (31 - Math.clz32(n) - 2);
  return Math.ceil(n / step) * step;
}

/**
 * Typed arrays by size class: {@link TypedArrayPool.acquire} returns a view of exactly
 * the requested length on a buffer of at most 25 % more capacity (four classes per
 * doubling), taken from the free buffers of that class when there is one;
 * {@link TypedArrayPool.release} gives the buffer back. Arrays shorter than {@link TypedArrayPool.MIN_POOLED} elements
 * are plain allocations (V8 keeps typed arrays of up to 64 bytes on its heap, where young
 * garbage is cheap) and releasing them does nothing.
 *
 * Memory: at most 1.25 times the elements requested, per array in use; the free buffers
 * never exceed the most bytes that were in use at once (beyond that, released buffers
 * are left to the garbage collector).
 *
 * A released array must not be used again: its buffer is handed out by a later
 * `acquire`. Releasing an array twice throws (a bug of the caller).
 *
 * @example
 * ```ts
 * const pool = new TypedArrayPool(Uint32Array);
 * const a = pool.acquire(1000); // length 1000, capacity 1024; contents unspecified
 * a.fill(0);
 * pool.release(a);
 * ```
 */
export class TypedArrayPool<T extends PoolArray> {
  /** Shortest array (in elements) served from the pool. */
  static readonly MIN_POOLED = 16;
  private readonly cls: TypedArrayClass<T>;
  /** Free buffers by capacity in elements. */
  private readonly free = new Map<number, ArrayBuffer[]>();
  private readonly freeSet = new Set<ArrayBuffer>();
  private freeBytes = 0;
  private usedBytes = 0;
  private peakUsedBytes = 0;

  constructor(cls: TypedArrayClass<T>) {
    this.cls = cls;
  }

  /** Bytes of the buffers currently handed out. */
  get bytesInUse(): number {
    return this.usedBytes;
  }

  /** Bytes of the free buffers kept for reuse. */
  get bytesFree(): number {
    return this.freeBytes;
  }

  /**
   * An array of `n` elements. Its contents are unspecified (a reused buffer keeps what it
   * held): the caller writes every element it reads.
   */
  acquire(n: number): T {
    if (n < TypedArrayPool.MIN_POOLED) return new this.cls(n);
    const cap = capacityOf(n);
    const bytes = this.cls.BYTES_PER_ELEMENT * cap;
    let buf = this.free.get(cap)?.pop();
    if (buf === undefined) {
      buf = new ArrayBuffer(bytes);
    } else {
      this.freeSet.delete(buf);
      this.freeBytes -= bytes;
    }
    this.usedBytes += bytes;
    if (this.usedBytes > this.peakUsedBytes) this.peakUsedBytes = this.usedBytes;
    return new this.cls(buf, 0, n);
  }

  /**
   * Gives back an array returned by {@link acquire}: the array itself, not a subarray of
   * it. After this call neither it nor any view of its buffer may be used.
   */
  release(a: PoolArray): void {
    // Short arrays are plain allocations (and reading `buffer` of an on-heap array would
    // move it off the heap).
    if (a.length < TypedArrayPool.MIN_POOLED) return;
    const buf = a.buffer as ArrayBuffer;
    const bytes = buf.byteLength;
    const cap = bytes / this.cls.BYTES_PER_ELEMENT;
    if (a.byteOffset !== 0 || capacityOf(cap) !== cap || capacityOf(a.length) !== cap)
      throw new Error('TypedArrayPool: release() takes an array returned by acquire()');
    if (this.freeSet.has(buf)) throw new Error('TypedArrayPool: an array was released twice');
    this.usedBytes -= bytes;
    if (this.freeBytes + bytes > this.peakUsedBytes) return;
    let list = this.free.get(cap);
    if (list === undefined) {
      list = [];
      this.free.set(cap, list);
    }
    list.push(buf);
    this.freeSet.add(buf);
    this.freeBytes += bytes;
  }
}
