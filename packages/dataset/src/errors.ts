/**
 * Every error `@gvl/dataset` throws on purpose. Each class carries a stable string
 * {@link GvlError.code} (prefixed `GVL_`) that callers can switch on; messages name the
 * offending value (a VCF record as `contig:pos REF>ALT` with a 1-based `pos`, a BED line,
 * a path, a sample) and what was expected.
 *
 * @module
 */
import { GvlError, type GvlErrorOptions } from '@gvl/errors';

/**
 * The stable error codes of `@gvl/dataset`.
 *
 * | code | meaning |
 * | --- | --- |
 * | `GVL_INVALID_ARGUMENT` | an option has the wrong type or range |
 * | `GVL_INVALID_RAGGED` | offsets/lengths/shape of a {@link Ragged} are inconsistent |
 * | `GVL_UNREADABLE` | a path does not exist or cannot be read |
 * | `GVL_UNWRITABLE` | the output location cannot be written |
 * | `GVL_OUTPUT_CONTAINS_INPUT` | the output path equals or contains an input file (symlinks resolved) |
 * | `GVL_DISK_FULL` | the disk or the user's quota filled up while writing (`ENOSPC`, `EDQUOT`) |
 * | `GVL_MISSING_INDEX` | a VCF `.tbi`/`.csi` or a FASTA `.fai`/`.gzi` is missing |
 * | `GVL_BCF_UNSUPPORTED` | the variants file is BCF |
 * | `GVL_BAD_VCF` | a VCF is malformed (not bgzipped, bad header, bad genotype, …), or the `dosageField` is not a declared Float/Integer FORMAT field or has a record without it or a value that is not one number |
 * | `GVL_TRUNCATED_VCF` | a `.vcf.gz` ends early: a BGZF block runs past the end of the file or the EOF block is missing (names the file and compressed byte offset) |
 * | `GVL_CORRUPT_VCF` | a `.vcf.gz` block fails its BGZF header, deflate, CRC32 or ISIZE check, or the records read disagree with the index's per-contig counts (names the file and offset) |
 * | `GVL_MULTIALLELIC` | a record has more than one ALT allele |
 * | `GVL_SYMBOLIC_ALLELE` | a record has a symbolic, breakend or `*` ALT allele |
 * | `GVL_UNNORMALIZED_VARIANT` | a record is not atomized (REF and ALT both longer than 1 base) |
 * | `GVL_REF_MISMATCH` | a record's REF differs from the reference genome |
 * | `GVL_UNSORTED_VCF` | records are not sorted by position within a contig |
 * | `GVL_BAD_BED` | a BED line is malformed (columns, coordinates, strand, a coordinate past 2^31 − 1) or names a region twice |
 * | `GVL_BAD_FASTA` | a FASTA or its index cannot be parsed |
 * | `GVL_BAD_TRACK` | a track specification or bigWig file is invalid |
 * | `GVL_BAD_TABLE` | an interval-table track line or specification is malformed (columns, coordinates, value); names the file and line |
 * | `GVL_UNSORTED_TABLE` | an interval table's intervals are not sorted by start within a sample and contig; names the file and line |
 * | `GVL_TABLE_OVERLAP` | an interval table's intervals overlap within a sample and contig; names the file and line |
 * | `GVL_TRACK_EXISTS` | adding a track whose name the dataset already has, without `overwrite` |
 * | `GVL_UNKNOWN_TRACK` | a track to transform is not a sample track of the dataset |
 * | `GVL_BAD_TRANSFORM` | a track transform returned values of the wrong type, count or row lengths |
 * | `GVL_UNKNOWN_CONTIG` | a BED contig is absent from the VCF, reference or a track |
 * | `GVL_UNKNOWN_SAMPLE` | a requested sample is absent from the VCF or a track |
 * | `GVL_DATASET_EXISTS` | the output exists and `overwrite` is false |
 * | `GVL_NOT_A_DATASET` | `overwrite` refused: the output is not a genvarloader dataset (a file, a link, user files) |
 * | `GVL_BAD_DATASET` | a directory is not a readable genvarloader dataset |
 * | `GVL_ABORTED` | the operation was cancelled through an `AbortSignal` |
 * | `GVL_INDEX_OUT_OF_RANGE` | a region or sample index is outside the dataset or its subset |
 * | `GVL_UNKNOWN_REGION` | a region name is not in the dataset |
 * | `GVL_BAD_SPLICE_INFO` | `spliceInfo` names a column the input BED lacks, or a transcript cannot be assembled from its rows (a null id or order value, exons on two strands or contigs) |
 * | `GVL_INVALID_MODE` | an unknown mode or kind (loader mode, sequence kind, insertion fill, `parallel`) |
 * | `GVL_MODE_UNAVAILABLE` | a known mode this dataset or loader cannot provide |
 * | `GVL_NO_REFERENCE` | the output needs a reference and none was given to `Dataset.open` |
 * | `GVL_LOADER_CLOSED` | a loader was closed while a batch was pending |
 * | `GVL_INVALID_ENV` | a distributed launcher's variable (`RANK`, `WORLD_SIZE`, `SLURM_PROCID`, …) is not an integer, or a rank is outside its world |
 * | `GVL_BAD_INFO_FIELD` | `write({ infoFields })` names an INFO field the VCF header does not declare, or one of an unsupported `Type`/`Number`, or a built-in column name |
 * | `GVL_UNKNOWN_VAR_FIELD` | `withSettings({ varFields })` names a field not in `Dataset.availableVarFields` |
 * | `GVL_NO_AF` | `withSettings({ minAf, maxAf })` on a dataset whose variant table has no `AF` column |
 * | `GVL_RUNTIME_UNAVAILABLE` | an optional ML runtime (`onnxruntime-node`, `@tensorflow/tfjs-node`, `@tensorflow/tfjs`) that `@gvl/dataset/onnx` or `@gvl/dataset/tfjs` needs is not installed or fails to load; the message names the package to install |
 * | `GVL_CONCAT_MISMATCH` | `concat`: an input differs from input #0 where the inputs must agree (ploidy, `max_jitter`, contigs, tracks, BED columns, dosages stored or not; samples on the region axis, regions on the sample axis) |
 * | `GVL_CONCAT_VARIANTS` | `concat`: an input's variant table (`genotypes/variants.arrow`) is absent where input #0 has one, or is not the same table |
 * | `GVL_CONCAT_OVERLAP` | `concat`: a sample in two inputs (sample axis), a region name in two inputs or one region twice in an input (region axis) |
 * | `GVL_USAGE` | (the `gvl` CLI) the command line is wrong: unknown command or flag, a missing or malformed flag; `UsageError` from `@gvl/errors`, exit 64 |
 *
 * Errors of `@gvl/native` (`GVL_NATIVE_PANIC`, `GVL_ALLOCATION_FAILED`, …) reach callers
 * of the read path unchanged: they are `GvlError`s too.
 */
