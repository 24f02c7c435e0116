/**
 * The fused haplotype batch: a dataset's arrays held natively once, one native
 * call per batch from region and sample indices to finished bytes.
 */
import { native } from './binding.js';
import { invalidArgument } from './errors.js';
import { parallelThreshold } from './pool.js';
import { checkSignal, runSync, submit } from './scheduler.js';
import type { GenotypeTable, ReferenceSequence, VariantTable } from './types.js';
import {
  expectArray,
  expectGenotypes,
  expectInt,
  expectObject,
  expectOptionalArray,
  expectReference,
  expectVariants,
  padByte,
} from './validate.js';

/** The dataset side of a {@link HaplotypeSource}. */
export interface HaplotypeSourceInput {
  /**
   * The dataset's genotype groups (CSR, the peer's `genotypes/`), group
   * `(r·nSamples + s)·ploidy + p` for on-disk region row `r`; row numbers into `variants`.
   */
  genotypes: GenotypeTable;
  /** Must carry `alts` and `altOffsets`. */
  variants: VariantTable;
  /** The reference genome; `regions`' contig indices index its contigs. */
  reference: ReferenceSequence;
  /**
   * int32 `(R, 4)` row-major, on-disk region order: contig index (into
   * `reference.offsets`), start, end (0-based, half-open, unpadded), strand (+1 / −1).
   */
  regions: Int32Array;
  /** int32 `(R_input)`: the on-disk row of each input-order region. */
  rIdxMap: Int32Array;
  /** Samples per region; genotype group of (row `r`, sample `s`, ploid `p`) is `(r·S + s)·P + p`. */
  nSamples: number;
  /** Haplotypes per sample (2 for diploid). */
  ploidy: number;
  /** Pad byte for positions off the contig: a byte or a one-character string. Default `'N'`. */
  padChar?: number | string;
}

/** One batch of a {@link HaplotypeSource}: item `i` is (region `regionIdx[i]`, sample `sampleIdx[i]`). */
export interface HaplotypeRequest {
  /** int32 `(n)` input-order region indices in `[0, R_input)`. */
  regionIdx: Int32Array;
  /** int32 `(n)` sample indices in `[0, nSamples)`. */
  sampleIdx: Int32Array;
  /** int32 `(n)` per-item start offsets (jitter, bp), or omitted for none. */
  jitter?: Int32Array | null | undefined;
  /**
   * float64 `(n · ploidy)` uniforms in `[0, 1)` drawing each row's random shift
   * (fixed `length` only), or omitted for none.
   */
  shiftU?: Float64Array | null | undefined;
  /** Fixed row length (bp, ≥ 1), or omitted for ragged rows of `end − start + diff`. */
  length?: number | undefined;
  /** Reverse-complement rows of − strand regions. */
  rcNeg: boolean;
  /**
   * Also return the per-base annotations `varIdxs` and `refCoords` (the peer's annotated
   * haplotypes). Default `false`. Only {@link HaplotypeSource} reads it.
   */
  annotate?: boolean | undefined;
}

/** Options of {@link HaplotypeSource.getSync}. */
export interface HaplotypeBatchOptions {
  /** Run the rows on the pool: `true`, `false` or `'auto'` (the size gate). Default `'auto'`. */
  parallel?: boolean | 'auto';
  /**
   * A buffer to write into when it holds at least the batch's bytes (its first
   * `offsets[n·P]` bytes; the result's `data` is then a view of it). When too
   * small, a new array is allocated instead. Must not alias the source's arrays.
   */
  out?: Uint8Array | undefined;
}

/** Options of {@link HaplotypeSource.get}. */
export interface AsyncHaplotypeBatchOptions extends HaplotypeBatchOptions {
  /**
   * Cancels the batch: while it waits for admission or in libuv's queue it never runs;
   * while running it stops at the next row boundary. The promise rejects with
   * `AbortError` (`GVL_ABORTED`, `cause` = the signal's reason); an aborted batch may
   * leave `out` partly written.
   */
  signal?: AbortSignal | undefined;
}

