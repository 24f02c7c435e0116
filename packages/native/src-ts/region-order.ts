/**
 * The stored order of a dataset's regions, as the Python peer computes it.
 */
import { native } from './binding.js';
import { invalidArgument } from './errors.js';
import { runSync } from './scheduler.js';

/**
 * The stored (on-disk) order of a dataset's regions exactly as genvarloader 0.43.1
 * computes it when it writes a dataset and again when it opens one: sorted by contig rank,
 * then start, then end, with regions that tie on all three in the order of the peer's
 * sort (polars' multi-column sort, an unstable rayon sort), not in input order. Writing
 * tied regions in this order is what lets the peer pair each stored region with its own
 * strand. Runs on a private one-thread pool (the result does not depend on the thread
 * count) and blocks the calling thread: O(n log n) comparisons, ~1 ms per 10,000 regions.
 *
 * @param contigRank - uint32, one per input (BED) row: the rank of the row's contig among
 *   the natsorted contigs.
 * @param starts - float64, one per row: 0-based start, unpadded, an integer.
 * @param ends - float64, one per row: exclusive end, unpadded, an integer.
 * @returns `order`, uint32, one per row: `order[d]` is the input row stored at position
 *   `d` (a permutation of `0..n`).
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` when the arrays are not a
 *   `Uint32Array` and two `Float64Array`s of one length, or a coordinate is not an
 *   integer (`index` names it).
 * @example
 * ```ts
 * import { peerRegionOrder } from '@gvl/native';
 * peerRegionOrder(new Uint32Array([1, 0, 0]), new Float64Array([5, 9, 3]), new Float64Array([6, 10, 4]));
 * // Uint32Array [2, 1, 0]
 * ```
 * @see genvarloader `_write._prep_bed` and `_open._build_indexer` (`seqpro.bed.sort`).
 */
export function peerRegionOrder(
  contigRank: Uint32Array,
  starts: Float64Array,
  ends: Float64Array,
): Uint32Array {
  if (!(contigRank instanceof Uint32Array))
    throw invalidArgument('contigRank', contigRank, 'a Uint32Array');
  if (!(starts instanceof Float64Array)) throw invalidArgument('starts', starts, 'a Float64Array');
  if (!(ends instanceof Float64Array)) throw invalidArgument('ends', ends, 'a Float64Array');
  return runSync(() => native.peerRegionOrder(contigRank, starts, ends));
}