export type GvlErrorCode =
  | 'GVL_INVALID_ARGUMENT'
  | 'GVL_INVALID_RAGGED'
  | 'GVL_UNREADABLE'
  | 'GVL_UNWRITABLE'
  | 'GVL_OUTPUT_CONTAINS_INPUT'
  | 'GVL_DISK_FULL'
  | 'GVL_MISSING_INDEX'
  | 'GVL_BCF_UNSUPPORTED'
  | 'GVL_BAD_VCF'
  | 'GVL_TRUNCATED_VCF'
  | 'GVL_CORRUPT_VCF'
  | 'GVL_MULTIALLELIC'
  | 'GVL_SYMBOLIC_ALLELE'
  | 'GVL_UNNORMALIZED_VARIANT'
  | 'GVL_REF_MISMATCH'
  | 'GVL_UNSORTED_VCF'
  | 'GVL_BAD_BED'
  | 'GVL_BAD_FASTA'
  | 'GVL_BAD_TRACK'
  | 'GVL_BAD_TABLE'
  | 'GVL_UNSORTED_TABLE'
  | 'GVL_TABLE_OVERLAP'
  | 'GVL_TRACK_EXISTS'
  | 'GVL_UNKNOWN_TRACK'
  | 'GVL_BAD_TRANSFORM'
  | 'GVL_UNKNOWN_CONTIG'
  | 'GVL_UNKNOWN_SAMPLE'
  | 'GVL_DATASET_EXISTS'
  | 'GVL_NOT_A_DATASET'
  | 'GVL_BAD_DATASET'
  | 'GVL_INDEX_OUT_OF_RANGE'
  | 'GVL_UNKNOWN_REGION'
  | 'GVL_BAD_SPLICE_INFO'
  | 'GVL_INVALID_MODE'
  | 'GVL_MODE_UNAVAILABLE'
  | 'GVL_NO_REFERENCE'
  | 'GVL_LOADER_CLOSED'
  | 'GVL_INVALID_ENV'
  | 'GVL_ABORTED'
  | 'GVL_BAD_INFO_FIELD'
  | 'GVL_UNKNOWN_VAR_FIELD'
  | 'GVL_NO_AF'
  | 'GVL_RUNTIME_UNAVAILABLE'
  | 'GVL_CONCAT_MISMATCH'
  | 'GVL_CONCAT_VARIANTS'
  | 'GVL_CONCAT_OVERLAP'
  | 'GVL_USAGE';

