import { type KernelCall, kernelPair } from './kernel.js';
import type {
  AsyncKernelOptions,
  GenotypeTable,
  KernelOptions,
  VariantPositions,
} from './types.js';
import {
  expectGenotypes,
  expectHaplotypeQueries,
  expectObject,
  expectVariants,
} from './validate.js';

/** Input of {@link getDiffs}. */
export interface DiffsInput {
  /** int32 `(n, 3)` row-major: contig index, start, end; 0-based, half-open. */
  regions: Int32Array;
  /** Haplotypes per query. */
  ploidy: number;
  /** int64 `(n * ploidy)`: the genotype group of (query `i`, haplotype `h`) at `i * ploidy + h`. */
  groups: BigInt64Array;
  /**
   * The genotype groups (CSR) that `groups` index into: which variants each haplotype
   * carries, as row numbers into `variants`.
   */
  genotypes: GenotypeTable;
  /** Only positions and length changes are needed (ALT alleles are ignored). */
  variants: VariantPositions;
}

function prepare(input: DiffsInput): KernelCall<'getDiffs'> {
  expectObject('input', input);
  const { ploidy, rows } = expectHaplotypeQueries(input);
  expectGenotypes(input.genotypes);
  expectVariants(input.variants, false);
  const args = {
    regions: input.regions,
    ploidy,
    groups: input.groups,
    genotypes: input.genotypes,
    variants: { starts: input.variants.starts, ilens: input.variants.ilens },
  };
  return {
    bytes: rows * 4,
    output: {
      length: BigInt(rows),
      dtype: 'int32',
      param: 'groups',
      create: (n) => new Int32Array(n),
    },
    args,
  };
}

const getDiffsPair = kernelPair('getDiffs', 'Int32Array', prepare);

/**
 * Per-haplotype length difference over each query region: the sum of the
 * in-region `ilen`s of the haplotype's variants, with overlapping variants
 * resolved first-wins and deletions clipped at both region edges
 * (Read semantics guide, §3.2). A ragged haplotype's length is
 * `max(0, (end - start) + diff)`.
 *
 * Runs off the JS thread; JS must not mutate the inputs until it settles.
 *
 * @param input - regions, ploidy, groups, genotypes and variant positions.
 * @param options - `parallel` (default `'auto'`, sized on `4 * n * ploidy` bytes), `out`, `signal`.
 * @returns int32 `(n, ploidy)` row-major: `diffs[i * ploidy + h]`, in bases.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for wrong dtypes or lengths, or a
 *   length change outside int32 (param `variants.ilens`, index: the variant that takes it there).
 * @throws {@link IndexOutOfRangeError} `GVL_INDEX_OUT_OF_RANGE` for a group, genotype offset or
 *   variant index out of range.
 * @throws {@link OutputTooLargeError} `GVL_OUTPUT_TOO_LARGE` when the output
 *   (int32, `4 * n * ploidy` bytes) is larger than `maxOutputBytes` (see {@link configureLimits});
 *   checked before allocating.
 * @throws {@link AbortError} `GVL_ABORTED` when `signal` aborts.
 * @example
 * ```ts
 * import { getDiffs } from '@gvl/native';
 * const diffs = await getDiffs({
 *   regions: new Int32Array([0, 0, 10]),
 *   ploidy: 1,
 *   groups: new BigInt64Array([0n]),
 *   genotypes: { offsets: new BigInt64Array([0n, 2n]), variantIdxs: new Int32Array([0, 1]) },
 *   // +3 insertion at 2, a 4-base deletion at 8 that runs past the end (clipped to 1)
 *   variants: { starts: new Int32Array([2, 8]), ilens: new Int32Array([3, -4]) },
 * });
 * diffs; // Int32Array [2]
 * ```
 * @see genvarloader `_dataset/_genotypes.py` `get_diffs_sparse` (Rust: `genotypes::get_diffs_sparse`).
 */
export function getDiffs(
  input: DiffsInput,
  options?: AsyncKernelOptions<Int32Array>,
): Promise<Int32Array> {
  return getDiffsPair.run(input, options);
}

/**
 * The synchronous form of {@link getDiffs} (blocks the calling thread; the
 * work is small, so this is fine for per-batch index math).
 *
 * @example
 * ```ts
 * const diffs = getDiffsSync(input, { parallel: false });
 * ```
 * @see {@link getDiffs}
 */
export function getDiffsSync(input: DiffsInput, options?: KernelOptions<Int32Array>): Int32Array {
  return getDiffsPair.runSync(input, options);
}
