import { type RowsInput, rowsKernelPair } from './kernel.js';
import type { Parallel } from './pool.js';

export type { RowsInput } from './kernel.js';

/** Options of the in-place row kernels (no `out`: they write into `data`). */
export interface RowsOptions {
  /** See {@link KernelOptions.parallel}; `'auto'` is sized on `data`'s selected span in bytes. */
  parallel?: Parallel;
}

/** Options of the async in-place row kernels. */
export interface AsyncRowsOptions extends RowsOptions {
  /** See {@link AsyncKernelOptions.signal}. An aborted call may leave some rows transformed. */
  signal?: AbortSignal;
}

const reverseComplementPair = rowsKernelPair('reverseComplement', 'Uint8Array');
const reverseRowsPair = rowsKernelPair('reverseRows', 'Float32Array');

/**
 * Reverse-complement the selected rows of ASCII bytes in place: reverse,
 * then `A<->T`, `C<->G` for uppercase bases only; every other byte (`N`,
 * lowercase, IUPAC) is only moved (Read semantics guide, §3.5). Apply it after
 * truncation/shift, to rows of negative-strand queries.
 *
 * Runs off the JS thread; JS must not touch `data` until it settles.
 *
 * @param input - `data` (Uint8Array, modified in place), `offsets`, optional `rows` mask.
 * @param options - `parallel` (default `'auto'`), `signal`.
 * @returns `data` itself.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for wrong dtypes, a mask of the wrong
 *   length, non-monotone offsets, or `offsets`/`rows` sharing memory with `data`.
 * @throws {@link IndexOutOfRangeError} `GVL_INDEX_OUT_OF_RANGE` for offsets past `data`'s end.
 * @throws {@link AbortError} `GVL_ABORTED` when `signal` aborts.
 * @example
 * ```ts
 * import { reverseComplement } from '@gvl/native';
 * const data = new TextEncoder().encode('AACGnTTTG');
 * await reverseComplement({ data, offsets: new BigInt64Array([0n, 5n, 9n]), rows: new Uint8Array([1, 0]) });
 * new TextDecoder().decode(data); // 'nCGTTTTTG'
 * ```
 * @see genvarloader `_dataset/_ragged.py` `reverse_complement` (Rust: `reverse::rc_flat_rows_inplace`).
 */
export function reverseComplement(
  input: RowsInput<Uint8Array>,
  options?: AsyncRowsOptions,
): Promise<Uint8Array> {
  return reverseComplementPair.run(input, options);
}

/** The synchronous form of {@link reverseComplement}: same input, result and errors; blocks the calling thread. */
export const reverseComplementSync: (
  input: RowsInput<Uint8Array>,
  options?: RowsOptions,
) => Uint8Array = reverseComplementPair.runSync;

/**
 * Reverse the selected float32 rows in place (tracks of negative-strand
 * queries: reversed, never complemented).
 *
 * Runs off the JS thread; JS must not touch `data` until it settles.
 *
 * @param input - `data` (Float32Array, modified in place), `offsets`, optional `rows` mask.
 * @param options - `parallel` (default `'auto'`), `signal`.
 * @returns `data` itself.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for wrong dtypes, a mask of the wrong
 *   length, non-monotone offsets, or `offsets`/`rows` sharing memory with `data`.
 * @throws {@link IndexOutOfRangeError} `GVL_INDEX_OUT_OF_RANGE` for offsets past `data`'s end.
 * @throws {@link AbortError} `GVL_ABORTED` when `signal` aborts.
 * @example
 * ```ts
 * import { reverseRows } from '@gvl/native';
 * const data = new Float32Array([1, 2, 3, 4]);
 * await reverseRows({ data, offsets: new BigInt64Array([0n, 3n, 4n]) });
 * data; // Float32Array [3, 2, 1, 4]
 * ```
 * @see genvarloader `_dataset/_tracks.py` (negative-strand tracks are flipped; Rust:
 *   `reverse::reverse_flat_rows_inplace`).
 */
export function reverseRows(
  input: RowsInput<Float32Array>,
  options?: AsyncRowsOptions,
): Promise<Float32Array> {
  return reverseRowsPair.run(input, options);
}

/** The synchronous form of {@link reverseRows}: same input, result and errors; blocks the calling thread. */
export const reverseRowsSync: (
  input: RowsInput<Float32Array>,
  options?: RowsOptions,
) => Float32Array = reverseRowsPair.runSync;
