import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { planBatches } from './batches.js';
import type { shardOrder } from './distributed.js';
import { AbortedError, GvlError, isGvlError } from './errors.js';
import type { DatasetMetadata } from './format/metadata.js';
import { type Axis, type AxisIndex, resolveQuery, subsetAxis } from './indexing.js';
import { createLoader, type Loader, type LoaderOptions } from './loader.js';
import { checkRegionsInReference, readDatasetFiles } from './open.js';
import type {
  DatasetOutput,
  EncodingAfter,
  EncodingKind,
  GetOutput,
  LengthKind,
  LengthKindOf,
} from './output.js';
import type { Dense } from './ragged.js';
import {
  type BatchRequest,
  type Core,
  computeBatch,
  haplotypeLengths,
  nVariants,
  type ReadPlan,
} from './read-pipeline.js';
import { loadReference } from './reference.js';
import {
  checkOutputLength,
  checkSeqsKind,
  type DatasetSettings,
  DEFAULT_SETTINGS,
  invalid,
  type OutputLength,
  type SeqsKind,
  validateSettings,
} from './settings.js';
import {
  buildSpliceMap,
  type SpliceBedRow,
  type SpliceMap,
  sameSpliceInfo,
  spliceBed,
} from './splice.js';
import { availableVarFields, checkVarFields } from './var-fields.js';

/**
 * Options of {@link Dataset.open}: every setting but the insertion fills and the sequence
 * encoding, which `withSettings` sets (the encoding there so that the dataset's type
 * follows it).
 */
export interface OpenOptions
  extends Partial<
    Omit<DatasetSettings, 'insertionFill' | 'tokenAlphabet' | 'unknownToken' | 'oneHot'>
  > {
  /** Reference FASTA (plain + `.fai`, or bgzip + `.fai` + `.gzi`). Needed for haplotypes and reference sequences. */
  reference?: string;
}

/** Options of {@link Dataset.batches}. */
export interface BatchOptions {
  /** Items per batch, ≥ 1. Default 32. */
  batchSize?: number;
  /** Visit (region, sample) pairs in a seeded random order. Default false. */
  shuffle?: boolean;
  /** Seed of the shuffle. Default: the dataset's seed. */
  seed?: number;
  /** Drop a last batch smaller than `batchSize`. Default false. */
  dropLast?: boolean;
  /** Cancels iteration; the pending batch rejects with `GVL_ABORTED`. */
  signal?: AbortSignal;
  /**
   * This process's rank in a distributed job, `[0, worldSize)`: it visits only its share
   * of the epoch (see {@link shardOrder}). Default 0 (for `loader()`: from the launcher's
   * environment, {@link distributedEnv}).
   */
  rank?: number;
  /** Processes sharing each epoch. Default 1 (for `loader()`: from the launcher's environment). */
  worldSize?: number;
  /** The epoch: with `shuffle`, the order is drawn from `seed + epoch`, the same on every rank. Default 0. */
  epoch?: number;
  /**
   * How shares are made equal when `worldSize` does not divide the epoch: `'pad'`
   * (default) repeats the order's first items, `'drop'` cuts its tail.
   */
  shardRemainder?: 'pad' | 'drop';
  /**
   * Start at this batch of the (rank's) epoch, e.g. to resume after a restart: batches
   * `0 … startBatch − 1` are skipped, not computed, and indices continue from
   * `startBatch`. Default 0.
   */
  startBatch?: number;
}

/**
 * One batch from {@link Dataset.batches} or a loader.
 *
 * @typeParam O - the type of `data`: the dataset's {@link DatasetOutput}.
 */
export interface Batch<O = GetOutput> {
  /** Position of this batch in the epoch, from 0. */
  index: number;
  /** Region of each item: index into the current subset's regions. */
  regions: Int32Array;
  /** Sample of each item: index into the current subset's samples. */
  samples: Int32Array;
  /** What `get(regions, samples)` returns for these pairs (leading dim = batch size). */
  data: O;
}

/** Mutable PRNG state shared by datasets derived from one another (like the peer's `rng`). */
interface Rng {
  gen: ReturnType<typeof xoroshiro128plus>;
}

interface State {
  core: Core;
  regions: Axis;
  samples: Axis;
  seqs: SeqsKind | null;
  tracks: readonly string[];
  length: OutputLength;
  settings: DatasetSettings;
  rng: Rng;
  /**
   * Spliced mode: the transcripts, and the region axis to restore when splicing is
   * turned off (`regions` then holds the transcript axis).
   */
  splice: { map: SpliceMap; exons: Axis } | null;
}

function freshRng(seed: number): Rng {
  return { gen: xoroshiro128plus(seed | 0) };
}

