/**
 * The fused dataset batch: a dataset's arrays held natively once, one native
 * call per batch from region and sample indices to finished sequences
 * (reference or haplotypes) and tracks (reference-coordinate or realigned).
 */
import { native } from './binding.js';
import { nativeEncoding, type SeqEncoding } from './encoding.js';
import { invalidArgument } from './errors.js';
import { itemRequest } from './haplotype-source.js';
import { parallelThreshold } from './pool.js';
import type { InsertionFill } from './realign.js';
import { checkSignal, runSync, submit } from './scheduler.js';
import type { GenotypeTable, IntervalTable, ReferenceSequence, VariantTable } from './types.js';
import {
  expectArray,
  expectBigInt,
  expectGenotypes,
  expectInt,
  expectObject,
  expectReference,
  expectVariants,
  padByte,
} from './validate.js';

/** One track held by a {@link DatasetSource}. */
export interface SourceTrackInput {
  /**
   * The track's intervals (absolute, 0-based half-open, sorted by start within a
   * group): group `r` (annotation track) or `r·S + s` (sample track) for on-disk
   * region row `r` and sample `s`.
   */
  intervals: IntervalTable;
  /** `true`: one group per region; `false`: one group per (region, sample). */
  annotation: boolean;
}

/** The dataset side of a {@link DatasetSource}; every part but the regions is optional. */
export interface DatasetSourceInput {
  /**
   * int32 `(R, 4)` row-major, on-disk region order: contig index (into
   * `reference.offsets`), start, end (0-based, half-open, unpadded), strand (+1 / −1).
   */
  regions: Int32Array;
  /** int32 `(R_input)`: the on-disk row of each input-order region. */
  rIdxMap: Int32Array;
  /** Samples per region. */
  nSamples: number;
  /** Haplotypes per sample (2 for diploid). */
  ploidy: number;
  /** Needed for `seqs: 'reference' | 'haplotypes'` and for realignment. */
  reference?: ReferenceSequence | undefined;
  /** Pad byte for positions off the contig: a byte or a one-character string. Default `'N'`. */
  padChar?: number | string | undefined;
  /** Needed for haplotypes and realignment; genotype group of (row `r`, sample `s`, ploid `p`) is `(r·S + s)·P + p`. */
  genotypes?: GenotypeTable | undefined;
  /** With `genotypes`; must carry `alts` and `altOffsets`. */
  variants?: VariantTable | undefined;
  /** Tracks a request selects by index. */
  tracks?: readonly SourceTrackInput[] | undefined;
}

/** One batch of a {@link DatasetSource}: item `i` is (region `regionIdx[i]`, sample `sampleIdx[i]`). */
export interface DatasetRequest {
  /** int32 `(n)` input-order region indices in `[0, R_input)`. */
  regionIdx: Int32Array;
  /** int32 `(n)` sample indices in `[0, nSamples)`. */
  sampleIdx: Int32Array;
  /** int32 `(n)` per-item start offsets (jitter, bp), or omitted for none. */
  jitter?: Int32Array | null | undefined;
  /**
   * float64 `(n · ploidy)` uniforms in `[0, 1)` drawing each haplotype row's random
   * shift (fixed `length` only; used by haplotypes and realigned tracks), or omitted.
   */
  shiftU?: Float64Array | null | undefined;
  /** Fixed row length (bp, ≥ 1), or omitted for ragged rows. */
  length?: number | undefined;
  /** Reverse-complement sequences and reverse (not complement) tracks of − strand regions. */
  rcNeg: boolean;
  /**
   * The sequences to return, or omitted for none. `'annotated'`: haplotype rows plus the
   * per-base `varIdxs` and `refCoords` of {@link DatasetBatch.annotations} (realigned
   * tracks as with `'haplotypes'`).
   */
  seqs?: 'reference' | 'haplotypes' | 'annotated' | undefined;
  /** Indices of held tracks to return, in output order. Default none. */
  tracks?: readonly number[] | undefined;
  /** Realign the tracks to the haplotypes (needs genotypes, variants and a reference). */
  realign?: boolean | undefined;
  /** One insertion fill per requested track (realignment only; default `repeat5p`). */
  fills?: readonly (InsertionFill | undefined)[] | undefined;
  /** uint64 seed for `flankSample` fills; omitted: the XOR of every item's `r·S + s` (the peer's). */
  baseSeed?: bigint | undefined;
  /**
   * How reference or haplotype rows are returned (tokens or one-hot, encoded by the
   * task that wrote each row); omitted: ASCII. Not with `'annotated'`.
   */
  encoding?: SeqEncoding | undefined;
}

