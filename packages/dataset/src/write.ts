/**
 * `write()`: BED + VCF (+ FASTA, + per-sample bigWigs) → a genvarloader dataset
 * (format 2.0.0), streamed and atomic.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { peerRegionOrder } from '@gvl/native';
import { type BedTable, checkBedColumns, MAX_COORDINATE, readBed } from './bed.js';
import { ContigNormalizer, natsortContigs } from './contigs.js';
import {
  AbortedError,
  InvalidArgumentError,
  UnknownContigError,
  UnknownSampleError,
  VcfError,
} from './errors.js';
import { type FastaSource, openFasta } from './fasta.js';
import {
  AtomicDir,
  assertOutputOutsideInputs,
  assertWritableTarget,
  directorySize,
  diskFullError,
  recoverInterruptedWrite,
} from './files.js';
import { encodeInputRegions } from './format/arrow-tables.js';
import { writeChecksums } from './format/checksums.js';
import {
  annotIntervalsDir,
  INPUT_REGIONS_FILE,
  METADATA_FILE,
  REGIONS_FILE,
  trackIntervalsDir,
} from './format/layout.js';
import { encodeMetadata, FORMAT_VERSION, PEER_VERSION } from './format/metadata.js';
import { encodeNpyInt32Matrix } from './format/npy.js';
import { createProgress, type Progress } from './progress.js';
import {
  ANNOT_SAMPLE,
  type AnnotTrackSpec,
  openAnnotSources,
  openTrackSources,
  type TrackSource,
  type TrackSpec,
  type TrackWindows,
  trackInputs,
  writeTrackFolder,
} from './track-writer.js';
import { openVcf, type VcfSource } from './vcf.js';
import { type DosageFieldSpec, resolveDosageField } from './vcf-dosage.js';
import { COMPUTED_AF, type InfoFieldSpec, resolveInfoFields } from './vcf-info.js';
import { throwIfAborted, writeGenotypes } from './write-genotypes.js';
import { checkWriteOptions } from './write-options.js';

/** A warning emitted while writing (the write goes on). */
export interface WriteWarning {
  /** `GVL_UNPHASED` (heterozygous genotypes written with `/`) or `GVL_NO_VARIANTS`. */
  readonly code: 'GVL_UNPHASED' | 'GVL_NO_VARIANTS';
  /** What was found, for humans: the first unphased record's position, or the region without variants. */
  readonly message: string;
}

