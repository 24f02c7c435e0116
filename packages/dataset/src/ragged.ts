/**
 * Ragged arrays: a flat typed array plus CSR offsets, with any number of regular
 * leading dimensions and one ragged (variable-length) last axis.
 *
 * @module
 */
import { RaggedError } from './errors.js';

/** Every built-in typed array type a {@link Ragged} can hold. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** The element type of a typed array: `bigint` for the 64-bit integer arrays, else `number`. */
export type ElementOf<T extends TypedArray> = T extends BigInt64Array | BigUint64Array
  ? bigint
  : number;

/**
 * The shape of a {@link Ragged}: the regular leading dimensions followed by `null`
 * for the ragged last axis, like the peer's `(b, p, None)`.
 */
export type RaggedShape = readonly [...dims: number[], ragged: null];

/** A dense, row-major array: `data.length === shape.reduce((a, b) => a * b, 1)`. */
export interface Dense<T extends TypedArray> {
  /** Row-major elements. */
  readonly data: T;
  /** Leading dimensions of the ragged array followed by the padded length. */
  readonly shape: readonly number[];
}

type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

function isIntegerLike(x: number): boolean {
  return Number.isSafeInteger(x) && x >= 0;
}

function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

function checkDims(dims: readonly number[], rows: number): void {
  for (const d of dims) {
    if (!isIntegerLike(d)) {
      throw new RaggedError(
        `shape dimension ${String(d)} is invalid: expected a non-negative integer`,
        { value: d },
      );
    }
  }
  if (product(dims) !== rows) {
    throw new RaggedError(
      `shape (${dims.join(', ')}, None) holds ${product(dims)} rows but offsets describe ${rows}`,
      { value: dims },
    );
  }
}

/**
 * A ragged array: `n` rows of variable length stored back to back in one typed array.
 *
 * - `data`: the elements, any {@link TypedArray}.
 * - `offsets`: `BigInt64Array` of length `n + 1`, non-decreasing (int64 like the peer,
 *   so offsets can address more than 2^31 elements). Row `i` is
 *   `data.subarray(offsets[i], offsets[i + 1])` — a view, no copy.
 * - `shape`: the regular leading dimensions and `null` for the ragged axis, e.g.
 *   `[b, p, null]` for haplotypes of `b` queries × `p` ploids; rows are flattened
 *   row-major, so row `(i, j)` of a `[b, p, null]` array is flat row `i * p + j`.
 *
 * Instances are immutable views: methods never copy `data` unless they say so.
 *
 * @typeParam T - the typed array type of the elements.
 * @see genvarloader's `seqpro.rag.Ragged` (the peer's ragged container)
 * @example
 * ```ts
 * const r = Ragged.fromLengths(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 0, 4]);
 * r.row(2); // Uint8Array [3, 4, 5, 6] (a view into r.data)
 * r.toPadded(0).data; // Uint8Array [1, 2, 0, 0, 0, 0, 0, 0, 3, 4, 5, 6]
 * ```
 */
export class Ragged<T extends TypedArray> {
  /** The elements of all rows, back to back. */
  readonly data: T;
  /** `BigInt64Array` of length `length + 1`; row `i` spans `[offsets[i], offsets[i + 1])` of `data`. */
  readonly offsets: BigInt64Array;
  /** Leading dimensions followed by `null` for the ragged axis. */
  readonly shape: RaggedShape;

  private constructor(data: T, offsets: BigInt64Array, shape: RaggedShape) {
    this.data = data;
    this.offsets = offsets;
    this.shape = shape;
  }

