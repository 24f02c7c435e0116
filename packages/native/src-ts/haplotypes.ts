import { type KernelCall, kernelPair, offsetsOutput } from './kernel.js';
import type {
  AsyncKernelOptions,
  GenotypeTable,
  KernelOptions,
  ReferenceSequence,
  VariantTable,
} from './types.js';
import {
  expectArray,
  expectGenotypes,
  expectHaplotypeQueries,
  expectLength,
  expectObject,
  expectReference,
  expectVariants,
  padByte,
} from './validate.js';

/** Input of {@link reconstructHaplotypes}. */
export interface HaplotypesInput {
  /**
   * int32 `(n, 3)` row-major: contig index (into `reference.offsets`), start,
   * end; 0-based, half-open. `start` may be negative (left `N` padding).
   */
  regions: Int32Array;
  /** Haplotypes per query (2 for diploid). */
  ploidy: number;
  /** int64 `(n * ploidy)`: the genotype group of (query `i`, haplotype `h`) at `i * ploidy + h`. */
  groups: BigInt64Array;
  /**
   * int32 `(n * ploidy)` non-negative shifts: the number of leading haplotype
   * bytes to skip (the peer's random shifts; omit for none).
   */
  shifts?: Int32Array;
  /**
   * The genotype groups (CSR) that `groups` index into: which variants each haplotype
   * carries, as row numbers into `variants`.
   */
  genotypes: GenotypeTable;
  /** The variant table with ALT alleles (`alts`, `altOffsets`) that `genotypes` index. */
  variants: VariantTable;
  /** The reference genome; `regions`' contig indices index its contigs. */
  reference: ReferenceSequence;
  /**
   * int64 `(n * ploidy + 1)`, starting at 0, non-decreasing: row
   * `k = i * ploidy + h` is `out.subarray(outOffsets[k], outOffsets[k + 1])`.
   * Ragged output: the cumulative sum of `(end - start) + diff` (see
   * {@link getDiffs}); fixed length `L`: `k * L`.
   */
  outOffsets: BigInt64Array;
  /** Pad byte for positions off the contig: a byte or a one-character string. Default `'N'`. */
  padChar?: number | string;
}

function prepare(input: HaplotypesInput): KernelCall<'reconstructHaplotypes'> {
  expectObject('input', input);
  const { ploidy, rows } = expectHaplotypeQueries(input);
  expectGenotypes(input.genotypes);
  expectVariants(input.variants, true);
  expectReference(input.reference);
  expectArray('outOffsets', input.outOffsets, 'BigInt64Array');
  expectLength('outOffsets', input.outOffsets, rows + 1, 'number of rows + 1');
  const args = {
    regions: input.regions,
    ploidy,
    groups: input.groups,
    shifts: input.shifts,
    genotypes: input.genotypes,
    variants: input.variants,
    reference: input.reference,
    outOffsets: input.outOffsets,
    padChar: padByte(input.padChar),
  };
  return { ...offsetsOutput('outOffsets', input.outOffsets, 'uint8'), args };
}

const reconstructHaplotypesPair = kernelPair('reconstructHaplotypes', 'Uint8Array', prepare);

/**
 * Reconstruct haplotype bytes: for each (query, haplotype), the reference from
 * the query's start with the haplotype's variants applied, skipping `shift`
 * leading bytes, written into row `k` of the output until the row is full.
 *
 * Exactly the peer's semantics (Read semantics guide, §3.3): SNVs write their ALT;
 * overlapping variants: the first wins (as `bcftools consensus`); a deletion
 * starting before the query and reaching it moves the start to its end; an
 * insertion anchored at the last in-region base is written in full (as room
 * allows); `start < 0` pads left, positions past the contig end pad right,
 * with `padChar`. Rows are left-anchored: a fixed length longer than the
 * haplotype continues with reference (and later variants) past the end.
 * Every output byte is written.
 *
 * Runs off the JS thread (a libuv thread, and the rayon pool when parallel):
 * prefer it to {@link reconstructHaplotypesSync} in servers and loaders, so
 * the event loop keeps running. JS must not mutate the inputs (or `out`)
 * until the promise settles.
 *
 * @param input - regions, groups, shifts, genotypes, variants, reference and output offsets.
 * @param options - `parallel` (default `'auto'`), `out`, `signal`.
 * @returns uint8 ASCII bytes of length `outOffsets[n * ploidy]`; row `k` is
 *   `data.subarray(outOffsets[k], outOffsets[k + 1])` (a view, no copy).
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT`: wrong dtype or length, negative
 *   shift, non-monotone `outOffsets`, bad `padChar` or options, `out` of the wrong length or
 *   aliasing an input.
 * @throws {@link IndexOutOfRangeError} `GVL_INDEX_OUT_OF_RANGE`: a contig index, group, variant
 *   index, genotype/ALT offset, or a variant start off its contig.
 * @throws {@link OutputTooLargeError} `GVL_OUTPUT_TOO_LARGE` when the output
 *   (uint8, `outOffsets[n * ploidy]` bytes) is larger than `maxOutputBytes` (see {@link configureLimits});
 *   checked before allocating.
 * @throws {@link AbortError} `GVL_ABORTED` when `signal` aborts.
 * @throws {@link PoolBuildError} `GVL_POOL_BUILD_FAILED`, {@link AllocationError}
 *   `GVL_ALLOCATION_FAILED`, {@link NativePanicError} `GVL_NATIVE_PANIC`.
 * @example
 * ```ts
 * import { reconstructHaplotypes } from '@gvl/native';
 * const enc = new TextEncoder();
 * const data = await reconstructHaplotypes({
 *   regions: new Int32Array([0, 2, 8]), // contig 0, [2, 8)
 *   ploidy: 1,
 *   groups: new BigInt64Array([0n]),
 *   genotypes: { offsets: new BigInt64Array([0n, 1n]), variantIdxs: new Int32Array([0]) },
 *   // an insertion after position 3: T -> TGG
 *   variants: { starts: new Int32Array([3]), ilens: new Int32Array([2]),
 *               alts: enc.encode('TGG'), altOffsets: new BigInt64Array([0n, 3n]) },
 *   reference: { sequence: enc.encode('ACGTACGTAC'), offsets: new BigInt64Array([0n, 10n]) },
 *   outOffsets: new BigInt64Array([0n, 8n]),
 * });
 * new TextDecoder().decode(data); // 'GTGGACGT'
 * ```
 * @see genvarloader `_dataset/_genotypes.py` `reconstruct_haplotypes_from_sparse`
 *   (Rust: `reconstruct::reconstruct_haplotype_from_sparse`).
 */
export function reconstructHaplotypes(
  input: HaplotypesInput,
  options?: AsyncKernelOptions<Uint8Array>,
): Promise<Uint8Array> {
  return reconstructHaplotypesPair.run(input, options);
}

/**
 * The synchronous form of {@link reconstructHaplotypes}: same input, output
 * and errors (thrown), computed on the calling thread (which it blocks; with
 * `parallel` the rayon pool does the work while the caller waits). Prefer the
 * async form except in scripts and worker threads that do nothing else.
 *
 * @example
 * ```ts
 * const data = reconstructHaplotypesSync(input, { parallel: false });
 * ```
 * @see {@link reconstructHaplotypes}
 */
export const reconstructHaplotypesSync: (
  input: HaplotypesInput,
  options?: KernelOptions<Uint8Array>,
) => Uint8Array = reconstructHaplotypesPair.runSync;