/** Options of {@link DatasetSource.getSync}. */
export interface DatasetBatchOptions {
  /** Run the rows on the pool: `true`, `false` or `'auto'` (the size gate). Default `'auto'`. */
  parallel?: boolean | 'auto';
}

/** Options of {@link DatasetSource.get}. */
export interface AsyncDatasetBatchOptions extends DatasetBatchOptions {
  /**
   * Cancels the batch: while it waits for admission or in libuv's queue it never runs;
   * while running it stops at the next row boundary. The promise rejects with
   * `AbortError` (`GVL_ABORTED`, `cause` = the signal's reason); nothing is returned.
   */
  signal?: AbortSignal | undefined;
}

/** Rows delimited by int64 offsets from 0: row `k` is `data.subarray(offsets[k], offsets[k + 1])`. */
export interface SourceRows<T extends Uint8Array | Int32Array | Float32Array> {
  /**
   * The rows' values, concatenated: uint8 ASCII bases, uint8/int32 tokens, float32 one-hot
   * values or float32 track values.
   */
  data: T;
  /** int64 `(rows + 1)`, from 0, non-decreasing; the last offset is `data.length`. */
  offsets: BigInt64Array;
}

/** A fused dataset batch. Each array is new memory the caller owns. */
export interface DatasetBatch {
  /**
   * Sequences when requested: `n` reference rows (`length` bases, or the region's
   * length), or `n · ploidy` haplotype rows `k = i · ploidy + h`. uint8 ASCII, or uint8
   * tokens with a token `encoding` whose tokens fit (else in `seqTokens`); with a one-hot
   * encoding the rows are in `seqOneHot` (`width` values per base; `offsets` count bases).
   */
  seqs?: SourceRows<Uint8Array>;
  /** int32 tokens instead of `seqs` when the request's token encoding needs int32. */
  seqTokens?: SourceRows<Int32Array>;
  /** float32 one-hot rows instead of `seqs` with a one-hot encoding (offsets in bases). */
  seqOneHot?: SourceRows<Float32Array>;
  /**
   * With `seqs: 'annotated'`, int32 rows with the offsets of `seqs`: per haplotype base,
   * `varIdxs` the variant-table row it came from (−1: reference or pad) and `refCoords` its
   * 0-based reference coordinate (the variant's start for every allele base; −1 / 2147483647
   * for pad before / past the contig); both reversed on − strand rows. As
   * `HaplotypeBatch`'s `varIdxs` / `refCoords`.
   */
  annotations?: {
    /** int32, one per base of `seqs.data`: the variant-table row the base came from, −1 for reference or pad. */
    varIdxs: Int32Array;
    /** int32, one per base of `seqs.data`: its 0-based reference coordinate (−1 / 2147483647 for pad). */
    refCoords: Int32Array;
  };
  /**
   * float32 track rows when requested, `(item, track)` order (`length` values or the
   * region's length), or `(item, track, haplotype)` when realigned (each haplotype
   * row's length).
   */
  tracks?: SourceRows<Float32Array>;
  /** Whether the rows ran on the pool. */
  parallel: boolean;
}

type NativeSource = InstanceType<typeof native.DatasetSource>;
type NativeRequest = Parameters<NativeSource['getSync']>[0];
type NativeResult = ReturnType<NativeSource['getSync']>;