/** Options of {@link write}. */
export interface WriteOptions {
  /**
   * Regions: a BED3–BED6 path (plain or gzipped) or a {@link BedTable} (which may carry
   * more columns, e.g. a transcript id for `withSettings({ spliceInfo })`).
   * 0-based, half-open; `chromEnd > chromStart`; strand `-` marks reverse-strand regions.
   */
  bed: string | BedTable;
  /** A bgzipped VCF with a `.tbi` or `.csi` index beside it. BCF is not supported. */
  variants?: string;
  /**
   * Reference FASTA (plain + `.fai`, or bgzip + `.fai` + `.gzi`). When given, every
   * record's REF is checked against it and every BED contig must be in it. It is not
   * stored in the dataset.
   */
  reference?: string;
  /**
   * Per-sample tracks, written to `intervals/<name>/`: bigWigs (`{name, paths}`, one per
   * sample; intervals clipped to each window) or interval tables (`{name, table}`, see
   * {@link TableTrack}; intervals overlapping a window stored whole, as the peer's `Table`).
   */
  tracks?: readonly TrackSpec[];
  /**
   * Sample-independent annotation tracks by name, written to `annot_intervals/<name>/`
   * (offsets `R + 1`), as the peer's `annot_tracks`: see {@link AnnotTrackSpec}.
   */
  annotTracks?: Readonly<Record<string, AnnotTrackSpec>>;
  /**
   * Samples to keep (default: every sample common to the VCF and the tracks). They are
   * always stored sorted (plain string order).
   */
  samples?: readonly string[];
  /** Pad every region by this many bp on each side (default 0), as the peer's `max_jitter`. */
  maxJitter?: number;
  /**
   * INFO fields of the VCF to store as columns of `genotypes/variants.arrow` (default
   * none, as the peer's VCF index), by header `ID`, e.g. `['AF']`: `Float` → float32
   * (missing → NaN), `Integer` → int32 (missing is an error), each with `Number` `1` or
   * `A`; `Flag` → uint8 0/1. Read back with `withSettings({ varFields })`; an `AF` column
   * enables `withSettings({ minAf, maxAf })`. Needs `variants`.
   */
  infoFields?: readonly string[];
  /**
   * Store an `AF` column computed from the genotypes (default `false`): per record, the
   * ALT calls of the written samples over `samples × ploidy` (a missing call counts as
   * REF), float32, as genvarloader's SVAR `cache_afs`. For `minAf`/`maxAf` when the VCF
   * has no `INFO/AF` or it was computed over other samples. Not with `'AF'` in
   * `infoFields`. Needs `variants`.
   */
  computeAf?: boolean;
  /**
   * A per-sample FORMAT field of the VCF to store as allele dosages (default none), by
   * header `ID`, e.g. `'DS'`: declared `Type=Float` or `Integer`, one value per sample
   * (more than one is refused, as genoray's `MultiallelicDosageError`; `.` → NaN). Every
   * stored genotype call (an entry of `variant_idxs.npy`) gets its sample's value in
   * that record, in `genotypes/dosages.npy` (raw float32, same length and order). Read
   * back with `withSettings({ varFields: ['dosage'] })`. Needs `variants`.
   */
  dosageField?: string;
  /**
   * Keep, per haplotype, the downstream variants needed so that deletions do not leave
   * the haplotype shorter than its region (default `true`), as the peer's
   * `extend_to_length`.
   */
  extendToLength?: boolean;
  /**
   * Replace an existing dataset at the path, only once the new one is complete (default
   * `false`). Only a genvarloader dataset (written by this package or the Python peer) or
   * an empty directory is replaced; anything else is refused with `GVL_NOT_A_DATASET`.
   */
  overwrite?: boolean;
  /** Show a progress bar on stderr (default: when stderr is a TTY). */
  progress?: boolean;
  /** Cancels the write; the partial output is removed. */
  signal?: AbortSignal;
  /** Receives warnings (default: `process.emitWarning`). */
  onWarning?: (warning: WriteWarning) => void;
}

/** What {@link write} wrote. */
export interface WriteSummary {
  /** Absolute path of the dataset. */
  readonly path: string;
  /** Number of regions written: one per BED row. */
  readonly nRegions: number;
  /** Sorted sample names. */
  readonly samples: readonly string[];
  /** Haplotypes per sample (at least 2, as the peer), `null` without variants. */
  readonly ploidy: number | null;
  /** Natsorted contigs. */
  readonly contigs: readonly string[];
  /** Rows of `genotypes/variants.arrow` (every record of the VCF). */
  readonly nVariants: number;
  /** Track names. */
  readonly tracks: readonly string[];
  /** Annotation track names. */
  readonly annotTracks: readonly string[];
  /** Size of the dataset on disk, in bytes. */
  readonly bytes: number;
}

/** Where each BED region goes on disk and the window it is stored with. */
export interface WritePlan {
  /** Input row of each on-disk region. */
  readonly order: Int32Array;
  /** On-disk position of each input row (`r_idx_map`). */
  readonly rIdxMap: Int32Array;
  /** Natsorted contigs. */
  readonly contigs: string[];
  /** Contig index (into `contigs`) of each on-disk region. */
  readonly contigIdx: Int32Array;
  /** First on-disk region of each contig, plus the total at the end. */
  readonly contigStart: Int32Array;
  /** Padded start / end of each on-disk region. */
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** +1 / -1 per on-disk region. */
  readonly strand: Int32Array;
}