export { isGvlError, UsageError } from '@gvl/errors';
/**
 * The base of every gvl-ts error, re-exported from `@gvl/errors`: every class below
 * extends it, and so do the errors of `@gvl/native` (`NativeError`), `@gvl/threads` and
 * `@gvl/stress`.
 * `e instanceof GvlError` and {@link isGvlError} hold for all of them.
 *
 * @example
 * ```ts
 * try {
 *   await write('out.gvl', { bed: 'r.bed', variants: 'v.vcf.gz' });
 * } catch (e) {
 *   if (e instanceof GvlError && e.code === 'GVL_MULTIALLELIC') console.error(e.value);
 * }
 * ```
 */
export { GvlError, type GvlErrorOptions };

/**
 * Invalid option or argument. Code `GVL_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * await write('out.gvl', { bed: 'regions.bed', variants: 'calls.vcf.gz', maxJitter: -1 });
 * // rejects: InvalidArgumentError, code 'GVL_INVALID_ARGUMENT', value -1
 * ```
 */
export class InvalidArgumentError extends GvlError<'GVL_INVALID_ARGUMENT'> {
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_INVALID_ARGUMENT', message, options);
  }
}

/**
 * Inconsistent ragged-array offsets, lengths or shape. Code `GVL_INVALID_RAGGED`.
 *
 * @example
 * ```ts
 * Ragged.fromLengths(new Uint8Array(3), [1, 1], [2]); // throws RaggedError: lengths sum to 2, data has 3
 * ```
 */
export class RaggedError extends GvlError<'GVL_INVALID_RAGGED'> {
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_INVALID_RAGGED', message, options);
  }
}

/** Codes raised by {@link FileError}. */
export type FileErrorCode =
  | 'GVL_UNREADABLE'
  | 'GVL_UNWRITABLE'
  | 'GVL_MISSING_INDEX'
  | 'GVL_OUTPUT_CONTAINS_INPUT'
  | 'GVL_DISK_FULL';

/**
 * A file-system problem with an input or output path: `GVL_UNREADABLE`,
 * `GVL_UNWRITABLE`, `GVL_MISSING_INDEX`, `GVL_OUTPUT_CONTAINS_INPUT` (the output path
 * equals or is an ancestor of an input; the message names the input), or `GVL_DISK_FULL`
 * (the disk or quota filled up while writing; `cause` is the `ENOSPC`/`EDQUOT` error).
 * {@link GvlError.value} is the path.
 *
 * @example
 * ```ts
 * await readBed('missing.bed'); // rejects: FileError, code 'GVL_UNREADABLE', value 'missing.bed'
 * await write('data', { bed: 'data/regions.bed', variants }); // rejects: 'GVL_OUTPUT_CONTAINS_INPUT'
 * ```
 */
export class FileError extends GvlError<FileErrorCode> {
  constructor(code: FileErrorCode, message: string, options?: GvlErrorOptions) {
    super(code, message, options);
  }
}

