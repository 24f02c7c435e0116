import { native } from './binding.js';
import { type KernelCall, kernelPair, offsetsOutput } from './kernel.js';
import { runSync } from './scheduler.js';
import type {
  AsyncKernelOptions,
  GenotypeTable,
  KernelOptions,
  VariantPositions,
} from './types.js';
import {
  expectArray,
  expectBigInt,
  expectGenotypes,
  expectHaplotypeQueries,
  expectLength,
  expectObject,
  expectVariants,
} from './validate.js';

/**
 * How a realigned track fills the bases an insertion adds. `v_len` below is
 * the insertion's span `ilen + 1` (anchor included; reduced by a shift that
 * ends inside it), `track[rel]` the value at its anchor.
 *
 * - `repeat5p` (default): `track[rel]` over the written span.
 * - `repeat5pNormalized`: `track[rel] / v_len` (computed in float64, stored float32).
 * - `constant`: `value` (default `NaN`), stored as float32.
 * - `flankSample`: `track[lo + hash4(baseSeed, query, hap, outIndex) % (hi - lo + 1)]`
 *   with `lo = max(0, rel - flankWidth)`, `hi = min(trackLen - 1, rel + flankWidth)`
 *   (`flankWidth` default 5; `query` is the 0-based query index in this batch).
 * - `interpolate`: Lagrange polynomial through `k = (order + 2) / 2` (integer
 *   division) anchors each side, at `x = -j` (`track[max(rel - j, 0)]`) and
 *   `x = v_len + j` (`track[min(rel + 1 + j, trackLen - 1)]`), evaluated at
 *   `x = 0, 1, ...` in float64 (`order` default 1, in [0, 32]; orders 2 and 3
 *   coincide, as in the peer).
 */
export type InsertionFill =
  | {
      /** The anchor's value repeated over the insertion (the default). */
      kind: 'repeat5p';
    }
  | {
      /** The anchor's value divided by the insertion's span `v_len`. */
      kind: 'repeat5pNormalized';
    }
  | {
      /** One value for every inserted base. */
      kind: 'constant';
      /** The value written (stored as float32). Default `NaN`. */
      value?: number;
    }
  | {
      /** Values drawn from the track around the anchor with the `hash4` PRNG. */
      kind: 'flankSample';
      /** Bases each side of the anchor to draw from; an integer in `[0, 2^32)`. Default 5. */
      flankWidth?: number;
    }
  | {
      /** A Lagrange polynomial through the flanking values. */
      kind: 'interpolate';
      /** Polynomial order, an integer in `[0, 32]` (2 and 3 coincide). Default 1. */
      order?: number;
    };

/**
 * Check an insertion fill the way every kernel does, e.g. when it is configured
 * rather than at the first batch. The addon is the only place fills are
 * checked: `kind` one of the five names (absent: `repeat5p`), `flankWidth` an
 * integer in `[0, 2^32)`, `order` an integer in `[0, 32]`, `value` a number.
 *
 * @param fill - the fill to check.
 * @param param - how errors name it, default `'fill'` (`'fill.order'`, ...).
 * @returns `fill`, unchanged.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` naming `param.kind`,
 *   `param.flankWidth` or `param.order` and the bad value, or `param` when `fill` is not an object.
 * @example
 * ```ts
 * import { checkInsertionFill } from '@gvl/native';
 * checkInsertionFill({ kind: 'interpolate', order: 3 }); // { kind: 'interpolate', order: 3 }
 * ```
 */
export function checkInsertionFill(fill: InsertionFill, param = 'fill'): InsertionFill {
  expectObject(param, fill);
  runSync(() => native.checkInsertionFill(param, fill));
  return fill;
}

/** Input of {@link realignTracks}. */
export interface RealignInput {
  /** int32 `(n, 3)` row-major: contig index, start, end; 0-based, half-open (`start` is read). */
  regions: Int32Array;
  /** Haplotypes per query. */
  ploidy: number;
  /** int64 `(n * ploidy)`: the genotype group of (query `i`, haplotype `h`) at `i * ploidy + h`. */
  groups: BigInt64Array;
  /** int32 `(n * ploidy)` non-negative shifts, the same as for {@link reconstructHaplotypes}. */
  shifts?: Int32Array;
  /**
   * The genotype groups (CSR) that `groups` index into: which variants each haplotype
   * carries, as row numbers into `variants`.
   */
  genotypes: GenotypeTable;
  /** Only positions and length changes are needed. */
  variants: VariantPositions;
  /**
   * float32 reference-coordinate track rows, one per query: row `i`
   * (`tracks[trackOffsets[i]..trackOffsets[i + 1]]`) starts at query `i`'s
   * start. The peer's window is `(end - start) - min_h(min(diff_h, 0))` long
   * so deletions can pull values from past the end; reads past a row's end
   * give 0.0.
   */
  tracks: Float32Array;
  /** int64 `(n + 1)` non-decreasing offsets of the track rows. */
  trackOffsets: BigInt64Array;
  /** int64 `(n * ploidy + 1)`, starting at 0: row `k` is `out.subarray(outOffsets[k], outOffsets[k + 1])`. */
  outOffsets: BigInt64Array;
  /** Insertion fill, default `{ kind: 'repeat5p' }`. */
  fill?: InsertionFill;
  /** uint64 seed for `flankSample`, default `0n` (the peer: XOR of the batch's dataset indices). */
  baseSeed?: bigint;
}