function checkOptions(path: unknown, o: WriteOptions | undefined): asserts o is WriteOptions {
  checkWriteOptions(path, o);
}

function planRegions(bed: BedTable, maxJitter: number): WritePlan {
  const contigs = natsortContigs(bed.chrom);
  const rank = new Map(contigs.map((c, i) => [c, i]));
  const n = bed.length;
  // The peer's own order, ties included: it re-sorts regions with the same (unstable)
  // sort when it opens a dataset, so tied regions must be stored where it expects them.
  const order = Int32Array.from(
    peerRegionOrder(
      Uint32Array.from(bed.chrom, (c) => rank.get(c) as number),
      bed.chromStart,
      bed.chromEnd,
    ),
  );
  const rIdxMap = new Int32Array(n);
  const contigIdx = new Int32Array(n);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const strand = new Int32Array(n);
  const contigStart = new Int32Array(contigs.length + 1);
  for (let d = 0; d < n; d++) {
    const i = order[d] as number;
    rIdxMap[i] = d;
    const c = rank.get(bed.chrom[i] as string) as number;
    contigIdx[d] = c;
    const s = (bed.chromStart[i] as number) - maxJitter;
    const e = (bed.chromEnd[i] as number) + maxJitter;
    start[d] = s;
    end[d] = e;
    if (!(s >= -MAX_COORDINATE - 1 && e <= MAX_COORDINATE)) {
      throw new InvalidArgumentError(
        `BED region ${i} (0-based input row) ${bed.chrom[i]}:${bed.chromStart[i]}-${bed.chromEnd[i]} padded by maxJitter ${maxJitter} becomes [${s}, ${e}), outside the int32 range regions.npy stores (-2^31 .. 2^31 - 1): lower maxJitter`,
        { value: { region: i, maxJitter } },
      );
    }
    strand[d] = bed.strand?.[i] === '-' ? -1 : 1;
  }
  for (let d = n - 1; d >= 0; d--) contigStart[contigIdx[d] as number] = d;
  contigStart[contigs.length] = n;
  return { order, rIdxMap, contigs, contigIdx, contigStart, start, end, strand };
}

function resolveSamples(
  vcf: VcfSource | undefined,
  tracks: readonly TrackSource[],
  requested: readonly string[] | undefined,
): string[] {
  let available: Set<string> | undefined = vcf ? new Set(vcf.samples) : undefined;
  for (const t of tracks) {
    const ts = new Set(t.samples);
    available = available ? new Set([...available].filter((s) => ts.has(s))) : ts;
  }
  const avail = available ?? new Set<string>();
  if (requested) {
    const missing = requested.filter((s) => !avail.has(s));
    if (missing.length > 0) {
      const where = [vcf ? 'the VCF' : '', ...tracks.map((t) => `track ${t.name}`)]
        .filter(Boolean)
        .join(' and ');
      throw new UnknownSampleError(
        `sample(s) ${missing.map((s) => JSON.stringify(s)).join(', ')} not found in ${where}`,
        { value: missing },
      );
    }
    return [...requested].sort();
  }
  if (avail.size === 0 && (vcf !== undefined || tracks.length > 0)) {
    throw new UnknownSampleError('no sample is common to the VCF and every track', { value: [] });
  }
  return [...avail].sort();
}

function contigError(contig: string, where: string, names: readonly string[]): UnknownContigError {
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
  return new UnknownContigError(
    `BED contig ${JSON.stringify(contig)} is not in ${where} (also tried with/without the "chr" prefix); it has: ${shown}`,
    { value: contig },
  );
}

/** Every input file of a write, with what it is, for {@link assertOutputOutsideInputs}. */
function inputPaths(o: WriteOptions, tracks: readonly TrackSpec[]): [string, string][] {
  const inputs: [string, string][] = [];
  if (typeof o.bed === 'string') inputs.push(['BED', o.bed]);
  if (o.variants !== undefined) {
    inputs.push(['VCF', o.variants], ['VCF index', `${o.variants}.tbi`]);
    inputs.push(['VCF index', `${o.variants}.csi`]);
  }
  if (o.reference !== undefined) {
    inputs.push(['reference', o.reference], ['reference index', `${o.reference}.fai`]);
    inputs.push(['reference index', `${o.reference}.gzi`]);
  }
  inputs.push(...trackInputs(tracks, o.annotTracks));
  return inputs;
}