function request(req: DatasetRequest): NativeRequest {
  const items = itemRequest(req);
  if (req.seqs !== undefined && typeof req.seqs !== 'string')
    throw invalidArgument(
      'request.seqs',
      req.seqs,
      "'reference', 'haplotypes', 'annotated' or undefined",
    );
  const tracks: readonly number[] = req.tracks ?? [];
  if (!Array.isArray(tracks)) throw invalidArgument('request.tracks', tracks, 'an array');
  tracks.forEach((t, i) => {
    expectInt(`request.tracks[${i}]`, t, 0, 2 ** 32 - 1);
  });
  if (req.realign !== undefined && typeof req.realign !== 'boolean')
    throw invalidArgument('request.realign', req.realign, 'a boolean');
  const fills: readonly (InsertionFill | undefined)[] = req.fills ?? [];
  if (!Array.isArray(fills)) throw invalidArgument('request.fills', fills, 'an array');
  fills.forEach((f, i) => {
    if (f !== undefined) expectObject(`request.fills[${i}]`, f);
  });
  if (req.baseSeed !== undefined) expectBigInt('request.baseSeed', req.baseSeed);
  // The addon checks the values: seqs, the fills (count, kinds, parameters), the seed's range.
  return {
    ...items,
    seqs: req.seqs,
    tracks: [...tracks],
    realign: req.realign ?? false,
    fills: [...fills],
    baseSeed: req.baseSeed,
    encoding: nativeEncoding('request.encoding', req.encoding),
  };
}

function result(r: NativeResult): DatasetBatch {
  const out: DatasetBatch = { parallel: r.parallel };
  if (r.seqData && r.seqOffsets) out.seqs = { data: r.seqData, offsets: r.seqOffsets };
  if (r.seqTokens && r.seqOffsets) out.seqTokens = { data: r.seqTokens, offsets: r.seqOffsets };
  if (r.seqOneHot && r.seqOffsets) out.seqOneHot = { data: r.seqOneHot, offsets: r.seqOffsets };
  if (r.seqVarIdxs && r.seqRefCoords)
    out.annotations = { varIdxs: r.seqVarIdxs, refCoords: r.seqRefCoords };
  if (r.trackData && r.trackOffsets) out.tracks = { data: r.trackData, offsets: r.trackOffsets };
  return out;
}

/**
 * A dataset's arrays held natively (referenced, not copied), so that each batch is
 * one native call from region and sample indices to every requested output: the
 * jittered geometry, genotype and interval groups, haplotype length changes and
 * random shifts, output offsets and strand flags are computed in Rust, then
 * reference or haplotype rows (reverse-complemented on the − strand) and
 * reference-coordinate or realigned track rows (reversed on the − strand) are
 * written by one parallel region per output over disjoint row slices: identical
 * values for any thread count, and those of {@link getReference},
 * {@link getDiffs} + {@link reconstructHaplotypes}, {@link intervalsToTracks},
 * {@link realignTracks}, {@link reverseComplement} and {@link reverseRows} called in
 * turn. Haplotypes and their realigned tracks share one computation of diffs and
 * shifts.
 *
 * One source serves every output kind (rather than one source per kind) because
 * haplotypes with realigned tracks need genotypes and tracks in the same call, and
 * a batch of sequences with tracks is then one call too. {@link HaplotypeSource}
 * remains the narrower class for haplotypes alone, with a caller-lent output buffer.
 *
 * JS must not mutate the held arrays while the source is in use.
 *
 * @example
 * ```ts
 * const src = DatasetSource.create({ regions, rIdxMap, nSamples, ploidy: 2, reference, tracks });
 * const { seqs, tracks } = src.getSync({ regionIdx, sampleIdx, rcNeg: true, seqs: 'reference', tracks: [0] });
 * ```
 */
export class DatasetSource {
  private constructor(private readonly inner: NativeSource) {}

