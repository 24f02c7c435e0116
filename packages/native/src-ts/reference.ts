import { type KernelCall, kernelPair, offsetsOutput } from './kernel.js';
import type { AsyncKernelOptions, KernelOptions, ReferenceSequence } from './types.js';
import {
  expectArray,
  expectLength,
  expectObject,
  expectReference,
  expectRegions,
  padByte,
} from './validate.js';

/** Input of {@link getReference}. */
export interface ReferenceInput {
  /**
   * int32 `(n, 3)` row-major: contig index, start, end; 0-based, half-open.
   * Row `i` starts at `start` (may be negative) and has the length given by
   * `outOffsets`; `end` is not read.
   */
  regions: Int32Array;
  /** The reference genome; `regions`' contig indices index its contigs. */
  reference: ReferenceSequence;
  /** int64 `(n + 1)`, starting at 0, non-decreasing: row `i` is `out.subarray(outOffsets[i], outOffsets[i + 1])`. */
  outOffsets: BigInt64Array;
  /** Pad byte for positions off the contig. Default `'N'`. */
  padChar?: number | string;
}

function prepare(input: ReferenceInput): KernelCall<'getReference'> {
  expectObject('input', input);
  const n = expectRegions(input.regions);
  expectReference(input.reference);
  expectArray('outOffsets', input.outOffsets, 'BigInt64Array');
  expectLength('outOffsets', input.outOffsets, n + 1, 'number of queries + 1');
  const args = {
    regions: input.regions,
    reference: input.reference,
    outOffsets: input.outOffsets,
    padChar: padByte(input.padChar),
  };
  return { ...offsetsOutput('outOffsets', input.outOffsets, 'uint8'), args };
}

const getReferencePair = kernelPair('getReference', 'Uint8Array', prepare);

/**
 * Reference bytes per query, padded with `padChar` where the window runs off
 * the contig (start < 0 or past its end). Row `i` is
 * `reference[start_i, start_i + rowLength_i)`.
 *
 * Runs off the JS thread; JS must not mutate the inputs until it settles.
 *
 * @param input - regions, reference and output offsets.
 * @param options - `parallel` (default `'auto'`), `out`, `signal`.
 * @returns uint8 ASCII bytes of length `outOffsets[n]`.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for wrong dtypes, lengths or offsets.
 * @throws {@link IndexOutOfRangeError} `GVL_INDEX_OUT_OF_RANGE` for a contig index or reference
 *   offset out of range.
 * @throws {@link OutputTooLargeError} `GVL_OUTPUT_TOO_LARGE` when the output
 *   (uint8, `outOffsets[n]` bytes) is larger than `maxOutputBytes` (see {@link configureLimits});
 *   checked before allocating.
 * @throws {@link AbortError} `GVL_ABORTED` when `signal` aborts.
 * @example
 * ```ts
 * import { getReference } from '@gvl/native';
 * const data = await getReference({
 *   regions: new Int32Array([0, -2, 3]),
 *   reference: { sequence: new TextEncoder().encode('ACGTA'), offsets: new BigInt64Array([0n, 5n]) },
 *   outOffsets: new BigInt64Array([0n, 5n]),
 * });
 * new TextDecoder().decode(data); // 'NNACG'
 * ```
 * @see genvarloader `_dataset/_reference.py` `get_reference` (Rust: `reference::get_reference`).
 */
export function getReference(
  input: ReferenceInput,
  options?: AsyncKernelOptions<Uint8Array>,
): Promise<Uint8Array> {
  return getReferencePair.run(input, options);
}

/** The synchronous form of {@link getReference}: same input, result and errors; blocks the calling thread. */
export const getReferenceSync: (
  input: ReferenceInput,
  options?: KernelOptions<Uint8Array>,
) => Uint8Array = getReferencePair.runSync;