/**
 * Test-only: with `GVL_TEST_HOLD_BEFORE_COMMIT=1` the write waits, its temp directory
 * complete, until `signal` aborts, so a test can interrupt it at a known point without
 * timing. Never set it outside tests.
 */
async function holdBeforeCommit(signal: AbortSignal | undefined): Promise<void> {
  if (process.env.GVL_TEST_HOLD_BEFORE_COMMIT !== '1' || signal === undefined) return;
  if (signal.aborted) return;
  // Signal listeners do not keep the event loop alive: a timer does, until the abort.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true }));
  clearInterval(keepAlive);
}

/**
 * Writes a genvarloader dataset (on-disk format 2.0.0) that both this package and the
 * Python `genvarloader` can open.
 *
 * Layout written under `path` (see the package README for dtypes):
 * `metadata.json`, `input_regions.arrow` (the BED as given + `r_idx_map`),
 * `regions.npy` (int32 `(R, 4)`: contig index, padded start, stored end, strand ±1, in
 * on-disk order: natsorted contig, start, end), and with `variants`:
 * `genotypes/variants.arrow` (every VCF record: `CHROM`, `POS` 1-based, `REF`, `ALT`,
 * `ILEN`, then the `infoFields` columns and, with `computeAf`, `AF`), `genotypes/offsets.npy` (raw int64, `R·S·P + 1`, group `(r·S + s)·P + p`),
 * `genotypes/variant_idxs.npy` (raw int32, ascending per haplotype), with `dosageField`
 * `genotypes/dosages.npy` (raw float32, one per entry of `variant_idxs.npy`); with `tracks`:
 * `intervals/<name>/{starts,ends,values,offsets}.npy` (raw int32, int32, float32, and
 * int64 `R·S + 1`), bigWig intervals clipped to the stored window, interval-table
 * intervals overlapping it kept whole (as the peer's `Table`); with `annotTracks`: the
 * same under `annot_intervals/<name>/` with offsets `R + 1`; last, `checksums.json`
 * (the SHA-256 of every other file, checked by `Dataset.open`; the peer ignores it).
 *
 * Semantics: regions padded by `maxJitter` on both sides (start may become negative);
 * a haplotype carries a variant when its allele is `1` (missing = REF); ploidy is at
 * least 2 as the peer's (a haploid call, e.g. `GT=1`, fills haplotype 0 and leaves
 * haplotype 1 REF; an all-haploid VCF is written with ploidy 2); unphased
 * genotypes are read in the order written (one warning); with `extendToLength`,
 * downstream variants are kept per haplotype as the peer does (see
 * `genotype-sweep.ts`). Samples are sorted; contigs natsorted.
 *
 * Streaming: the VCF is read once, sequentially, BGZF block by BGZF block (each inflated
 * into one reused 64 KiB buffer), in blocks of at most 1 MiB of text (plus one line),
 * 4,096 records or 1 Mb (see `readVcfBlocks` in `vcf.ts`); memory holds one block, the
 * carriers of the records that can still overlap a region not yet written (carved from
 * reused chunks), and per-region scratch bounded by the window's records × 4,096
 * haplotypes plus a few per-haplotype arrays, independently of the VCF's size and of
 * records × samples: only one VCF line, the sample names and the per-haplotype arrays
 * grow with the sample count. Nothing is allocated per BGZF block, per record's carriers
 * or per region once these buffers exist (peak RSS 108 MiB at 1,000 samples, 178 MiB at
 * 100,000 on msprime cohorts of 1 Mb; the table and its conditions are in the package
 * README, "Write memory"). The time is linear in the VCF's size. An abort `signal` is
 * polled, never listened to per read.
 *
 * Atomic: everything is written to a temp directory `.<name>.tmp-<pid>-<hex>` beside
 * `path` and committed at the end; on failure the temp directory is removed and an
 * existing dataset is untouched. With `overwrite`, the old dataset is replaced by one
 * atomic exchange where the file system supports it (Linux `renameat2`), so that a kill
 * at any instant leaves either the complete old or the complete new dataset at `path`;
 * elsewhere by two renames, and a kill between them is repaired by the next write to
 * `path` (see `AtomicDir` in `files.ts` for the exact steps). Hidden siblings left by
 * killed writes (their pid dead) are removed by the next write to `path`, and
 * `datasetInfo` reports them.
 *
 * Overwrite replaces only a directory holding
 * the peer's `metadata.json` and only dataset entries (`input_regions.arrow`,
 * `regions.npy`, `genotypes/`, `intervals/`, `annot_intervals/`), or an empty directory.
 * An output path that is, or contains, one of the inputs (BED, VCF and its index,
 * reference and its indexes, bigWigs, interval tables, annotation files; symlinks resolved) is always refused.
 *
 * @param path - output directory (must not exist unless `overwrite`).
 * @param options - see {@link WriteOptions}.
 * @returns a {@link WriteSummary}.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` for bad options.
 * @throws {@link DatasetError} `GVL_DATASET_EXISTS` when `path` exists and not `overwrite`;
 *   `GVL_NOT_A_DATASET` when `overwrite` and `path` is not a dataset or an empty directory.
 * @throws {@link FileError} `GVL_OUTPUT_CONTAINS_INPUT` when `path` equals or contains an
 *   input; `GVL_UNREADABLE`, `GVL_MISSING_INDEX`, `GVL_UNWRITABLE`; `GVL_DISK_FULL` when
 *   the disk or quota fills up (`ENOSPC`, `EDQUOT`) — the partial output is removed and an
 *   existing dataset at `path` is left as it was.
 * @throws {@link BedError} `GVL_BAD_BED`.
 * @throws {@link VcfError} `GVL_BAD_INFO_FIELD` (an `infoFields` entry the header does not
 *   declare, or of an unsupported `Type`/`Number`; before anything is written),
 *   `GVL_BAD_VCF` for a `dosageField` the header does not declare as a Float or Integer
 *   FORMAT field (before anything is written) or, naming the record and sample, a record
 *   without it in FORMAT, or a sample with more than one value or a non-numeric one,
 *   `GVL_BCF_UNSUPPORTED`, `GVL_BAD_VCF`, `GVL_MULTIALLELIC`,
 *   `GVL_SYMBOLIC_ALLELE`, `GVL_UNNORMALIZED_VARIANT`, `GVL_REF_MISMATCH`,
 *   `GVL_UNSORTED_VCF`, naming the record as `contig:pos REF>ALT`.
 * @throws {@link TableError} `GVL_BAD_TABLE`, `GVL_UNSORTED_TABLE`, `GVL_TABLE_OVERLAP`
 *   naming the interval-table file and line.
 * @throws {@link UnknownContigError} `GVL_UNKNOWN_CONTIG`, {@link UnknownSampleError}
 *   `GVL_UNKNOWN_SAMPLE`, {@link TrackError} `GVL_BAD_TRACK`, {@link FastaError}
 *   `GVL_BAD_FASTA`, {@link AbortedError} `GVL_ABORTED`.
 * @see genvarloader `write(path, bed, variants, tracks, annot_tracks, samples, max_jitter, overwrite, extend_to_length)`
 * @example
 * ```ts
 * import { write } from '@gvl/dataset';
 * await write('chr20.gvl', {
 *   bed: 'windows_2kb.bed',
 *   variants: '1kg_chr20_300samples.vcf.gz',
 *   reference: 'chr20_1-2Mb.fa.gz',
 *   maxJitter: 128,
 * });
 * ```
 */