  /**
   * @throws `GVL_INVALID_ARGUMENT` / `GVL_INDEX_OUT_OF_RANGE` naming the array and element
   *   (wrong dtype or shape, an `rIdxMap` entry past the regions, bad reference offsets,
   *   genotypes without variants or ALT alleles, non-monotone track offsets).
   */
  static create(input: DatasetSourceInput): DatasetSource {
    expectObject('input', input);
    expectArray('regions', input.regions, 'Int32Array');
    expectArray('rIdxMap', input.rIdxMap, 'Int32Array');
    const nSamples = expectInt('nSamples', input.nSamples, 0, 2 ** 31 - 1);
    const ploidy = expectInt('ploidy', input.ploidy, 1, 255);
    if (input.reference !== undefined) expectReference(input.reference);
    if (input.genotypes !== undefined) expectGenotypes(input.genotypes);
    if (input.variants !== undefined) expectVariants(input.variants, true);
    const tracks: readonly SourceTrackInput[] = input.tracks ?? [];
    if (!Array.isArray(tracks)) throw invalidArgument('tracks', tracks, 'an array');
    const nativeTracks = tracks.map((t: SourceTrackInput, i) => {
      expectObject(`tracks[${i}]`, t as unknown);
      const itv = t.intervals;
      expectObject(`tracks[${i}].intervals`, itv);
      expectArray(`tracks[${i}].intervals.starts`, itv.starts, 'Int32Array');
      expectArray(`tracks[${i}].intervals.ends`, itv.ends, 'Int32Array');
      expectArray(`tracks[${i}].intervals.values`, itv.values, 'Float32Array');
      expectArray(`tracks[${i}].intervals.offsets`, itv.offsets, 'BigInt64Array');
      if (typeof t.annotation !== 'boolean')
        throw invalidArgument(`tracks[${i}].annotation`, t.annotation, 'a boolean');
      return { intervals: itv, annotation: t.annotation };
    });
    const args = {
      regions: input.regions,
      rIdxMap: input.rIdxMap,
      nSamples,
      ploidy,
      reference: input.reference,
      padChar: padByte(input.padChar),
      genotypes: input.genotypes,
      variants: input.variants,
      tracks: nativeTracks,
    };
    return new DatasetSource(runSync(() => new native.DatasetSource(args)));
  }

  /**
   * One batch on the calling thread (blocks it for the kernel's duration; with
   * `parallel` the rows run on the pool meanwhile). Prefer it for small batches,
   * whose cost is below a libuv round trip; {@link DatasetSource.get} otherwise.
   *
   * @throws `GVL_INVALID_ARGUMENT` / `GVL_INDEX_OUT_OF_RANGE` naming the request array and
   *   element (an output whose arrays the source does not hold is `GVL_INVALID_ARGUMENT`
   *   on `seqs` or `realign`); `GVL_OUTPUT_TOO_LARGE` when the outputs (sequence bytes,
   *   4 bytes per track value, and the realignment scratch) would pass the cap.
   */
  getSync(req: DatasetRequest, options: DatasetBatchOptions = {}): DatasetBatch {
    expectObject('options', options);
    const r = request(req);
    const at = parallelThreshold(options.parallel);
    return result(runSync(() => this.inner.getSync(r, at)));
  }

  /**
   * One batch off the JS thread (a libuv thread, through the admission queue). Do
   * not touch the request arrays until it settles.
   *
   * @throws (rejects) as {@link DatasetSource.getSync}; `GVL_ABORTED` when `signal` aborts.
   */
  async get(req: DatasetRequest, options: AsyncDatasetBatchOptions = {}): Promise<DatasetBatch> {
    expectObject('options', options);
    const signal = checkSignal(options.signal);
    const r = request(req);
    const at = parallelThreshold(options.parallel);
    const res = await submit((inner) => this.inner.get(r, at, inner), signal);
    return result(res);
  }
}