/** Codes raised by {@link VcfError}. */
export type VcfErrorCode =
  | 'GVL_BCF_UNSUPPORTED'
  | 'GVL_BAD_VCF'
  | 'GVL_TRUNCATED_VCF'
  | 'GVL_CORRUPT_VCF'
  | 'GVL_MULTIALLELIC'
  | 'GVL_SYMBOLIC_ALLELE'
  | 'GVL_UNNORMALIZED_VARIANT'
  | 'GVL_REF_MISMATCH'
  | 'GVL_UNSORTED_VCF'
  | 'GVL_BAD_INFO_FIELD';

/**
 * A VCF that cannot be written to a dataset. {@link GvlError.value} is the record as
 * `contig:pos REF>ALT` (1-based `pos`, as in the VCF) when one record is at fault,
 * otherwise the path.
 *
 * @example
 * ```ts
 * try {
 *   await write('out.gvl', { bed: 'regions.bed', variants: 'calls.vcf.gz' });
 * } catch (e) {
 *   if (e instanceof VcfError && e.code === 'GVL_MULTIALLELIC') {
 *     console.error(`split it first (bcftools norm -m-): ${e.value}`); // e.g. '20:1234 A>C,G'
 *   }
 * }
 * ```
 */
export class VcfError extends GvlError<VcfErrorCode> {
  constructor(code: VcfErrorCode, message: string, options?: GvlErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A malformed BED line. Code `GVL_BAD_BED`; {@link GvlError.value} is `path:line`.
 *
 * @example
 * ```ts
 * parseBed('20\t100\t50\n', 'regions.bed'); // throws BedError, code 'GVL_BAD_BED'
 * ```
 */
export class BedError extends GvlError<'GVL_BAD_BED'> {
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_BAD_BED', message, options);
  }
}

/**
 * A FASTA or FASTA index that cannot be parsed. Code `GVL_BAD_FASTA`.
 *
 * @example
 * ```ts
 * // genome.fa.fai exists but lists no sequence:
 * await loadReference('genome.fa', ['20']); // rejects: FastaError, code 'GVL_BAD_FASTA'
 * ```
 */
export class FastaError extends GvlError<'GVL_BAD_FASTA'> {
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_BAD_FASTA', message, options);
  }
}

/**
 * An invalid track specification or bigWig. Code `GVL_BAD_TRACK`.
 *
 * @example
 * ```ts
 * await write('out.gvl', {
 *   bed: 'regions.bed',
 *   variants: 'calls.vcf.gz',
 *   tracks: [{ name: 'coverage', paths: { HG00096: 'notes.txt' } }],
 * }); // rejects: TrackError, code 'GVL_BAD_TRACK': notes.txt is not a readable bigWig
 * ```
 */
export class TrackError extends GvlError<'GVL_BAD_TRACK'> {
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_BAD_TRACK', message, options);
  }
}

/** Codes of {@link TableError}. */
export type TableErrorCode = 'GVL_BAD_TABLE' | 'GVL_UNSORTED_TABLE' | 'GVL_TABLE_OVERLAP';

/**
 * A malformed interval-table track (see `TableTrack`): `GVL_BAD_TABLE` (a line with too
 * few columns, a non-integer or negative coordinate, `end <= start`, a non-numeric
 * value; or a bad specification), `GVL_UNSORTED_TABLE` (an interval starting before the
 * previous one of the same sample and contig) or `GVL_TABLE_OVERLAP` (an interval
 * starting before the previous one ends). For file problems {@link GvlError.value} is
 * `{file, line, value}` (1-based line).
 *
 * @example
 * ```ts
 * await write('out.gvl', {
 *   bed: 'regions.bed',
 *   tracks: [{ name: 'cov', table: { HG00096: 'cov.bedGraph' } }],
 * }); // rejects: TableError 'GVL_UNSORTED_TABLE': cov.bedGraph:12: chr1:100-200 starts before chr1:500-600 on line 11 …
 * ```
 */