/** A fused batch. */
export interface HaplotypeBatch {
  /**
   * uint8 ASCII bytes: row `k = i · ploidy + h` is `data.subarray(offsets[k], offsets[k + 1])`.
   * A view of `out` when it was used, else a new array the caller owns.
   */
  data: Uint8Array;
  /** int64 `(n · ploidy + 1)` row offsets, starting at 0. */
  offsets: BigInt64Array;
  /**
   * int32, with `annotate` (else absent), same offsets as `data`: for each base, the row
   * of the dataset's variant table it came from (every base of an allele: the anchor and
   * the inserted bases), or −1 for reference and pad bases. Rows reverse-complemented
   * for the − strand are reversed.
   */
  varIdxs?: Int32Array;
  /**
   * int32, with `annotate` (else absent), same offsets as `data`: for each base its
   * 0-based reference coordinate on the contig. Every base of an allele maps to the
   * variant's start (so a deletion's deleted positions never appear); −1 for pad before
   * the contig start, 2147483647 (`2^31 − 1`) for pad past the contig end. Rows
   * reverse-complemented for the − strand are reversed.
   */
  refCoords?: Int32Array;
  /** Whether the rows ran on the pool. */
  parallel: boolean;
}

type NativeRequest = Parameters<InstanceType<typeof native.HaplotypeSource>['getSync']>[0];

/**
 * @internal Checks the item side of a fused request (indices, jitter, shifts, fixed
 * length, strand rule), shared by {@link HaplotypeSource} and `DatasetSource`.
 */
export function itemRequest(req: HaplotypeRequest): NativeRequest {
  expectObject('request', req);
  expectArray('request.regionIdx', req.regionIdx, 'Int32Array');
  expectArray('request.sampleIdx', req.sampleIdx, 'Int32Array');
  if (req.jitter != null) expectArray('request.jitter', req.jitter, 'Int32Array');
  if (req.shiftU != null) expectArray('request.shiftU', req.shiftU, 'Float64Array');
  const length =
    req.length === undefined ? undefined : expectInt('request.length', req.length, 1, 2 ** 31 - 1);
  if (typeof req.rcNeg !== 'boolean')
    throw invalidArgument('request.rcNeg', req.rcNeg, 'a boolean');
  return {
    regionIdx: req.regionIdx,
    sampleIdx: req.sampleIdx,
    jitter: req.jitter ?? undefined,
    shiftU: req.shiftU ?? undefined,
    length,
    rcNeg: req.rcNeg,
  };
}

function result(
  r: {
    data?: Uint8Array;
    offsets: BigInt64Array;
    varIdxs?: Int32Array;
    refCoords?: Int32Array;
    bytes: number;
    parallel: boolean;
  },
  out: Uint8Array | undefined,
): HaplotypeBatch {
  const data = r.data ?? (out as Uint8Array).subarray(0, r.bytes);
  const batch: HaplotypeBatch = { data, offsets: r.offsets, parallel: r.parallel };
  if (r.varIdxs && r.refCoords) {
    batch.varIdxs = r.varIdxs;
    batch.refCoords = r.refCoords;
  }
  return batch;
}

/** The item request plus the haplotype source's own flag. */
function haplotypeRequest(req: HaplotypeRequest): NativeRequest {
  const r = itemRequest(req);
  if (req.annotate !== undefined && typeof req.annotate !== 'boolean')
    throw invalidArgument('request.annotate', req.annotate, 'a boolean or undefined');
  if (req.annotate) r.annotate = true;
  return r;
}

