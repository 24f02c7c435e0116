import { type KernelCall, kernelPair, offsetsOutput } from './kernel.js';
import type { AsyncKernelOptions, IntervalTable, KernelOptions } from './types.js';
import { expectArray, expectLength, expectObject, expectRegions } from './validate.js';

/** Input of {@link intervalsToTracks}. */
export interface TracksInput {
  /**
   * int32 `(n, 3)` row-major: contig index, start, end; 0-based, half-open.
   * Row `i` covers `[start, start + rowLength)`; only `start` is read.
   */
  regions: Int32Array;
  /** int64 `(n)`: the interval group of each query (on disk `region * n_samples + sample`). */
  groups: BigInt64Array;
  /**
   * The intervals (CSR groups of 0-based half-open `[starts, ends)` with float32 values)
   * that `groups` index; positions no interval covers are written as 0.
   */
  intervals: IntervalTable;
  /** int64 `(n + 1)`, starting at 0, non-decreasing: row `i` is `out.subarray(outOffsets[i], outOffsets[i + 1])`. */
  outOffsets: BigInt64Array;
}

function prepare(input: TracksInput): KernelCall<'intervalsToTracks'> {
  expectObject('input', input);
  const n = expectRegions(input.regions);
  expectArray('groups', input.groups, 'BigInt64Array');
  expectLength('groups', input.groups, n, 'one per query');
  expectObject('intervals', input.intervals);
  expectArray('intervals.starts', input.intervals.starts, 'Int32Array');
  expectArray('intervals.ends', input.intervals.ends, 'Int32Array');
  expectArray('intervals.values', input.intervals.values, 'Float32Array');
  expectArray('intervals.offsets', input.intervals.offsets, 'BigInt64Array');
  expectArray('outOffsets', input.outOffsets, 'BigInt64Array');
  expectLength('outOffsets', input.outOffsets, n + 1, 'number of queries + 1');
  const args = {
    regions: input.regions,
    groups: input.groups,
    intervals: input.intervals,
    outOffsets: input.outOffsets,
  };
  return { ...offsetsOutput('outOffsets', input.outOffsets, 'float32'), args };
}

const intervalsToTracksPair = kernelPair('intervalsToTracks', 'Float32Array', prepare);

/**
 * Paint base-pair tracks from intervals: each row starts at 0.0; for each
 * interval of the query's group, `[max(start - q, 0), min(end - q, len))` is
 * set to its value (later intervals overwrite earlier ones); painting stops at
 * the first interval starting at or past the row end (Read semantics guide, §3.6).
 *
 * Runs off the JS thread; JS must not mutate the inputs until it settles.
 *
 * @param input - regions, groups, intervals and output offsets.
 * @param options - `parallel` (default `'auto'`, sized on 4 bytes per element), `out`, `signal`.
 * @returns float32 values of length `outOffsets[n]`.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for wrong dtypes, lengths or offsets.
 * @throws {@link IndexOutOfRangeError} `GVL_INDEX_OUT_OF_RANGE` for a group or interval offset out
 *   of range.
 * @throws {@link OutputTooLargeError} `GVL_OUTPUT_TOO_LARGE` when the output
 *   (float32, `4 * outOffsets[n]` bytes) is larger than `maxOutputBytes` (see {@link configureLimits});
 *   checked before allocating.
 * @throws {@link AbortError} `GVL_ABORTED` when `signal` aborts.
 * @example
 * ```ts
 * import { intervalsToTracks } from '@gvl/native';
 * const track = await intervalsToTracks({
 *   regions: new Int32Array([0, 10, 16]),
 *   groups: new BigInt64Array([0n]),
 *   intervals: { starts: new Int32Array([8, 12]), ends: new Int32Array([11, 14]),
 *                values: new Float32Array([1, 2]), offsets: new BigInt64Array([0n, 2n]) },
 *   outOffsets: new BigInt64Array([0n, 6n]),
 * });
 * track; // Float32Array [1, 0, 2, 2, 0, 0]
 * ```
 * @see genvarloader `_dataset/_intervals.py` `intervals_to_tracks` (Rust: `intervals::intervals_to_tracks`).
 */
export function intervalsToTracks(
  input: TracksInput,
  options?: AsyncKernelOptions<Float32Array>,
): Promise<Float32Array> {
  return intervalsToTracksPair.run(input, options);
}

/** The synchronous form of {@link intervalsToTracks}: same input, result and errors; blocks the calling thread. */
export const intervalsToTracksSync: (
  input: TracksInput,
  options?: KernelOptions<Float32Array>,
) => Float32Array = intervalsToTracksPair.runSync;