export class TableError extends GvlError<TableErrorCode> {
  constructor(code: TableErrorCode, message: string, options?: GvlErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link TrackUpdateError}. */
export type TrackUpdateErrorCode = 'GVL_TRACK_EXISTS' | 'GVL_UNKNOWN_TRACK' | 'GVL_BAD_TRANSFORM';

/**
 * A track cannot be added to an existing dataset: `GVL_TRACK_EXISTS` (the name is taken
 * and `overwrite` is false), `GVL_UNKNOWN_TRACK` (the track to transform is not a sample
 * track of the dataset) or `GVL_BAD_TRANSFORM` (a transform returned a result of the
 * wrong type, row count or row lengths). {@link GvlError.value} is the track name, or for
 * `GVL_BAD_TRANSFORM` the offending row or length. The dataset is left unchanged.
 *
 * @example
 * ```ts
 * await addTracks('chr16.gvl', { tracks: [{ name: 'gc', paths: { s1: 'gc.bw' } }] });
 * // rejects: TrackUpdateError 'GVL_TRACK_EXISTS' when chr16.gvl already has a track "gc"
 * ```
 */
export class TrackUpdateError extends GvlError<TrackUpdateErrorCode> {
  constructor(code: TrackUpdateErrorCode, message: string, options?: GvlErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A BED contig missing from the VCF, the reference or a track, even after `chr`-prefix
 * normalization. Code `GVL_UNKNOWN_CONTIG`; {@link GvlError.value} is the contig.
 *
 * @example
 * ```ts
 * // A BED on chr21 against a VCF of chr20:
 * await write('out.gvl', { bed: 'chr21.bed', variants: 'chr20.vcf.gz' }); // rejects: UnknownContigError, value '21'
 * ```
 */
export class UnknownContigError extends GvlError<'GVL_UNKNOWN_CONTIG'> {
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_UNKNOWN_CONTIG', message, options);
  }
}

/**
 * A requested sample absent from the inputs. Code `GVL_UNKNOWN_SAMPLE`.
 *
 * @example
 * ```ts
 * await write('out.gvl', { bed: 'regions.bed', variants: 'calls.vcf.gz', samples: ['NA99999'] });
 * // rejects: UnknownSampleError, code 'GVL_UNKNOWN_SAMPLE', value 'NA99999'
 * ```
 */
export class UnknownSampleError extends GvlError<'GVL_UNKNOWN_SAMPLE'> {
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_UNKNOWN_SAMPLE', message, options);
  }
}

/**
 * A dataset-level problem: `GVL_DATASET_EXISTS` (the output exists and `overwrite` is
 * false), `GVL_NOT_A_DATASET` (`overwrite` refused to replace something that is not a
 * genvarloader dataset or an empty directory; value: the path) or `GVL_BAD_DATASET` (not
 * a readable genvarloader dataset).
 *
 * @example
 * ```ts
 * await write('chr20.gvl', options); // rejects: DatasetError 'GVL_DATASET_EXISTS' when chr20.gvl exists
 * await write('chr20.gvl', { ...options, overwrite: true }); // replaces it once the new one is complete
 * await write('/home/me', { ...options, overwrite: true }); // rejects: DatasetError 'GVL_NOT_A_DATASET'
 * await Dataset.open('not-a-dataset/'); // rejects: DatasetError 'GVL_BAD_DATASET'
 * ```
 */
export class DatasetError extends GvlError<
  'GVL_DATASET_EXISTS' | 'GVL_NOT_A_DATASET' | 'GVL_BAD_DATASET'
> {
  constructor(
    code: 'GVL_DATASET_EXISTS' | 'GVL_NOT_A_DATASET' | 'GVL_BAD_DATASET',
    message: string,
    options?: GvlErrorOptions,
  ) {
    super(code, message, options);
  }
}

/**
 * A dataset on disk breaks one of the format's invariants. Code `GVL_BAD_DATASET`, like
 * every unreadable dataset, plus where: {@link BadDatasetError.file} (relative to the
 * dataset directory, e.g. `genotypes/offsets.npy`) and {@link BadDatasetError.index}
 * (the element, row or byte offset at fault, or `null`). {@link GvlError.value} is the
 * offending value.
 *
 * @example
 * ```ts
 * try {
 *   await Dataset.open('broken.gvl');
 * } catch (e) {
 *   if (e instanceof BadDatasetError) console.error(e.file, e.index, e.value);
 *   // 'genotypes/offsets.npy' 0 5n  (offsets[0] must be 0)
 * }
 * ```
 */
export class BadDatasetError extends DatasetError {
  /** File at fault, relative to the dataset directory (`'.'` for the directory itself). */
  readonly file: string;
  /** Element, row or byte offset at fault inside {@link BadDatasetError.file}, or `null`. */
  readonly index: number | null;

