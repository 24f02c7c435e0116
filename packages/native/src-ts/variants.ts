import { native } from './binding.js';
import { invalidArgument } from './errors.js';
import { allocate, type KernelCall, kernelPair } from './kernel.js';
import { checkOutputBytes, type OutputColumn } from './limits.js';
import type { Parallel } from './pool.js';
import { runSync } from './scheduler.js';
import type { AsyncKernelOptions, GenotypeTable, KernelOptions, VariantTable } from './types.js';
import {
  expectArray,
  expectGenotypes,
  expectObject,
  expectOptionalArray,
  expectVariants,
} from './validate.js';

/**
 * A placeholder variant for output rows that gather none (the peer's
 * `DummyVariant`): `start` (default -1) and `ilen` (default 0) int32 integers,
 * `alt` an ASCII allele (default `'N'`), reverse-complemented with its row.
 */
export interface DummyVariant {
  /** 0-based start written for the placeholder; an int32 integer. Default −1. */
  start?: number;
  /** Length change `len(ALT) − len(REF)` written for the placeholder; an int32 integer. Default 0. */
  ilen?: number;
  /** ALT allele bytes, ASCII; reverse-complemented on masked rows. Default `'N'`. */
  alt?: string;
}

/**
 * Check a dummy variant the way {@link gatherVariants} does, e.g. when it is
 * configured rather than at the first batch (the addon is the only place it is checked).
 *
 * @param dummy - the placeholder variant.
 * @param param - how errors name it, default `'dummy'` (`'dummy.start'`, ...).
 * @returns `dummy`, unchanged.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` naming `param.start` or
 *   `param.ilen` (not an int32 integer) or `param.alt` (not ASCII), or `param` when
 *   `dummy` is not an object.
 * @example
 * ```ts
 * import { checkDummyVariant } from '@gvl/native';
 * checkDummyVariant({ alt: 'N' }); // { alt: 'N' }
 * ```
 */
export function checkDummyVariant(dummy: DummyVariant, param = 'dummy'): DummyVariant {
  expectObject(param, dummy);
  runSync(() => native.checkDummyVariant(param, dummy));
  return dummy;
}

/** Input of {@link gatherVariants} and {@link countVariants}. */
export interface GatherVariantsInput {
  /**
   * int64 `(n_rows * groupsPerRow)`: the genotype groups of the output rows, e.g.
   * of (query `i`, haplotype `h`) at `i * ploidy + h`.
   */
  groups: BigInt64Array;
  /** The genotype groups (CSR) that `groups` index: row numbers into `variants`. */
  genotypes: GenotypeTable;
  /** The variant table, with ALT alleles. */
  variants: VariantTable;
  /**
   * uint8 `(n_rows)`: rows with a non-zero flag (negative-strand queries) get
   * their ALT alleles reverse-complemented. Default: no row.
   */
  rcMask?: Uint8Array;
  /**
   * Consecutive groups concatenated into one output row, in order, without sorting
   * or deduplicating (`ploidy` folds each query's haplotypes into one row: the
   * peer's `unphased_union`). An integer >= 1 dividing `groups.length`; default 1.
   */
  groupsPerRow?: number;
  /** Written into every output row that gathers no variant (the peer's `dummy_variant`). */
  dummy?: DummyVariant;
  /**
   * uint8 `(n_variants)`, one flag per row of the variant table: a variant flagged 0
   * is left out of every row that stores it, in both passes (a row left empty gets
   * `dummy` when one is set). The peer's `min_af`/`max_af` filter is such a mask.
   * Default: every variant is kept.
   */
  keep?: Uint8Array;
}

/** The output layout of {@link gatherVariants}, from {@link countVariants}. */
export interface VariantCounts {
  /**
   * int64 `(n_rows + 1)`, from 0, non-decreasing: row `r` gathers
   * `offsets[r + 1] - offsets[r]` variants; `offsets[n_rows]` is the total `n`.
   */
  offsets: BigInt64Array;
  /** Total ALT bytes of the gathered variants (the length of `alt`). */
  altBytes: number;
}