export async function write(path: string, options: WriteOptions): Promise<WriteSummary> {
  checkOptions(path, options);
  const target = resolve(path);
  const overwrite = options.overwrite ?? false;
  // ---- validation: nothing is written before all of it passes ----
  const inputs = await openInputs(target, options, overwrite);
  throwIfAborted(options.signal);

  // ---- writing, into a temp directory beside the target ----
  const dir = await AtomicDir.create(target, overwrite).catch((e: unknown) => {
    throw diskFullError(e, target) ?? e;
  });
  const progress = createProgress(options.progress);
  try {
    const nVariants = await writeFiles(dir.path, inputs, options, progress);
    const { signal } = options;
    await writeChecksums(dir.path);
    await holdBeforeCommit(signal);
    throwIfAborted(signal);
    const bytes = await directorySize(dir.path);
    await dir.commit();
    return {
      path: target,
      nRegions: inputs.plan.order.length,
      samples: inputs.samples,
      ploidy: inputs.ploidy,
      contigs: inputs.plan.contigs,
      nVariants,
      tracks: (options.tracks ?? []).map((t) => t.name),
      annotTracks: inputs.annots.map((a) => a.name),
      bytes,
    };
  } catch (e) {
    progress.stop();
    await dir.discard();
    // Disk full is one typed error wherever it happened (npy, Arrow, JSON, rename).
    throw diskFullError(e, target) ?? e;
  } finally {
    progress.stop();
  }
}