  constructor(
    message: string,
    where: { file: string; index?: number | null },
    options?: GvlErrorOptions,
  ) {
    super('GVL_BAD_DATASET', message, options);
    this.file = where.file;
    this.index = where.index ?? null;
  }
}

/**
 * The operation was cancelled through its `AbortSignal`. Code `GVL_ABORTED`.
 *
 * @example
 * ```ts
 * const ctrl = new AbortController();
 * setTimeout(() => ctrl.abort(), 1000);
 * await write('out.gvl', { ...options, signal: ctrl.signal }); // rejects: AbortedError 'GVL_ABORTED'; nothing is left behind
 * ```
 */
export class AbortedError extends GvlError<'GVL_ABORTED'> {
  constructor(message = 'operation aborted', options?: GvlErrorOptions) {
    super('GVL_ABORTED', message, options);
  }
}

/** Codes of {@link ConcatError}. */
export type ConcatErrorCode = 'GVL_CONCAT_MISMATCH' | 'GVL_CONCAT_VARIANTS' | 'GVL_CONCAT_OVERLAP';

/**
 * The inputs of `concat` cannot be merged. {@link ConcatError.input} is the 0-based
 * position (in the `inputs` list) of the offending input and {@link ConcatError.field}
 * what is at fault (`'ploidy'`, `'samples'`, `'variants'`, `'sample HG00096'`, …);
 * {@link GvlError.value} is the value found. Thrown before anything is written.
 *
 * - `GVL_CONCAT_MISMATCH`: the input differs from input #0 where all inputs must agree;
 * - `GVL_CONCAT_VARIANTS`: its variant table is missing or not input #0's;
 * - `GVL_CONCAT_OVERLAP`: a sample or region name it shares with an earlier input, or a
 *   region (contig, start, end) it holds twice.
 *
 * @example
 * ```ts
 * await concat('all.gvl', ['a.gvl', 'b.gvl'], { axis: 'samples' });
 * // rejects: ConcatError 'GVL_CONCAT_OVERLAP', input 1, field 'samples', value 'HG00096'
 * ```
 */
export class ConcatError extends GvlError<ConcatErrorCode> {
  /** 0-based position of the offending input in the list given to `concat`. */
  readonly input: number;
  /** What is at fault, e.g. `'ploidy'`, `'samples'`, `'regions'`, `'variants'`. */
  readonly field: string;

  constructor(
    code: ConcatErrorCode,
    message: string,
    where: { input: number; field: string },
    options?: GvlErrorOptions,
  ) {
    super(code, message, options);
    this.input = where.input;
    this.field = where.field;
  }
}

export { describeError } from '@gvl/errors';

/**
 * An optional ML runtime is not installed, or is installed but fails to load (e.g.
 * `@tensorflow/tfjs-node` without its native TensorFlow library). Code
 * `GVL_RUNTIME_UNAVAILABLE`; {@link GvlError.value} is the npm package name, `cause` the
 * loader's error. Thrown by the tensor adapters `@gvl/dataset/onnx` and
 * `@gvl/dataset/tfjs` on first use, never by the main entry (which loads no runtime).
 *
 * @example
 * ```ts
 * import { ortTensors } from '@gvl/dataset/onnx';
 * ortTensors(batch.data);
 * // without onnxruntime-node installed: RuntimeUnavailableError, code
 * // 'GVL_RUNTIME_UNAVAILABLE', value 'onnxruntime-node', message says `npm install onnxruntime-node`
 * ```
 */
export class RuntimeUnavailableError extends GvlError<'GVL_RUNTIME_UNAVAILABLE'> {
  constructor(message: string, options?: GvlErrorOptions) {
    super('GVL_RUNTIME_UNAVAILABLE', message, options);
  }
}