/**
 * Each row's variants as flat columns (the peer's `RaggedVariants`): row `r`
 * is elements `offsets[r]..offsets[r + 1]` of `start`, `ilen` and of the ALT
 * alleles.
 */
export interface GatheredVariants {
  /** int64 `(n_rows + 1)`, from 0: row `r` is `start.subarray(offsets[r], offsets[r + 1])` (likewise `ilen`). */
  offsets: BigInt64Array;
  /** int32 `(n)`: 0-based start of each variant (VCF `POS - 1`), never changed by the mask. */
  start: Int32Array;
  /** int32 `(n)`: `len(ALT) - len(REF)`: > 0 insertion, < 0 deletion, 0 SNV. */
  ilen: Int32Array;
  /** uint8 ASCII ALT alleles, concatenated; reverse-complemented allele by allele in masked rows. */
  alt: Uint8Array;
  /** int64 `(n + 1)`, from 0: variant `i`'s ALT is `alt.subarray(altOffsets[i], altOffsets[i + 1])`. */
  altOffsets: BigInt64Array;
  /**
   * int32 `(n)`: the variant table row each gathered variant came from (index into
   * `variants.starts`), -1 for a `dummy`; gathers any other per-variant column.
   */
  variantIdx: Int32Array;
}

/** Options of {@link gatherVariantsSync} (no `out`: the six columns are sized by counting first). */
export interface GatherOptions {
  /**
   * See {@link KernelOptions.parallel}. `'auto'` sizes each pass on its own
   * output: the counting pass on `8 * (n_rows + 1)` bytes, the fill on the
   * bytes of all six columns.
   */
  parallel?: Parallel;
}

/** Options of {@link gatherVariants}. */
export interface AsyncGatherOptions extends GatherOptions {
  /** See {@link AsyncKernelOptions.signal}; it covers both passes. */
  signal?: AbortSignal;
}

function checked(input: GatherVariantsInput): GatherVariantsInput {
  expectObject('input', input);
  expectArray('groups', input.groups, 'BigInt64Array');
  expectGenotypes(input.genotypes);
  expectVariants(input.variants, true);
  expectOptionalArray('rcMask', input.rcMask, 'Uint8Array');
  expectOptionalArray('keep', input.keep, 'Uint8Array');
  if (input.groupsPerRow !== undefined && typeof input.groupsPerRow !== 'number')
    throw invalidArgument('groupsPerRow', input.groupsPerRow, 'an integer >= 1');
  if (input.dummy !== undefined) expectObject('dummy', input.dummy);
  // The addon checks the values: the masks' lengths, groupsPerRow, the dummy's fields.
  const { groups, genotypes, variants, rcMask, groupsPerRow, dummy, keep } = input;
  return { groups, genotypes, variants, rcMask, groupsPerRow, dummy, keep };
}

/** Output rows: `groups.length / groupsPerRow` (a bad `groupsPerRow` is refused by the addon). */
function outputRows(input: GatherVariantsInput): number {
  const k = input.groupsPerRow;
  const per = typeof k === 'number' && Number.isInteger(k) && k >= 1 ? k : 1;
  return Math.floor(input.groups.length / per);
}

function prepareCount(input: GatherVariantsInput): KernelCall<'countVariants'> {
  const args = checked(input);
  const rows = outputRows(args);
  return {
    bytes: 8 * (rows + 1),
    output: {
      length: BigInt(rows + 1),
      dtype: 'int64',
      param: 'groups',
      create: (n) => new BigInt64Array(n),
    },
    args,
  };
}

/**
 * The fill pass into six V8-allocated columns sized from `counts` (the
 * counted `offsets` array is reused as the output's; the kernel rewrites
 * the same values). The kernel recounts and refuses columns of any other size.
 */
