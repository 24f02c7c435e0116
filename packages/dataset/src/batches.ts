/**
 * Batch planning: the order in which an epoch's (region, sample) items are visited, of
 * this rank's share ({@link shardOrder}), cut into batches. Used by `Dataset.batches()`
 * and the loader, and exported for code that builds batches itself.
 *
 * @module
 */

import * as v from 'valibot';
import type { BatchOptions, Dataset } from './dataset.js';
import { shardOrder } from './distributed.js';
import { bool, intAtLeast, parse } from './schema.js';

/**
 * The rules of the options {@link planBatches} reads itself, with their defaults (the
 * shard options are {@link shardOrder}'s).
 */
const planSchema = v.looseObject({
  batchSize: v.nullish(intAtLeast(1), 32),
  startBatch: v.nullish(intAtLeast(0), 0),
  dropLast: v.nullish(bool, false),
});

/** One planned batch: paired subset positions. */
export interface PlannedBatch {
  /** Position of the batch in the epoch, from 0. */
  index: number;
  /** Region of each item: int32 positions in the dataset's current subset of regions. */
  regions: Int32Array;
  /** Sample of each item: int32 positions in the current subset of samples (paired with `regions`). */
  samples: Int32Array;
}

/**
 * The batches of an epoch over a dataset's current subset (region-major order, or a
 * seeded Fisher–Yates shuffle of `seed + epoch`), of this rank's share when
 * `worldSize > 1` ({@link shardOrder}), from batch `startBatch`. Options are checked
 * when it is called, before the first batch.
 *
 * @throws {@link GvlError} `GVL_INVALID_ARGUMENT` for a bad batch size, start batch,
 *   `dropLast` or `shuffle` flag, seed, rank, world size, epoch or shard remainder.
 * @example
 * ```ts
 * const [first] = planBatches(ds.subsetTo({ samples: slice(0, 2) }), { batchSize: 4 });
 * first; // { index: 0, regions: Int32Array [0, 0, 1, 1], samples: Int32Array [0, 1, 0, 1] }
 * ```
 */
export function planBatches(ds: Dataset, options: BatchOptions): Generator<PlannedBatch> {
  const { batchSize, startBatch, dropLast } = parse(planSchema, options);
  const nS = ds.nSamples;
  const order = shardOrder(ds.length, {
    shuffle: options.shuffle ?? false,
    seed: options.seed ?? ds.settings.seed,
    epoch: options.epoch ?? 0,
    rank: options.rank ?? 0,
    worldSize: options.worldSize ?? 1,
    remainder: options.shardRemainder ?? 'pad',
  });
  return batchesOf(order, nS, batchSize, startBatch, dropLast);
}

/** The batches of an item order, from batch `startBatch`. */
function* batchesOf(
  order: Uint32Array,
  nS: number,
  batchSize: number,
  startBatch: number,
  dropLast: boolean,
): Generator<PlannedBatch> {
  const total = order.length;
  let index = startBatch;
  for (let start = startBatch * batchSize; start < total; start += batchSize) {
    const n = Math.min(batchSize, total - start);
    if (n < batchSize && dropLast) break;
    const regions = new Int32Array(n);
    const samples = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const flat = order[start + i] as number;
      regions[i] = Math.floor(flat / nS);
      samples[i] = flat % nS;
    }
    yield { index: index++, regions, samples };
  }
}