/** A write's inputs, opened and checked against each other. */
interface WriteInputs {
  readonly bed: BedTable;
  readonly sources: readonly TrackSource[];
  readonly annots: readonly TrackSource[];
  readonly vcf: VcfSource | undefined;
  /** INFO columns to store (with the computed AF last when `computeAf`). */
  readonly info: readonly InfoFieldSpec[];
  /** The FORMAT field stored as dosages, when `dosageField`. */
  readonly dosage: DosageFieldSpec | undefined;
  readonly fasta: FastaSource | undefined;
  /** Sorted samples to write. */
  readonly samples: string[];
  readonly plan: WritePlan;
  /** Haplotypes per sample (at least 2), or null without a VCF. */
  readonly ploidy: number | null;
}

/**
 * The validation half of {@link write}: checks the target (outside the inputs, writable;
 * repairs killed writes to it), opens every input and checks them against each other
 * (samples, contigs). Nothing is written to the target.
 */
async function openInputs(
  target: string,
  options: WriteOptions,
  overwrite: boolean,
): Promise<WriteInputs> {
  const tracks = options.tracks ?? [];
  const signal = options.signal;
  await assertOutputOutsideInputs(target, inputPaths(options, tracks));
  // Killed writes to this path: restore a parked old dataset, sweep their temp dirs.
  await recoverInterruptedWrite(target);
  await assertWritableTarget(target, overwrite);
  const bed = typeof options.bed === 'string' ? await readBed(options.bed) : options.bed;
  checkBedColumns(bed);
  const sources = await openTrackSources(tracks);
  const annots = options.annotTracks ? await openAnnotSources(options.annotTracks) : [];
  const vcf =
    options.variants !== undefined
      ? await openVcf(options.variants, signal ? { signal } : {})
      : undefined;
  const info = vcf ? resolveInfoFields(vcf.path, vcf.header, options.infoFields ?? []) : [];
  if (vcf && options.computeAf) info.push(COMPUTED_AF);
  const dosage =
    vcf && options.dosageField !== undefined
      ? resolveDosageField(vcf.path, vcf.header, options.dosageField)
      : undefined;
  const fasta = options.reference !== undefined ? await openFasta(options.reference) : undefined;
  const samples = resolveSamples(vcf, sources, options.samples);
  const plan = planRegions(bed, options.maxJitter ?? 0);
  if (vcf) {
    const norm = new ContigNormalizer([...vcf.contigs, ...vcf.headerContigs]);
    const names = [...new Set([...vcf.contigs, ...vcf.headerContigs])];
    for (const c of plan.contigs)
      if (!norm.has(c)) throw contigError(c, `the VCF ${vcf.path}`, names);
  }
  if (fasta) {
    const norm = new ContigNormalizer(fasta.names);
    for (const c of plan.contigs)
      if (!norm.has(c)) throw contigError(c, `the reference ${fasta.path}`, fasta.names);
  }
  for (const t of sources) t.checkContigs(plan.contigs, samples);
  for (const a of annots) a.checkContigs(plan.contigs, [ANNOT_SAMPLE]);
  // As the peer (genoray reads every VCF as diploid): at least 2 haplotypes per sample;
  // a haploid call fills the first and leaves the second REF.
  const ploidy = vcf ? Math.max(2, vcf.ploidy ?? 2) : null;
  return { bed, sources, annots, vcf, info, dosage, fasta, samples, plan, ploidy };
}