function prepareGather({
  input,
  counts,
}: {
  input: GatherVariantsInput;
  counts: VariantCounts;
}): KernelCall<'gatherVariants'> {
  const args = checked(input);
  const rows = outputRows(args);
  const total = counts.offsets[rows] ?? 0n;
  const col = (elements: bigint, dtype: OutputColumn['dtype'], label: string): OutputColumn => ({
    param: 'groups',
    elements,
    dtype,
    label,
  });
  // The offsets column was allocated (and checked) by the counting pass; it
  // counts here too, as part of this call's output.
  checkOutputBytes([
    col(BigInt(rows + 1), 'int64', 'int64 (offsets)'),
    col(total, 'int32', 'int32 (start)'),
    col(total, 'int32', 'int32 (ilen)'),
    col(total, 'int32', 'int32 (variantIdx)'),
    col(total + 1n, 'int64', 'int64 (altOffsets)'),
    col(BigInt(counts.altBytes), 'uint8', 'uint8 (alt)'),
  ]);
  const n = Number(total);
  const out: GatheredVariants = {
    offsets: counts.offsets,
    start: allocate(() => new Int32Array(n), n, 'int32'),
    ilen: allocate(() => new Int32Array(n), n, 'int32'),
    alt: allocate(() => new Uint8Array(counts.altBytes), counts.altBytes, 'uint8'),
    altOffsets: allocate(() => new BigInt64Array(n + 1), n + 1, 'int64'),
    variantIdx: allocate(() => new Int32Array(n), n, 'int32'),
  };
  return {
    bytes: 8 * (rows + 1) + 20 * n + 8 + counts.altBytes,
    output: null,
    args,
    out,
  };
}

const countPair = kernelPair('countVariants', 'BigInt64Array', prepareCount);
/** The counting pass of a gather: no caller `out`. */
const gatherCountPair = kernelPair('countVariants', null, prepareCount);
const gatherPair = kernelPair('gatherVariants', null, prepareGather);

/**
 * Gather each row's stored variants into flat columns: for row `r`, the
 * variants `genotypes.variantIdxs[offsets[g]..offsets[g + 1]]` of group
 * `g = groups[r]` (those `keep` flags non-zero, when given), in stored order, unclipped (Read semantics guide, §3.7: the
 * dataset's `"variants"` mode, extension variants included). ALT alleles of
 * rows flagged in `rcMask` are reverse-complemented one allele at a time
 * (reverse, then `A<->T`, `C<->G` for uppercase bases only; every other byte
 * is only moved; §3.5); `start`, `ilen` and the order stay as stored.
 *
 * Two native passes, each one task per row with identical bytes serial or
 * parallel: {@link countVariants} sizes the rows, then the columns are
 * allocated by V8 here (GC-accounted, transferable with `postMessage`) and
 * the fill pass writes each row's disjoint slices of them. Each pass counts
 * as one kernel in {@link counters}.
 *
 * Runs off the JS thread: prefer it to {@link gatherVariantsSync} in servers
 * and loaders. JS must not mutate the inputs until the promise settles.
 *
 * @param input - groups, genotypes, the variant table with ALTs, optional `rcMask`.
 * @param options - `parallel` (default `'auto'`), `signal`.
 * @returns the six columns; `offsets` has length `n_rows + 1`, `start` / `ilen` / `variantIdx` length
 *   `n = offsets[n_rows]`, `altOffsets` length `n + 1`, `alt` length `altOffsets[n]`.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT`: wrong dtype, `variants.ilens` /
 *   `variants.altOffsets` / `rcMask` / `keep` of the wrong length, bad options.
 * @throws {@link OutputTooLargeError} `GVL_OUTPUT_TOO_LARGE` (param `groups`) when the six
 *   columns together would take more than `maxOutputBytes` bytes (see {@link configureLimits}),
 *   checked before allocating them.
 * @throws {@link IndexOutOfRangeError} `GVL_INDEX_OUT_OF_RANGE`: a group outside
 *   `genotypes.offsets`, a genotype slice outside `variantIdxs` (or decreasing), a variant
 *   index outside the table, an ALT slice outside `variants.alts` (or decreasing).
 * @throws {@link AbortError} `GVL_ABORTED` when `signal` aborts (in either pass).
 * @throws {@link PoolBuildError} `GVL_POOL_BUILD_FAILED`, {@link AllocationError}
 *   `GVL_ALLOCATION_FAILED`, {@link NativePanicError} `GVL_NATIVE_PANIC`.
 * @example
 * ```ts
 * import { gatherVariants } from '@gvl/native';
 * const enc = new TextEncoder();
 * const v = await gatherVariants({
 *   groups: new BigInt64Array([1n, 0n]), // row 0: group 1; row 1: group 0
 *   genotypes: { offsets: new BigInt64Array([0n, 1n, 3n]), variantIdxs: new Int32Array([0, 0, 1]) },
 *   // T -> TGG at 3, a 1-base deletion at 7 (ALT C)
 *   variants: { starts: new Int32Array([3, 7]), ilens: new Int32Array([2, -1]),
 *               alts: enc.encode('TGGC'), altOffsets: new BigInt64Array([0n, 3n, 4n]) },
 *   rcMask: new Uint8Array([0, 1]), // row 1 is on the negative strand
 * });
 * v.offsets; // BigInt64Array [0n, 2n, 3n]
 * v.start; // Int32Array [3, 7, 3]
 * v.ilen; // Int32Array [2, -1, 2]
 * new TextDecoder().decode(v.alt); // 'TGGCCCA'
 * v.altOffsets; // BigInt64Array [0n, 3n, 4n, 7n]
 * v.variantIdx; // Int32Array [0, 1, 0]
 * ```
 * @see genvarloader `_dataset/_rag_variants.py` `RaggedVariants` (and its `rc_`), and
 *   `_dataset/_query.py` `reverse_complement_ragged`.
 */