/**
 * A genvarloader dataset opened for reading: per (region, sample) pair, the sample's
 * haplotypes, the reference, the variants, or tracks (optionally realigned to the
 * haplotypes). Immutable: the `with*` builders and {@link Dataset.subsetTo} return new
 * datasets sharing the loaded arrays.
 *
 * Coordinates are 0-based, half-open. Regions are indexed in input BED order; samples
 * in `metadata.samples` order (sorted), or by name.
 *
 * Randomness (jitter, random shifts when `deterministic: false`) comes from a seeded
 * xoroshiro128+ generator: the same seed gives the same outputs, but the draws differ
 * from the Python peer's numpy PCG64, so byte parity with the peer holds for
 * `jitter = 0` and `deterministic = true`.
 *
 * The type parameters follow the builders, so `get()` and every batch are typed exactly
 * (see {@link DatasetOutput}): `S` the sequence kind (`withSeqs`), `T` whether tracks are
 * active (`withTracks`; `boolean` — unknown — after `open`, whose active tracks are every
 * track in the files), `L` the length kind (`withLen`). The types only describe: every
 * builder still checks at run time what the dataset can provide.
 *
 * @typeParam S - sequence kind: `'haplotypes'`, `'reference'`, `'variants'` or `null`.
 * @typeParam T - tracks active (`true`), not (`false`), or unknown (`boolean`).
 * @typeParam L - `'ragged'` or `'dense'` output.
 * @typeParam E - sequence encoding: `'ascii'` (default), `'tokens'` or `'oneHot'`
 *   (`withSettings({ tokenAlphabet, unknownToken, oneHot })`, see {@link EncodingKind}).
 * @see genvarloader `Dataset` (its `RaggedDataset[SEQ, TRK]` / `ArrayDataset[SEQ, TRK]`).
 * @example
 * ```ts
 * const ds = await Dataset.open('chr20.gvl', { reference: 'chr20_1-2Mb.fa.gz' });
 * // Dataset<'haplotypes' | 'reference', boolean, 'ragged'>: tracks depend on the files
 * const seqs = ds.withTracks(false);
 * const fixed = await seqs.withLen(2048).get([0, 1], 0); // Dense<Uint8Array>
 * const vars = await seqs.withSeqs('variants').get(0, 0); // RaggedVariants
 * const train = seqs.withLen(2048).withSettings({ jitter: 0 }).subsetTo({ samples: slice(0, 200) });
 * for await (const batch of train.loader({ batchSize: 64, shuffle: true, seed: 1 })) {
 *   batch.data; // Dense<Uint8Array>, shape [64, 2, 2048], ASCII
 * }
 * ```
 */
export class Dataset<
  S extends SeqsKind | null = SeqsKind | null,
  T extends boolean = boolean,
  L extends LengthKind = LengthKind,
  E extends EncodingKind = 'ascii',
