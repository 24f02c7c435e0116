/**
 * Input shapes shared by the kernels. All arrays are typed arrays (no
 * per-variant JS objects); coordinates are 0-based, half-open; offsets are
 * int64 (`BigInt64Array`) and non-decreasing.
 *
 * Inputs (and a caller-provided `out`) are referenced, not copied, for the
 * whole call: JS must not mutate them while an async kernel's promise is
 * pending.
 */
import type { Parallel } from './pool.js';

/**
 * Variant positions and length changes, one entry per variant (the peer's
 * `variants.arrow` loaded as columns).
 */
export interface VariantPositions {
  /** int32, 0-based start of each variant (VCF `POS - 1`). */
  starts: Int32Array;
  /** int32, `len(ALT) - len(REF)`: > 0 insertion, < 0 deletion, 0 SNV. */
  ilens: Int32Array;
}

/** The variant table with ALT alleles, as needed to build haplotypes. */
export interface VariantTable extends VariantPositions {
  /**
   * uint8 ASCII ALT alleles, concatenated. A deletion's ALT is its anchor base
   * (`GTA -> G`); an insertion's is the anchor plus the inserted bases.
   */
  alts: Uint8Array;
  /** int64, `n_variants + 1` offsets: variant `v`'s ALT is `alts[altOffsets[v]..altOffsets[v + 1]]`. */
  altOffsets: BigInt64Array;
}

/**
 * Genotypes as CSR groups (the peer's `genotypes/offsets.npy` and
 * `variant_idxs.npy`): group `g` carries variants
 * `variantIdxs[offsets[g]..offsets[g + 1]]`, ascending (sorted by position).
 * On disk group `g = (region * n_samples + sample) * ploidy + hap`.
 */
export interface GenotypeTable {
  /** int64, `n_groups + 1` non-decreasing offsets into `variantIdxs`. */
  offsets: BigInt64Array;
  /** int32 row numbers into the variant table. */
  variantIdxs: Int32Array;
}

/** The reference genome: contig `c` is `sequence[offsets[c]..offsets[c + 1]]`. */
export interface ReferenceSequence {
  /** uint8 ASCII bases (uppercase in datasets) of all contigs, concatenated. */
  sequence: Uint8Array;
  /** int64, `n_contigs + 1` non-decreasing offsets into `sequence`. */
  offsets: BigInt64Array;
}

/**
 * Intervals as columns with CSR groups (the peer's `intervals/<track>/`):
 * group `g` holds intervals `offsets[g]..offsets[g + 1]`, sorted by start,
 * absolute 0-based half-open coordinates.
 */
export interface IntervalTable {
  /** int32 interval starts. */
  starts: Int32Array;
  /** int32 interval ends (exclusive). */
  ends: Int32Array;
  /** float32 value of each interval. */
  values: Float32Array;
  /** int64, `n_groups + 1` offsets into the columns. */
  offsets: BigInt64Array;
}

/** Options of every synchronous kernel. */
export interface KernelOptions<Out> {
  /**
   * Run on the rayon pool (`true`), serially on the calling thread (`false`),
   * or `'auto'` (default): parallel when `shouldParallelize(outputBytes)`
   * from `@gvl/threads` says so (GVL_FORCE_PARALLEL, or >= 1 MiB of output
   * per pool thread). Output bytes are identical either way.
   */
  parallel?: Parallel;
  /**
   * Write into this array instead of a new one (to reuse buffers across
   * batches). Its length must equal the last output offset and it must not
   * share memory with any input. Without it, the output is a new typed array
   * allocated by V8 (GC-accounted and transferable with `postMessage`), which
   * the kernel fills in place: no copy either way.
   */
  out?: Out;
}

/** Options of every asynchronous kernel. */
export interface AsyncKernelOptions<Out> extends KernelOptions<Out> {
  /**
   * Cancels the call: while it waits for admission or in libuv's queue it
   * never runs; while running it stops at the next row boundary. The promise
   * rejects with {@link AbortError} (`GVL_ABORTED`, `cause` = the signal's reason).
   */
  signal?: AbortSignal;
}