/**
 * The writing half of {@link write}: every dataset file but `checksums.json`, into the
 * temp directory `dir`. Returns the number of variants written.
 */
async function writeFiles(
  dir: string,
  inputs: WriteInputs,
  options: WriteOptions,
  progress: Progress,
): Promise<number> {
  const { bed, vcf, fasta, plan, samples, ploidy, info, dosage } = inputs;
  const maxJitter = options.maxJitter ?? 0;
  const extend = options.extendToLength ?? true;
  const signal = options.signal;
  const warn =
    options.onWarning ??
    ((w: WriteWarning) => {
      process.emitWarning(w.message, { code: w.code });
    });
  await writeFile(join(dir, INPUT_REGIONS_FILE), encodeInputRegions(bed, plan.rIdxMap));
  let ends: Float64Array = Float64Array.from(plan.end);
  let nVariants = 0;
  if (vcf && ploidy !== null) {
    const g = await writeGenotypes(
      dir,
      vcf,
      fasta,
      plan,
      samples,
      ploidy,
      extend,
      progress,
      warn,
      signal,
      info,
      dosage,
    );
    ends = g.ends;
    nVariants = g.nVariants;
  }
  const n = plan.order.length;
  const regions = new Int32Array(n * 4);
  for (let d = 0; d < n; d++) {
    regions[4 * d] = plan.contigIdx[d] as number;
    regions[4 * d + 1] = plan.start[d] as number;
    regions[4 * d + 2] = ends[d] as number;
    regions[4 * d + 3] = plan.strand[d] as number;
  }
  await writeFile(join(dir, REGIONS_FILE), encodeNpyInt32Matrix(regions, n, 4, true));
  await writeTracks(
    dir,
    inputs,
    { contigs: plan.contigs, contigIdx: plan.contigIdx, start: plan.start, end: ends },
    progress,
    signal,
  );
  await writeFile(
    join(dir, METADATA_FILE),
    encodeMetadata({
      samples: [...samples],
      contigs: plan.contigs,
      n_regions: n,
      ploidy,
      max_jitter: maxJitter,
      version: PEER_VERSION,
      format_version: FORMAT_VERSION,
      svar_link: null,
      svar2_link: null,
      variants_fingerprint: null,
    }),
  );
  return nVariants;
}

/** Writes the tracks under `intervals/` and the annotation tracks under `annot_intervals/`. */
async function writeTracks(
  dir: string,
  inputs: WriteInputs,
  windows: TrackWindows,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  const n = inputs.plan.order.length;
  for (const t of inputs.sources) {
    progress.start(`track ${t.name}`, n);
    await writeTrackFolder(
      join(dir, trackIntervalsDir(t.name)),
      windows,
      inputs.samples,
      t,
      progress,
      signal,
    );
    progress.stop();
  }
  for (const a of inputs.annots) {
    progress.start(`annotation ${a.name}`, n);
    await writeTrackFolder(
      join(dir, annotIntervalsDir(a.name)),
      windows,
      [ANNOT_SAMPLE],
      a,
      progress,
      signal,
    );
    progress.stop();
  }
}