> {
  /** @internal */
  readonly #s: State;

  private constructor(state: State) {
    this.#s = state;
  }

  /**
   * Opens a dataset with a reference: sequences are `'haplotypes'` (with genotypes) or
   * `'reference'` (without), both uint8 bytes; tracks are every track in the files.
   */
  static open(
    path: string,
    options: OpenOptions & { reference: string },
  ): Promise<Dataset<'haplotypes' | 'reference', boolean, 'ragged'>>;
  /**
   * Opens a dataset without a reference: sequences are `'variants'` (with genotypes) or
   * none; tracks are every track in the files.
   */
  static open(
    path: string,
    options?: OpenOptions & { reference?: undefined },
  ): Promise<Dataset<'variants' | null, boolean, 'ragged'>>;
  static open(path: string, options?: OpenOptions): Promise<Dataset>;

  /**
   * Opens a dataset written by `gvl write` or by the Python genvarloader (format 2.x).
   *
   * Initial state: ragged output; sequences `'haplotypes'` with genotypes and a reference,
   * `'variants'` with genotypes only, `'reference'` with a reference only; every track active.
   *
   * @param path - the dataset directory.
   * Every cheap invariant of the files is checked here, once (see `readDatasetFiles` and
   * the README's "Integrity" section); `verifyDataset` runs the same checks and reports them.
   *
   * @throws {@link BadDatasetError} `GVL_BAD_DATASET` (not a readable dataset, or a file
   *   breaks an invariant: the error names the file, the element and the value; a region
   *   ending past its contig in `reference`), `GVL_UNKNOWN_CONTIG`
   *   (a contig missing from the reference), `GVL_UNREADABLE` / `GVL_MISSING_INDEX` (FASTA),
   *   `GVL_INVALID_ARGUMENT` (a bad setting), `GVL_BAD_SPLICE_INFO` (a `spliceInfo` the
   *   BED cannot satisfy, see {@link Dataset.withSettings}).
   * @see genvarloader `Dataset.open`.
   * @example
   * ```ts
   * const ds = await Dataset.open('chr20.gvl', { reference: 'chr20.fa.gz' });
   * const haps = await ds.get(0, 'HG00096'); // Ragged<Uint8Array>, shape [2, null] (no tracks in the files)
   * ```
   */
  static async open(path: string, options: OpenOptions = {}): Promise<Dataset> {
    const { reference: refPath, ...rest } = options;
    const { spliceInfo, ...unspliced } = validateSettings({ ...DEFAULT_SETTINGS, ...rest });
    const settings = { ...unspliced, spliceInfo: null };
    const files = await readDatasetFiles(path);
    if (settings.jitter > files.metadata.max_jitter) {
      throw invalid(
        'jitter',
        settings.jitter,
        `an integer in [0, max_jitter = ${files.metadata.max_jitter}]`,
      );
    }
    const reference =
      refPath === undefined ? null : await loadReference(refPath, files.metadata.contigs);
    if (reference) checkRegionsInReference(files, reference);
    const R = files.metadata.n_regions;
    const S = files.metadata.samples.length;
    const regionNames = files.regionNames ? new Map(files.regionNames.map((n, i) => [n, i])) : null;
    const seqs: SeqsKind | null = files.genotypes
      ? reference
        ? 'haplotypes'
        : 'variants'
      : reference
        ? 'reference'
        : null;
    checkVarFields(files.path, files.variants, seqs, settings, !!files.genotypes?.dosages);
    const ds = new Dataset({
      core: { files, reference },
      regions: {
        name: 'region',
        subset: Int32Array.from({ length: R }, (_, i) => i),
        names: regionNames,
      },
      samples: {
        name: 'sample',
        subset: Int32Array.from({ length: S }, (_, i) => i),
        names: new Map(files.metadata.samples.map((n, i) => [n, i])),
      },
      seqs,
      tracks: [...files.tracks.keys()],
      length: 'ragged',
      settings,
      rng: freshRng(settings.seed),
      splice: null,
    });
    return spliceInfo === null ? ds : ds.withSettings({ spliceInfo });
  }

  /** @internal The dataset's state, for the loader. */
  get internals(): { core: Core; plan: ReadPlan; regions: Axis; samples: Axis } {
    const s = this.#s;
    return { core: s.core, plan: this.#plan(), regions: s.regions, samples: s.samples };
  }

  #plan(): ReadPlan {
    const s = this.#s;
    return {
      seqs: s.seqs,
      tracks: s.tracks,
      length: s.length,
      settings: s.settings,
      splice: s.splice?.map ?? null,
    };
  }

  #with<
    S2 extends SeqsKind | null = S,
    T2 extends boolean = T,
    L2 extends LengthKind = L,
    E2 extends EncodingKind = E,
  >(patch: Partial<State>): Dataset<S2, T2, L2, E2> {
    return new Dataset<S2, T2, L2, E2>({ ...this.#s, ...patch });
  }

  /**
   * This dataset without its type parameters, for the batch planner and the loader (they
   * read the run-time state only; the output types are restored by the callers).
   */
  #untyped(): Dataset {
    return this as unknown as Dataset;
  }

  /** Path of the dataset directory. */
  get path(): string {
    return this.#s.core.files.path;
  }
  /** The dataset's `metadata.json`. */
  get metadata(): Readonly<DatasetMetadata> {
    return this.#s.core.files.metadata;
  }
  /** Sample names of the current subset, in order. */
  get samples(): string[] {
    const all = this.#s.core.files.metadata.samples;
    return Array.from(this.#s.samples.subset, (i) => all[i] as string);
  }
  /** Number of regions in the current subset (of transcripts when spliced). */
  get nRegions(): number {
    return this.#s.regions.subset.length;
  }
  /** Number of samples in the current subset. */
  get nSamples(): number {
    return this.#s.samples.subset.length;
  }
  /** `[nRegions, nSamples]`. */
  get shape(): [number, number] {
    return [this.nRegions, this.nSamples];
  }
  /** `nRegions × nSamples`: the number of (region, sample) pairs. */
  get length(): number {
    return this.nRegions * this.nSamples;
  }
  /** Ploidy of the genotypes (1 with `unphasedUnion`), `null` without genotypes. */
  get ploidy(): number | null {
    const stored = this.#s.core.files.metadata.ploidy ?? null;
    return stored !== null && this.#s.settings.unphasedUnion ? 1 : stored;
  }
  /**
   * Variant fields `withSettings({ varFields })` accepts, in the peer's order: `'alt'`,
   * `'ilen'`, `'start'`, the INFO columns stored at write time (`write({ infoFields })`,
   * or any numeric column of `genotypes/variants.arrow` but `POS`/`ILEN`), then `'ref'`
   * when the variant table has REF alleles, then `'dosage'` when the dataset stores
   * dosages (`write({ dosageField })`). Empty without genotypes.
   *
   * @see genvarloader `Dataset.available_var_fields`.
   */
  get availableVarFields(): string[] {
    const { variants, genotypes } = this.#s.core.files;
    return availableVarFields(variants, !!genotypes?.dosages);
  }
  /** Contigs in dataset order. */
  get contigs(): readonly string[] {
    return this.#s.core.files.metadata.contigs;
  }
  /** Padding (bp) the dataset was written with; `jitter` may not exceed it. */
  get maxJitter(): number {
    return this.#s.core.files.metadata.max_jitter;
  }
  /** Active sequence kind, or `null` for tracks only. */
  get seqsKind(): S {
    return this.#s.seqs as S;
  }
  /** Names of every track in the dataset. */
  get availableTracks(): string[] {
    return [...this.#s.core.files.tracks.keys()];
  }
  /** Names of the active tracks. */
  get activeTracks(): readonly string[] {
    return this.#s.tracks;
  }
  /** Output length mode. */
  get outputLength(): OutputLength {
    return this.#s.length;
  }
  /** Current read settings. */
  get settings(): Readonly<DatasetSettings> {
    return this.#s.settings;
  }
  /** Whether a reference was given to {@link Dataset.open}. */
  get hasReference(): boolean {
    return this.#s.core.reference !== null;
  }
  /** Whether the dataset has genotypes. */
  get hasGenotypes(): boolean {
    return this.#s.core.files.genotypes !== null;
  }

  /**
   * A BED-like view of region `i` of the current subset: contig, 0-based half-open start
   * and end (unpadded, as given at write time), strand, and name when the BED had one.
   * When spliced, `i` indexes the BED's regions (exons), not transcripts: see
   * {@link Dataset.getSpliceBed}.
   */
  region(i: number): {
    /** Contig name, as in the BED and the dataset's `contigs`. */
    chrom: string;
    /** 0-based start (inclusive), in bases. */
    start: number;
    /** 0-based end (exclusive), in bases. */
    end: number;
    /** `-1` for a BED strand `-`, else `1`. */
    strand: 1 | -1;
    /** The BED's name column, `null` when the BED had none. */
    name: string | null;
  } {
    const axis = this.#s.splice?.exons ?? this.#s.regions;
    const pos = resolveQuery(axis, this.#s.samples, i, 0).regionIdx[0] as number;
    const f = this.#s.core.files;
    const d = f.rIdxMap[pos] as number;
    return {
      chrom: f.metadata.contigs[f.regions[d * 4] as number] as string,
      start: f.regions[d * 4 + 1] as number,
      end: f.regions[d * 4 + 2] as number,
      strand: f.regions[d * 4 + 3] === -1 ? -1 : 1,
      name: f.regionNames ? (f.regionNames[pos] as string) : null,
    };
  }

  /**
   * Selects the sequences `get()` returns.
   *
   * - `'haplotypes'`: bytes `(…, ploidy, ~length)` (needs genotypes and a reference);
   * - `'annotated'`: the haplotypes with, per base, the variant-table row it came from
   *   (−1: reference or pad) and its 0-based reference coordinate (−1 / 2147483647: pad
   *   before / past the contig): {@link RaggedAnnotatedHaps} or {@link AnnotatedHaps}
   *   `{ haps, varIdxs, refCoords }`, each `(…, ploidy, ~length)` (needs genotypes and a
   *   reference; tracks are realigned as with `'haplotypes'`);
   * - `'reference'`: bytes `(…, ~length)` (needs a reference);
   * - `'variants'`: {@link RaggedVariants} `(…, ploidy, ~variants)`, ragged only (needs genotypes);
   * - `null`: no sequences (tracks only).
   *
   * @throws {@link GvlError} `GVL_INVALID_MODE` for an unknown kind; `GVL_NO_REFERENCE` or
   *   `GVL_MODE_UNAVAILABLE` when the dataset lacks what the kind needs; `GVL_INVALID_ARGUMENT`
   *   for `'variants'` with a non-ragged length.
   * @returns a dataset typed `Dataset<K, T, L, E>`: `get()` gives `Ragged`/`Dense<Uint8Array>`
   *   for `'haplotypes'`/`'reference'`, {@link RaggedAnnotatedHaps}/{@link AnnotatedHaps}
   *   for `'annotated'` and {@link RaggedVariants} for `'variants'`.
   * @example
   * ```ts
   * const ann = await ds.withTracks(false).withSeqs('annotated').get(0, 'HG00096'); // RaggedAnnotatedHaps
   * ann.varIdxs.row(0); // Int32Array: -1 for reference bases, else a variant-table row
   * ```
   * @see genvarloader `Dataset.with_seqs`, `AnnotatedHaps`.
   */
  withSeqs<K extends SeqsKind | null>(kind: K): Dataset<K, T, L, E> {
    const k = checkSeqsKind(kind);
    const { core } = this.#s;
    if ((k === 'haplotypes' || k === 'annotated' || k === 'reference') && !core.reference) {
      throw new GvlError(
        'GVL_NO_REFERENCE',
        `sequences '${k}' need a reference: open the dataset with { reference }`,
        { value: k },
      );
    }
    if ((k === 'haplotypes' || k === 'annotated' || k === 'variants') && !core.files.genotypes) {
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        `sequences '${k}' need genotypes, and ${core.files.path} has none`,
        { value: k },
      );
    }
    if (k === 'variants' && this.#s.length !== 'ragged') {
      throw invalid('output length', this.#s.length, "'ragged' with sequences 'variants'");
    }
    checkVariantSettings(core, k, this.#s.settings);
    checkSpliced(this.#s.splice !== null, k, this.#s.length, this.#s.settings);
    return this.#with<K>({ seqs: k });
  }

  /**
   * Selects the active tracks: a name, a list of names, `true`/`undefined` for all, or
   * `false` for none. Tracks are float32 `(…, tracks, ~length)`, or
   * `(…, tracks, ploidy, ~length)` realigned to haplotypes when haplotypes are active and
   * `realign` (default: the `realignTracks` setting, true) holds. Active tracks keep the
   * dataset's order (sample tracks sorted by name, then annotation tracks).
   *
   * Typing: `false` (or `[]`) gives `Dataset<S, false, L, E>` (no tracks); a name or a
   * non-empty tuple of names gives `Dataset<S, true, L, E>` (each name is checked to exist);
   * `true`, nothing or a `string[]` gives `Dataset<S, boolean, L, E>` (the dataset may have
   * no tracks, or the list may be empty).
   *
   * @throws {@link GvlError} `GVL_INVALID_ARGUMENT` naming an unknown track.
   * @see genvarloader `Dataset.with_tracks`.
   */
  withTracks(names: false | readonly [], options?: { realign?: boolean }): Dataset<S, false, L, E>;
  withTracks(
    names: string | readonly [string, ...string[]],
    options?: { realign?: boolean },
  ): Dataset<S, true, L, E>;
  withTracks(
    names?: readonly string[] | boolean,
    options?: { realign?: boolean },
  ): Dataset<S, boolean, L, E>;
  withTracks(
    names?: string | readonly string[] | boolean,
    options: { realign?: boolean } = {},
  ): Dataset<S, boolean, L, E> {
    const all = this.availableTracks;
    let tracks: string[];
    if (names === undefined || names === true) tracks = all;
    else if (names === false) tracks = [];
    else tracks = typeof names === 'string' ? [names] : [...names];
    for (const t of tracks) {
      if (!all.includes(t))
        throw invalid(
          'track',
          t,
          `one of ${all.length ? all.join(', ') : '(no tracks in this dataset)'}`,
        );
    }
    const settings =
      options.realign === undefined
        ? this.#s.settings
        : { ...this.#s.settings, realignTracks: options.realign };
    return this.#with({ tracks, settings });
  }

  /**
   * Sets the output length: `'ragged'` ({@link Ragged} rows of each item's own length),
   * `'variable'` (dense, right-padded to the batch's longest row with `N` / `0.0`), or an
   * integer `L` (dense, exactly `L`, left-anchored at the jittered region start and
   * continuing with reference and extension variants past the region end).
   *
   * @throws {@link GvlError} `GVL_INVALID_ARGUMENT` when `L < 1`, when
   *   `L + 2·jitter > min(region length) + 2·maxJitter`, or when sequences are `'variants'`.
   * @returns a dataset typed `Dataset<S, T, 'ragged'>` for `'ragged'` and
   *   `Dataset<S, T, 'dense'>` otherwise.
   * @see genvarloader `Dataset.with_len`.
   */
  withLen<N extends OutputLength>(length: N): Dataset<S, T, LengthKindOf<N>, E> {
    const len = checkOutputLength(length);
    if (len !== 'ragged' && this.#s.seqs === 'variants') {
      throw invalid('output length', len, "'ragged' with sequences 'variants'");
    }
    checkFixedLength(this.#s, len, this.#s.settings.jitter);
    checkSpliced(this.#s.splice !== null, this.#s.seqs, len, this.#s.settings);
    return this.#with<S, T, LengthKindOf<N>, E>({ length: len });
  }

  /**
   * Changes read settings (jitter, seed, deterministic, rcNeg, realignTracks,
   * insertionFill per track, parallel, unphasedUnion, dummyVariant, spliceInfo, and the
   * sequence encoding: tokenAlphabet, unknownToken, oneHot). A new `seed` restarts the PRNG.
   *
   * `spliceInfo` (a BED column, or `[idColumn, orderColumn]`) turns on spliced mode: the
   * region axis becomes the transcripts (in order of first appearance in the BED, named
   * by their id; {@link Dataset.nRegions} counts them, a region subset is dropped), and
   * each (transcript, sample) item is its exons' outputs concatenated in transcript order,
   * shape `(…, ploidy, ~length)` for haplotypes, `(…, ~length)` for reference,
   * `(…, tracks, [ploidy,] ~length)` for tracks. With `rcNeg`, each exon of a `-` strand
   * transcript is reverse-complemented before concatenation (the peer's rule): list a
   * `-` strand transcript's exons 5'→3' on its strand (descending coordinates, or by an
   * order column) and the row is the transcript's sequence. `null` turns it off and
   * restores the region axis.
   *
   * With `{ tokenAlphabet, unknownToken }`, `'haplotypes'` and `'reference'` rows are
   * integer tokens (uint8, or int32 when a token passes 255); with `{ tokenAlphabet,
   * oneHot: true }` float32 one-hot rows, `[..., length, A]` dense or
   * {@link RaggedOneHot} (offsets in bases); `tokenAlphabet: null` returns to ASCII
   * (clearing `unknownToken` and `oneHot` unless the patch sets them). The
   * returned dataset's type parameter `E` follows (see {@link EncodingAfter}).
   *
   * @returns a new dataset; this one is unchanged.
   * @throws {@link GvlError} `GVL_INVALID_ARGUMENT` for an out-of-range value (a repeated,
   *   empty or non-ASCII `tokenAlphabet`, `unknownToken` outside `[0, 2^31 − 1]`, one of
   *   them without the other, `oneHot` without `tokenAlphabet`), a malformed `spliceInfo`,
   *   or a setting spliced mode does not allow (jitter > 0, `deterministic: false`, a fixed
   *   length); `GVL_INVALID_MODE` for an unknown insertion fill, or an encoding with
   *   `'annotated'` output; `GVL_BAD_SPLICE_INFO` when a `spliceInfo` column is not in the
   *   BED or a transcript has exons on both strands; `GVL_MODE_UNAVAILABLE` for spliced
   *   `'variants'` or a spliced dataset with a token or one-hot encoding.
   * @see genvarloader `Dataset.with_settings` (`splice_info`, `token_alphabet`, `unknown_token`).
   * @example
   * ```ts
   * // BED columns `transcript` (id) and `exon` (number), e.g. from write({ bed: { ...bed, columns } })
   * const tx = ds.withTracks(false).withSettings({ spliceInfo: ['transcript', 'exon'] });
   * const haps = await tx.get('ENST00000217233', 'HG00096'); // Ragged<Uint8Array> [2, null]: both haplotypes
   * tx.getSpliceBed()[0]; // { id, regions, chrom, chromStart, chromEnd, strand }
   * const tokens = await ds.withSettings({ tokenAlphabet: 'ACGT', unknownToken: 4 }).withLen(2048).get(0, 0);
   * const oneHot = await ds.withSettings({ tokenAlphabet: 'ACGT', oneHot: true }).withLen(2048).get(0, 0); // [2, 2048, 4]
   * ```
   */
  withSettings<P extends Partial<DatasetSettings>>(
    patch: P,
  ): Dataset<S, T, L, EncodingAfter<P, E>> {
    const merged = { ...this.#s.settings, ...patch };
    // `tokenAlphabet: null` returns to ASCII: the token settings go with it.
    if (patch.tokenAlphabet === null)
      Object.assign(merged, {
        unknownToken: patch.unknownToken ?? null,
        oneHot: patch.oneHot ?? false,
      });
    const settings = validateSettings(merged);
    if (settings.jitter > this.maxJitter) {
      throw invalid('jitter', settings.jitter, `an integer in [0, max_jitter = ${this.maxJitter}]`);
    }
    checkFixedLength(this.#s, this.#s.length, settings.jitter);
    checkVariantSettings(this.#s.core, this.#s.seqs, settings);
    const rng = patch.seed !== undefined ? freshRng(settings.seed) : this.#s.rng;
    const was = this.#s.splice;
    if (sameSpliceInfo(was?.map.info ?? null, settings.spliceInfo)) {
      checkSpliced(was !== null, this.#s.seqs, this.#s.length, settings);
      return this.#with<S, T, L, EncodingAfter<P, E>>({ settings, rng });
    }
    const exons = was?.exons ?? this.#s.regions;
    if (settings.spliceInfo === null)
      return this.#with<S, T, L, EncodingAfter<P, E>>({
        settings,
        rng,
        regions: exons,
        splice: null,
      });
    checkSpliced(true, this.#s.seqs, this.#s.length, settings);
    const map = buildSpliceMap(this.#s.core.files, settings.spliceInfo);
    const regions: Axis = {
      name: 'region',
      subset: Int32Array.from({ length: map.ids.length }, (_, i) => i),
      names: map.index,
    };
    return this.#with<S, T, L, EncodingAfter<P, E>>({
      settings,
      rng,
      regions,
      splice: { map, exons },
    });
  }

  /** Whether the dataset is spliced (`withSettings({ spliceInfo })`). */
  get isSpliced(): boolean {
    return this.#s.splice !== null;
  }

  /**
   * The transcripts of the current subset (spliced mode), in order: each transcript's id,
   * its exons' input BED region indices, contigs, 0-based half-open coordinates (in
   * transcript order) and strand.
   *
   * @throws {@link GvlError} `GVL_MODE_UNAVAILABLE` when the dataset is not spliced.
   * @see genvarloader `Dataset.spliced_regions`.
   */
  getSpliceBed(): SpliceBedRow[] {
    const sp = this.#s.splice;
    if (!sp)
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        'this dataset is not spliced: set withSettings({ spliceInfo }) first',
        { value: null },
      );
    return spliceBed(this.#s.core.files, sp.map, this.#s.regions.subset);
  }

  /**
   * Narrows the dataset to some regions and/or samples, relative to the current subset:
   * integers, names, lists, boolean masks or {@link slice}s.
   *
   * @throws {@link GvlError} `GVL_INDEX_OUT_OF_RANGE`, `GVL_UNKNOWN_SAMPLE`, `GVL_UNKNOWN_REGION`.
   * @see genvarloader `Dataset.subset_to`.
   */
  subsetTo(subset: { regions?: AxisIndex; samples?: AxisIndex }): Dataset<S, T, L, E> {
    return this.#with({
      regions: subsetAxis(this.#s.regions, subset.regions),
      samples: subsetAxis(this.#s.samples, subset.samples),
    });
  }

  /** The same dataset without any subset. */
  toFullDataset(): Dataset<S, T, L, E> {
    const { files } = this.#s.core;
    const nRegions = this.#s.splice ? this.#s.splice.map.ids.length : files.metadata.n_regions;
    return this.#with({
      regions: {
        ...this.#s.regions,
        subset: Int32Array.from({ length: nRegions }, (_, i) => i),
      },
      samples: {
        ...this.#s.samples,
        subset: Int32Array.from({ length: files.metadata.samples.length }, (_, i) => i),
      },
    });
  }

  /** @internal Draws the random inputs of a batch of `n` items (advances the shared PRNG). */
  drawRandom(n: number): Pick<BatchRequest, 'jitter' | 'shiftU'> {
    const s = this.#s;
    const P = this.ploidy ?? 1;
    let jitter: Int32Array | null = null;
    let shiftU: Float64Array | null = null;
    if (s.settings.jitter > 0) {
      jitter = new Int32Array(n);
      const j = s.settings.jitter;
      for (let i = 0; i < n; i++) jitter[i] = uniformInt(s.rng.gen, -j, j);
    }
    if (
      !s.settings.deterministic &&
      typeof s.length === 'number' &&
      (s.seqs === 'haplotypes' || s.seqs === 'annotated')
    ) {
      shiftU = new Float64Array(n * P);
      for (let i = 0; i < shiftU.length; i++)
        shiftU[i] = uniformInt(s.rng.gen, 0, 0x7fffffff) / 0x80000000;
    }
    return { jitter, shiftU };
  }

  /**
   * Sequences and/or tracks for `(regions, samples)`, with the peer's shape rules:
   * both integers/names → no leading dims (e.g. haplotypes `(ploidy, ~length)`); both
   * slices (or omitted) → `(nRegions, nSamples, …)`; one list → the outer product
   * `(nRegions, nSamples, …)`; two lists → paired element-wise `(n, …)`.
   * Ragged multi-dimensional outputs have flattened innermost offsets (10 regions × 3
   * samples × ploidy 2 → 61 offsets).
   *
   * All per-base work runs in `@gvl/native` kernels, one native call per batch
   * (haplotypes, reference, tracks and realigned tracks; variants one gather call), on
   * this thread when the output is at most 4 MiB (well under a millisecond) and off it
   * otherwise. The arrays returned are new memory the caller owns.
   *
   * @param regions - region index in input BED order (or a name, list, mask, slice); default all.
   * @param samples - sample index in `metadata.samples` order, or a name; default all.
   * @returns the sequences, the tracks, or `[sequences, tracks]` when both are active,
   *   typed {@link DatasetOutput}`<S, T, L>` (e.g. `Dense<Uint8Array>` after
   *   `withTracks(false).withLen(2048)` on haplotypes).
   * @throws {@link GvlError} `GVL_INDEX_OUT_OF_RANGE`, `GVL_UNKNOWN_SAMPLE`,
   *   `GVL_UNKNOWN_REGION`, `GVL_INVALID_ARGUMENT`, `GVL_ABORTED`.
   * @see genvarloader `Dataset.__getitem__`.
   */
  async get(
    regions?: AxisIndex,
    samples?: AxisIndex,
    options: { signal?: AbortSignal } = {},
  ): Promise<DatasetOutput<S, T, L, E>> {
    const q = resolveQuery(this.#s.regions, this.#s.samples, regions, samples);
    const rnd = this.drawRandom(q.regionIdx.length);
    return computeBatch(this.#s.core, this.#plan(), { ...q, ...rnd }, options.signal) as Promise<
      DatasetOutput<S, T, L, E>
    >;
  }

  /**
   * The length of each haplotype over its region widened by the current `jitter` on
   * both sides (the longest window a jittered read can take): int32, shape
   * `[...leading, ploidy]` with the leading dims of {@link get} for the same
   * `(regions, samples)`. Each is `(end - start + 2·jitter) + diff`, `diff` the sum of
   * the haplotype's length changes over that window (overlapping variants first-wins,
   * deletions clipped at the window's edges); it is not clamped at 0. For sizing
   * buffers and filtering without reconstructing sequences.
   *
   * `null` unless the dataset reads haplotypes or variants (`withSeqs`) with
   * `deterministic: true`, as in the peer (random shifts make lengths vary).
   *
   * @param regions - as in {@link get}; default all regions of the subset.
   * @param samples - as in {@link get}; default all samples of the subset.
   * @returns int32 lengths in bp, or `null`.
   * @throws {@link GvlError} `GVL_INDEX_OUT_OF_RANGE`, `GVL_UNKNOWN_SAMPLE`,
   *   `GVL_UNKNOWN_REGION`, `GVL_INVALID_ARGUMENT`, `GVL_ABORTED`.
   * @example
   * ```ts
   * const lengths = await ds.haplotypeLengths(0, 'HG00096'); // { data: Int32Array [..., ...], shape: [2] }
   * ```
   * @see genvarloader `Dataset.haplotype_lengths`.
   */
  async haplotypeLengths(
    regions?: AxisIndex,
    samples?: AxisIndex,
    options: { signal?: AbortSignal } = {},
  ): Promise<Dense<Int32Array> | null> {
    this.#notSpliced('haplotypeLengths');
    const q = resolveQuery(this.#s.regions, this.#s.samples, regions, samples);
    const seqs = this.#s.seqs;
    if (
      (seqs !== 'haplotypes' && seqs !== 'annotated' && seqs !== 'variants') ||
      !this.#s.settings.deterministic
    )
      return null;
    return haplotypeLengths(this.#s.core, this.#plan(), q, options.signal);
  }

  /**
   * The number of stored variants of each haplotype (the variants
   * `withSeqs('variants')` returns, including those that only extend into the
   * region): int32, shape `[...leading, ploidy]` with the leading dims of {@link get}.
   * Without haplotypes or variants as the output kind, zeros with a last dimension
   * of 1, as in the peer.
   *
   * @param regions - as in {@link get}; default all regions of the subset.
   * @param samples - as in {@link get}; default all samples of the subset.
   * @returns int32 counts.
   * @throws {@link GvlError} `GVL_INDEX_OUT_OF_RANGE`, `GVL_UNKNOWN_SAMPLE`,
   *   `GVL_UNKNOWN_REGION`, `GVL_INVALID_ARGUMENT`, `GVL_ABORTED`.
   * @example
   * ```ts
   * const counts = await ds.nVariants([0, 1], ['HG00096', 'HG00097']); // shape [2, 2]
   * ```
   * @see genvarloader `Dataset.n_variants`.
   */
  async nVariants(
    regions?: AxisIndex,
    samples?: AxisIndex,
    options: { signal?: AbortSignal } = {},
  ): Promise<Dense<Int32Array>> {
    this.#notSpliced('nVariants');
    const q = resolveQuery(this.#s.regions, this.#s.samples, regions, samples);
    const seqs = this.#s.seqs;
    if (seqs !== 'haplotypes' && seqs !== 'annotated' && seqs !== 'variants') {
      return { data: new Int32Array(q.regionIdx.length), shape: [...q.shape, 1] };
    }
    return nVariants(this.#s.core, this.#plan(), q, options.signal);
  }

  #notSpliced(what: string): void {
    if (this.#s.splice)
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        `${what} is not available for a spliced dataset (as in the peer): use withSettings({ spliceInfo: null })`,
        { value: what },
      );
  }

  /** @internal Resolves paired subset positions to a batch request (random draws included). */
  batchRequest(regionPos: Int32Array, samplePos: Int32Array): BatchRequest {
    const q = resolveQuery(this.#s.regions, this.#s.samples, regionPos, samplePos);
    return { ...q, shape: [regionPos.length], ...this.drawRandom(q.regionIdx.length) };
  }

  /**
   * Iterates over every (region, sample) pair of the current subset in batches, in order
   * (region-major) or shuffled with a seed. Each batch is computed when requested.
   *
   * @throws {@link GvlError} `GVL_INVALID_ARGUMENT` for a bad batch size; an
   *   {@link AbortedError} `GVL_ABORTED` when `signal` fires (its `cause` is the signal's
   *   reason, its `value` the index of the batch that did not complete).
   * @example
   * ```ts
   * for await (const batch of ds.withLen(2048).batches({ batchSize: 64, shuffle: true, seed: 1 })) {
   *   train(batch.data); // Dense<Uint8Array>, shape [64, 2, 2048]
   * }
   * ```
   */
  async *batches(options: BatchOptions = {}): AsyncGenerator<Batch<DatasetOutput<S, T, L, E>>> {
    const { signal } = options;
    const aborted = (index: number) =>
      new AbortedError(`batch iteration aborted by its signal before batch ${index} completed`, {
        value: index,
        cause: signal?.reason,
      });
    for (const plan of planBatches(this.#untyped(), options)) {
      if (signal?.aborted) throw aborted(plan.index);
      const req = this.batchRequest(plan.regions, plan.samples);
      let data: GetOutput;
      try {
        data = await computeBatch(this.#s.core, this.#plan(), req, signal);
      } catch (e) {
        // A kernel cancelled by the signal: one class and message whatever kernel it was.
        if (signal?.aborted && isGvlError(e, 'GVL_ABORTED')) throw aborted(plan.index);
        throw e;
      }
      yield {
        index: plan.index,
        regions: plan.regions,
        samples: plan.samples,
        data: data as DatasetOutput<S, T, L, E>,
      };
    }
  }

  /**
   * A loader that computes batches ahead of the consumer, from this thread: each batch
   * is one native call, parallel over the process's thread budget (`@gvl/threads`).
   * Batches arrive in order; at most `prefetch` are in flight. See {@link Loader}.
   *
   * @throws {@link GvlError} `GVL_INVALID_MODE` for a mode other than `'inline'` (listing
   *   the allowed ones; `'worker'` was removed, the message says why and what to use);
   *   `GVL_MODE_UNAVAILABLE` for `'process'`; `GVL_INVALID_ARGUMENT` for bad counts and
   *   for the removed `workers` option. All before any batch starts.
   */
  loader(options: LoaderOptions = {}): Loader<DatasetOutput<S, T, L, E>> {
    return createLoader(this.#untyped(), options) as Loader<DatasetOutput<S, T, L, E>>;
  }
}

/**
 * `unphasedUnion` and `dummyVariant` need genotypes, and `unphasedUnion` cannot
 * fold haplotype sequences (genvarloader `Dataset.with_settings` / `with_seqs`).
 */
function checkVariantSettings(core: Core, seqs: SeqsKind | null, s: DatasetSettings): void {
  for (const name of ['unphasedUnion', 'dummyVariant'] as const) {
    if (s[name] && !core.files.genotypes)
      throw new GvlError(
        'GVL_MODE_UNAVAILABLE',
        `${name} needs genotypes, and ${core.files.path} has none`,
        { value: s[name] },
      );
  }
  if (seqs === 'annotated' && s.tokenAlphabet !== null)
    throw new GvlError(
      'GVL_INVALID_MODE',
      `${s.oneHot ? 'oneHot' : 'tokenAlphabet'} cannot be used with 'annotated' output (annotated haplotypes are ASCII): use withSeqs('haplotypes'), or withSettings({ tokenAlphabet: null, unknownToken: null, oneHot: false })`,
      { value: seqs },
    );
  if (s.unphasedUnion && (seqs === 'haplotypes' || seqs === 'annotated'))
    throw new GvlError(
      'GVL_INVALID_MODE',
      `unphasedUnion cannot be used with '${seqs}' output (a union of phased sequences is not defined): use withSeqs('variants'), or withSettings({ unphasedUnion: false })`,
      { value: seqs },
    );
  checkVarFields(core.files.path, core.files.variants, seqs, s, !!core.files.genotypes?.dosages);
}

/**
 * What spliced mode allows (genvarloader `Dataset._check_valid_state`): no jitter,
 * deterministic reads, no fixed length (transcripts differ in length), no variants.
 */
function checkSpliced(
  spliced: boolean,
  seqs: SeqsKind | null,
  len: OutputLength,
  s: DatasetSettings,
): void {
  if (!spliced) return;
  if (s.jitter !== 0) throw invalid('jitter', s.jitter, '0 on a spliced dataset');
  if (!s.deterministic)
    throw invalid('deterministic', s.deterministic, 'true on a spliced dataset');
  if (typeof len === 'number')
    throw invalid(
      'output length',
      len,
      "'ragged' or 'variable' on a spliced dataset (transcripts of fixed-length exons still differ in length)",
    );
  if (seqs === 'variants')
    throw new GvlError(
      'GVL_MODE_UNAVAILABLE',
      "sequences 'variants' are not available on a spliced dataset: use 'haplotypes', 'annotated' or 'reference'",
      { value: seqs },
    );
  if (s.tokenAlphabet !== null)
    throw new GvlError(
      'GVL_MODE_UNAVAILABLE',
      'token and one-hot output are not available on a spliced dataset: read ASCII (tokenAlphabet: null) and encode the joined rows',
      { value: s.tokenAlphabet },
    );
}

function checkFixedLength(s: State, len: OutputLength, jitter: number): void {
  if (typeof len !== 'number') return;
  const f = s.core.files;
  const minLen = f.minRegionLength;
  const max = minLen + 2 * f.metadata.max_jitter;
  if (len + 2 * jitter > max) {
    throw invalid(
      'output length',
      len,
      `L + 2·jitter (${len} + 2·${jitter}) <= min region length (${minLen}) + 2·max_jitter (${f.metadata.max_jitter}) = ${max}`,
    );
  }
}