function prepare(input: RealignInput): KernelCall<'realignTracks'> {
  expectObject('input', input);
  const { n, ploidy, rows } = expectHaplotypeQueries(input);
  expectGenotypes(input.genotypes);
  expectVariants(input.variants, false);
  expectArray('tracks', input.tracks, 'Float32Array');
  expectArray('trackOffsets', input.trackOffsets, 'BigInt64Array');
  expectLength('trackOffsets', input.trackOffsets, n + 1, 'number of queries + 1');
  expectArray('outOffsets', input.outOffsets, 'BigInt64Array');
  expectLength('outOffsets', input.outOffsets, rows + 1, 'number of rows + 1');
  if (input.fill !== undefined) expectObject('fill', input.fill);
  if (input.baseSeed !== undefined) expectBigInt('baseSeed', input.baseSeed);
  const args = {
    regions: input.regions,
    ploidy,
    groups: input.groups,
    shifts: input.shifts,
    genotypes: input.genotypes,
    variants: { starts: input.variants.starts, ilens: input.variants.ilens },
    tracks: input.tracks,
    trackOffsets: input.trackOffsets,
    outOffsets: input.outOffsets,
    fill: input.fill,
    baseSeed: input.baseSeed,
  };
  return { ...offsetsOutput('outOffsets', input.outOffsets, 'float32'), args };
}

const realignTracksPair = kernelPair('realignTracks', 'Float32Array', prepare);

/**
 * Realign reference-coordinate tracks to haplotypes (Read semantics guide, §3.6):
 * the same walk as {@link reconstructHaplotypes} (same shifts, overlaps
 * first-wins, deletions spanning the start), over track values instead of
 * bases. SNVs leave the track unchanged; a deletion writes its anchor value
 * once and skips the deleted span; insertions are filled per `fill`. Past the
 * track row the output is 0.0. A haplotype with no variants copies the track
 * (no shift, as the peer). Every element is written.
 *
 * Runs off the JS thread; JS must not mutate the inputs until it settles.
 *
 * @param input - regions, groups, shifts, genotypes, variant positions, track rows, output offsets, fill.
 * @param options - `parallel` (default `'auto'`, sized on 4 bytes per element), `out`, `signal`.
 * @returns float32 values of length `outOffsets[n * ploidy]`.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for wrong dtypes, lengths, offsets,
 *   a bad `fill` or `baseSeed`.
 * @throws {@link IndexOutOfRangeError} `GVL_INDEX_OUT_OF_RANGE` for a group, genotype offset,
 *   variant index or track offset out of range.
 * @throws {@link OutputTooLargeError} `GVL_OUTPUT_TOO_LARGE` when the output
 *   (float32, `4 * outOffsets[n * ploidy]` bytes) is larger than `maxOutputBytes` (see {@link configureLimits});
 *   checked before allocating.
 * @throws {@link AbortError} `GVL_ABORTED` when `signal` aborts.
 * @example
 * ```ts
 * import { realignTracks } from '@gvl/native';
 * const out = await realignTracks({
 *   regions: new Int32Array([0, 100, 104]),
 *   ploidy: 1,
 *   groups: new BigInt64Array([0n]),
 *   genotypes: { offsets: new BigInt64Array([0n, 1n]), variantIdxs: new Int32Array([0]) },
 *   variants: { starts: new Int32Array([101]), ilens: new Int32Array([2]) }, // +2 after 101
 *   tracks: new Float32Array([1, 2, 3, 4]),
 *   trackOffsets: new BigInt64Array([0n, 4n]),
 *   outOffsets: new BigInt64Array([0n, 6n]),
 *   fill: { kind: 'constant', value: 0.5 },
 * });
 * out; // Float32Array [1, 0.5, 0.5, 0.5, 3, 4]
 * ```
 * @see genvarloader `_dataset/_tracks.py` `shift_and_realign_tracks_sparse`
 *   (Rust: `tracks::shift_and_realign_tracks_sparse`).
 */
export function realignTracks(
  input: RealignInput,
  options?: AsyncKernelOptions<Float32Array>,
): Promise<Float32Array> {
  return realignTracksPair.run(input, options);
}

/** The synchronous form of {@link realignTracks}: same input, result and errors; blocks the calling thread. */
export const realignTracksSync: (
  input: RealignInput,
  options?: KernelOptions<Float32Array>,
) => Float32Array = realignTracksPair.runSync;