/**
 * A dataset's haplotype inputs held natively (referenced, not copied), so that
 * each batch is one native call from region and sample indices to finished
 * bytes: per-haplotype length changes, output offsets, random shifts,
 * reconstruction and reverse complement of − strand rows, in one parallel
 * region over (item, haplotype) rows with disjoint output slices: identical
 * bytes for any thread count, and those of {@link getDiffs} +
 * {@link reconstructHaplotypes} + {@link reverseComplement} called in turn.
 * JS must not mutate the held arrays while the source is in use.
 *
 * @example
 * ```ts
 * const src = HaplotypeSource.create({ genotypes, variants, reference, regions, rIdxMap, nSamples, ploidy: 2 });
 * const { data, offsets } = src.getSync({ regionIdx, sampleIdx, rcNeg: true });
 * // annotated: per base, the variant-table row (−1: reference) and reference coordinate
 * const { varIdxs, refCoords } = src.getSync({ regionIdx, sampleIdx, rcNeg: true, annotate: true });
 * ```
 */
export class HaplotypeSource {
  private constructor(private readonly inner: InstanceType<typeof native.HaplotypeSource>) {}

  /**
   * @throws `GVL_INVALID_ARGUMENT` / `GVL_INDEX_OUT_OF_RANGE` naming the array and element
   *   (wrong dtype, shape, an `rIdxMap` entry past the regions, bad reference offsets).
   */
  static create(input: HaplotypeSourceInput): HaplotypeSource {
    expectObject('input', input);
    expectGenotypes(input.genotypes);
    expectVariants(input.variants, true);
    expectReference(input.reference);
    expectArray('regions', input.regions, 'Int32Array');
    expectArray('rIdxMap', input.rIdxMap, 'Int32Array');
    const nSamples = expectInt('nSamples', input.nSamples, 0, 2 ** 31 - 1);
    const ploidy = expectInt('ploidy', input.ploidy, 1, 255);
    const args = {
      genotypes: input.genotypes,
      variants: input.variants,
      reference: input.reference,
      regions: input.regions,
      rIdxMap: input.rIdxMap,
      nSamples,
      ploidy,
      padChar: padByte(input.padChar),
    };
    return new HaplotypeSource(runSync(() => new native.HaplotypeSource(args)));
  }

  /**
   * Bytes of output memory held for reuse. A new batch output (when no `out` is given)
   * is memory the caller owns, exactly as a fresh allocation; once V8 has collected
   * every view of it, the memory returns to the source (up to 64 MiB) and a later batch
   * is written into it, already mapped and warm in cache, instead of new memory.
   */
  get heldOutputBytes(): number {
    return this.inner.heldOutputBytes;
  }

  /**
   * One batch on the calling thread (blocks it for the kernel's duration; with
   * `parallel` the rows run on the pool meanwhile). Prefer it for small
   * batches, whose cost is below a libuv round trip.
   *
   * @throws `GVL_INVALID_ARGUMENT` / `GVL_INDEX_OUT_OF_RANGE` naming the request array and
   *   element; `GVL_OUTPUT_TOO_LARGE` when a new output would pass the cap.
   */
  getSync(req: HaplotypeRequest, options: HaplotypeBatchOptions = {}): HaplotypeBatch {
    expectObject('options', options);
    expectOptionalArray('options.out', options.out, 'Uint8Array');
    const r = haplotypeRequest(req);
    const at = parallelThreshold(options.parallel);
    return result(
      runSync(() => this.inner.getSync(r, at, options.out)),
      options.out,
    );
  }

  /**
   * One batch off the JS thread (a libuv thread, through the admission queue).
   * Do not touch `out` or the request arrays until it settles.
   *
   * @throws (rejects) as {@link HaplotypeSource.getSync}; `GVL_ABORTED` when `signal` aborts.
   */
  async get(
    req: HaplotypeRequest,
    options: AsyncHaplotypeBatchOptions = {},
  ): Promise<HaplotypeBatch> {
    expectObject('options', options);
    expectOptionalArray('options.out', options.out, 'Uint8Array');
    const signal = checkSignal(options.signal);
    const r = haplotypeRequest(req);
    const at = parallelThreshold(options.parallel);
    const out = options.out;
    const res = await submit((inner) => this.inner.get(r, at, out, inner), signal);
    return result(res, out);
  }
}