export async function gatherVariants(
  input: GatherVariantsInput,
  options?: AsyncGatherOptions,
): Promise<GatheredVariants> {
  const counts = await gatherCountPair.run(input, options);
  return gatherPair.run({ input, counts }, options);
}

/**
 * The synchronous form of {@link gatherVariants}: same input, output and
 * errors (thrown), computed on the calling thread (which it blocks). Prefer
 * the async form except in scripts and worker threads that do nothing else.
 *
 * @example
 * ```ts
 * const v = gatherVariantsSync(input, { parallel: false });
 * ```
 * @see {@link gatherVariants}
 */
export function gatherVariantsSync(
  input: GatherVariantsInput,
  options?: GatherOptions,
): GatheredVariants {
  const counts = gatherCountPair.runSync(input, options);
  return gatherPair.runSync({ input, counts }, options);
}

/**
 * The counting pass of {@link gatherVariants} on its own: validates the input
 * exactly as `gatherVariants` does and returns the row offsets and the ALT
 * byte total, e.g. to size reusable buffers. One task per row.
 *
 * @param input - as for {@link gatherVariants} (`rcMask` is only length-checked).
 * @param options - `parallel` (default `'auto'`, sized on `8 * (n_rows + 1)` bytes), `out` (a
 *   BigInt64Array of `n_rows + 1` for the offsets), `signal`.
 * @returns `{ offsets, altBytes }`: int64 `(n_rows + 1)` offsets from 0 and the ALT byte total.
 * @throws the same errors as {@link gatherVariants}, plus `GVL_INVALID_ARGUMENT` for an `out`
 *   of the wrong length or sharing memory with an input.
 * @example
 * ```ts
 * import { countVariants } from '@gvl/native';
 * const { offsets, altBytes } = await countVariants(input);
 * ```
 * @see {@link gatherVariants}
 */
export function countVariants(
  input: GatherVariantsInput,
  options?: AsyncKernelOptions<BigInt64Array>,
): Promise<VariantCounts> {
  return countPair.run(input, options);
}

/** The synchronous form of {@link countVariants}: same input, result and errors; blocks the calling thread. */
export const countVariantsSync: (
  input: GatherVariantsInput,
  options?: KernelOptions<BigInt64Array>,
) => VariantCounts = countPair.runSync;