  /**
   * Wraps `data` with explicit offsets (no copy of `data`; `offsets` is copied only when
   * it is not already a `BigInt64Array`).
   *
   * @param data - the elements.
   * @param offsets - length `n + 1`, non-decreasing, `offsets[n] <= data.length`;
   *   `offsets[0]` may be > 0 (a view into a larger buffer).
   * @param dims - leading dimensions; their product must be `n`. Default `[n]`.
   * @throws {@link RaggedError} `GVL_INVALID_RAGGED` when offsets are empty, negative,
   *   decreasing, past the end of `data`, or do not match `dims`.
   */
  static fromOffsets<T extends TypedArray>(
    data: T,
    offsets: BigInt64Array | ArrayLike<number | bigint>,
    dims?: readonly number[],
  ): Ragged<T> {
    const offs = offsets instanceof BigInt64Array ? offsets : toBigInt64(offsets);
    if (offs.length === 0) {
      throw new RaggedError('offsets must have length n + 1 >= 1, got an empty array', {
        value: offs,
      });
    }
    let prev = offs[0] as bigint;
    if (prev < 0n) {
      throw new RaggedError(`offsets[0] = ${prev} is negative: expected >= 0`, { value: prev });
    }
    for (let i = 1; i < offs.length; i++) {
      const cur = offs[i] as bigint;
      if (cur < prev) {
        throw new RaggedError(
          `offsets must be non-decreasing: offsets[${i}] = ${cur} < offsets[${i - 1}] = ${prev}`,
          { value: i },
        );
      }
      prev = cur;
    }
    if (prev > BigInt(data.length)) {
      throw new RaggedError(`offsets end at ${prev} but data has only ${data.length} elements`, {
        value: prev,
      });
    }
    const rows = offs.length - 1;
    const d = dims ?? [rows];
    checkDims(d, rows);
    return new Ragged(data, offs, [...d, null] as RaggedShape);
  }

  /**
   * Builds a ragged array from per-row lengths (no copy of `data`).
   *
   * @param data - the elements; `data.length` must equal the sum of `lengths`.
   * @param lengths - non-negative integer length of each row, in row-major order.
   * @param dims - leading dimensions; their product must be `lengths.length`. Default
   *   `[lengths.length]`.
   * @throws {@link RaggedError} `GVL_INVALID_RAGGED` when a length is negative or not an
   *   integer, the lengths do not sum to `data.length`, or `dims` does not match.
   */
  static fromLengths<T extends TypedArray>(
    data: T,
    lengths: ArrayLike<number | bigint>,
    dims?: readonly number[],
  ): Ragged<T> {
    const offsets = offsetsFromLengths(lengths);
    const total = offsets[offsets.length - 1] as bigint;
    if (total !== BigInt(data.length)) {
      throw new RaggedError(`lengths sum to ${total} but data has ${data.length} elements`, {
        value: total,
      });
    }
    return Ragged.fromOffsets(data, offsets, dims);
  }

  /**
   * An empty-rowed ragged array of the given shape (every row has length 0).
   *
   * @param ctor - the typed array constructor, e.g. `Uint8Array`.
   * @param dims - leading dimensions.
   */
  static empty<T extends TypedArray>(
    ctor: TypedArrayConstructor<T>,
    dims: readonly number[],
  ): Ragged<T> {
    const rows = product(dims);
    return Ragged.fromOffsets(new ctor(0), new BigInt64Array(rows + 1), dims);
  }

  /** Number of rows (the product of the leading dimensions). */
  get length(): number {
    return this.offsets.length - 1;
  }

  /** The leading (regular) dimensions, i.e. `shape` without the ragged axis. */
  get dims(): readonly number[] {
    return this.shape.slice(0, -1) as number[];
  }

  /**
   * Flat row `i` as a view into `data` (no copy). Negative `i` counts from the end.
   *
   * @throws {@link RaggedError} `GVL_INVALID_RAGGED` when `i` is out of range.
   */
  row(i: number): T {
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      throw new RaggedError(`row ${i} is out of range for ${n} rows`, { value: i });
    }
    const start = Number(this.offsets[j] as bigint);
    const end = Number(this.offsets[j + 1] as bigint);
    return this.data.subarray(start, end) as T;
  }

  /**
   * The row at a multi-dimensional index, one integer per leading dimension, as a view.
   *
   * @example
   * ```ts
   * haps.at(3, 1); // query 3, ploid 1 of a [b, p, null] array
   * ```
   * @throws {@link RaggedError} `GVL_INVALID_RAGGED` when the index has the wrong arity
   *   or a component is out of range.
   */
  at(...index: number[]): T {
    const dims = this.dims;
    if (index.length !== dims.length) {
      throw new RaggedError(
        `index (${index.join(', ')}) has ${index.length} components but the array has ${dims.length} leading dimensions`,
        { value: index },
      );
    }
    let flat = 0;
    for (let k = 0; k < dims.length; k++) {
      const d = dims[k] as number;
      const i = index[k] as number;
      if (!Number.isInteger(i) || i < 0 || i >= d) {
        throw new RaggedError(`index ${i} is out of range for dimension ${k} of size ${d}`, {
          value: index,
        });
      }
      flat = flat * d + i;
    }
    return this.row(flat);
  }

  /**
   * Rows `[start, end)` as a 1-D ragged array sharing `data` and a view of `offsets`
   * (no copy).
   *
   * @throws {@link RaggedError} `GVL_INVALID_RAGGED` when the range is out of bounds.
   */
  rows(start: number, end: number = this.length): Ragged<T> {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
      throw new RaggedError(`row range [${start}, ${end}) is invalid`, { value: [start, end] });
    }
    if (end > this.length) {
      throw new RaggedError(`row range [${start}, ${end}) exceeds ${this.length} rows`, {
        value: [start, end],
      });
    }
    return new Ragged(this.data, this.offsets.subarray(start, end + 1), [end - start, null]);
  }

  /**
   * The same rows under new leading dimensions (no copy).
   *
   * @throws {@link RaggedError} `GVL_INVALID_RAGGED` when `dims` does not hold `length` rows.
   */
  reshape(dims: readonly number[]): Ragged<T> {
    checkDims(dims, this.length);
    return new Ragged(this.data, this.offsets, [...dims, null] as RaggedShape);
  }

  /** Length of every row, row-major, as exact integers in a `Float64Array`. */
  lengths(): Float64Array {
    const n = this.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = Number((this.offsets[i + 1] as bigint) - (this.offsets[i] as bigint));
    }
    return out;
  }

  /** Iterates over the rows as views, row-major. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.row(i);
  }

  /**
   * A dense copy right-padded with `fill`: shape `[...dims, L]` where `L` is `length`
   * when given (longer rows are truncated to their first `L` elements) or else the
   * longest row.
   *
   * @param fill - the pad value (`bigint` for 64-bit integer arrays), e.g. `78` (`N`)
   *   for sequences, `0` for tracks.
   * @param length - the padded length `L`, a non-negative integer.
   * @throws {@link RaggedError} `GVL_INVALID_RAGGED` when `length` is not a non-negative
   *   integer.
   */
  toPadded(fill: ElementOf<T>, length?: number): Dense<T> {
    const n = this.length;
    let width: number;
    if (length === undefined) {
      width = 0;
      for (let i = 0; i < n; i++) {
        const l = Number((this.offsets[i + 1] as bigint) - (this.offsets[i] as bigint));
        if (l > width) width = l;
      }
    } else {
      if (!isIntegerLike(length)) {
        throw new RaggedError(`padded length ${length} is invalid: expected an integer >= 0`, {
          value: length,
        });
      }
      width = length;
    }
    const ctor = this.data.constructor as TypedArrayConstructor<T>;
    const out = new ctor(n * width);
    // biome-ignore lint/suspicious/noExplicitAny: fill type is tied to T by ElementOf<T>
    (out as any).fill(fill);
    for (let i = 0; i < n; i++) {
      const start = Number(this.offsets[i] as bigint);
      const end = Math.min(Number(this.offsets[i + 1] as bigint), start + width);
      // biome-ignore lint/suspicious/noExplicitAny: same element type on both sides
      (out as any).set(this.data.subarray(start, end), i * width);
    }
    return { data: out, shape: [...this.dims, width] };
  }
}

/**
 * Exclusive prefix sums of `lengths` as int64 offsets (length `n + 1`, first `0`).
 *
 * @throws {@link RaggedError} `GVL_INVALID_RAGGED` when a length is negative or not an
 *   integer.
 * @example
 * ```ts
 * offsetsFromLengths([2, 0, 3]); // BigInt64Array [0n, 2n, 2n, 5n]
 * ```
 */
export function offsetsFromLengths(lengths: ArrayLike<number | bigint>): BigInt64Array {
  const n = lengths.length;
  const out = new BigInt64Array(n + 1);
  let acc = 0n;
  for (let i = 0; i < n; i++) {
    const l = lengths[i] as number | bigint;
    let b: bigint;
    if (typeof l === 'bigint') {
      b = l;
    } else {
      if (!Number.isSafeInteger(l)) {
        throw new RaggedError(`length ${l} at row ${i} is not an integer`, { value: i });
      }
      b = BigInt(l);
    }
    if (b < 0n) {
      throw new RaggedError(`length ${l} at row ${i} is negative`, { value: i });
    }
    acc += b;
    out[i + 1] = acc;
  }
  return out;
}

function toBigInt64(values: ArrayLike<number | bigint>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number | bigint;
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      throw new RaggedError(`offset ${v} at index ${i} is not an integer`, { value: i });
    }
    out[i] = typeof v === 'bigint' ? v : BigInt(v);
  }
  return out;
}
