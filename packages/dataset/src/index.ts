/**
 * `@gvl/dataset`: ragged arrays and writing genvarloader datasets (on-disk format 2.0.0)
 * from BED + VCF (+ FASTA, + per-sample bigWigs). The library only: the `gvl` command line
 * and the main job are the `@gvl/dataset/cli` subpath.
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
 */

export type {
  AddTracksOptions,
  AddTracksSummary,
  TrackTransform,
  TransformTrackOptions,
} from './add-tracks.js';
export { addTracks, writeTransformedTrack } from './add-tracks.js';
export type { PlannedBatch } from './batches.js';
export { planBatches } from './batches.js';
export type { BedTable } from './bed.js';
export { parseBed, readBed } from './bed.js';
export type { BigWigTrack } from './bigwig.js';
export type { ConcatAxis, ConcatOptions, ConcatSummary, VariantsFingerprint } from './concat.js';
export { CONCAT_AXES, concat, variantsFingerprint } from './concat.js';
export { ContigNormalizer, compareContigs, natsortContigs } from './contigs.js';
export type { Batch, BatchOptions, OpenOptions } from './dataset.js';
export { Dataset } from './dataset.js';
export type { DistributedInfo, LauncherSource, ShardOptions } from './distributed.js';
export { distributedEnv, shardOrder } from './distributed.js';
export type { DummyPaths } from './dummy.js';
export { dummyDataset, writeDummyDataset } from './dummy.js';
export type {
  ConcatErrorCode,
  FileErrorCode,
  GvlErrorCode,
  GvlErrorOptions,
  TableErrorCode,
  TrackUpdateErrorCode,
  VcfErrorCode,
} from './errors.js';
export {
  AbortedError,
  BadDatasetError,
  BedError,
  ConcatError,
  DatasetError,
  FastaError,
  FileError,
  GvlError,
  InvalidArgumentError,
  isGvlError,
  RaggedError,
  RuntimeUnavailableError,
  TableError,
  TrackError,
  TrackUpdateError,
  UnknownContigError,
  UnknownSampleError,
  VcfError,
} from './errors.js';
export type { RecoveryReport, SiblingKind, StaleSibling } from './files.js';
export { findStaleSiblings, recoverInterruptedWrite } from './files.js';
export type { ChecksumManifest } from './format/checksums.js';
export { CHECKSUMS_FILE } from './format/checksums.js';
export type { DatasetMetadata, MetadataProblem } from './format/metadata.js';
export { FORMAT_VERSION, PEER_VERSION, parseMetadata } from './format/metadata.js';
export type { AxisIndex, Slice } from './indexing.js';
export { slice } from './indexing.js';
export type { DatasetInfo } from './info.js';
export { datasetInfo } from './info.js';
export type { Loader, LoaderMode, LoaderOptions, LoaderShard, LoaderStats } from './loader.js';
export { LOADER_MODES } from './loader.js';
export type {
  AnnotatedHaps,
  DatasetOutput,
  EncodedSeqsOf,
  EncodingAfter,
  EncodingKind,
  GetOutput,
  LengthKind,
  LengthKindOf,
  RaggedAnnotatedHaps,
  RaggedOneHot,
  RaggedVariants,
  SeqsOutput,
  SeqsOutputOf,
  TracksOutput,
  TracksOutputOf,
} from './output.js';
export type { Dense, ElementOf, RaggedShape, TypedArray } from './ragged.js';
export { offsetsFromLengths, Ragged } from './ragged.js';
export type { Reference } from './reference.js';
export { loadReference } from './reference.js';
export type { DatasetSettings, InsertionFill, OutputLength, SeqsKind } from './settings.js';
export type { SpliceBedRow, SpliceInfo } from './splice.js';
export type { TableTrack } from './table-track.js';
export type { AnnotTableSpec, AnnotTrackSpec, TrackSpec } from './track-writer.js';
export type { VariantFieldArray } from './var-fields.js';
export { vcfSamples } from './vcf.js';
export type { VerifyCheck, VerifyOptions, VerifyProblem, VerifyReport } from './verify.js';
export { formatVerifyReport, verifyDataset } from './verify.js';
export type { WriteOptions, WriteSummary, WriteWarning } from './write.js';
export { write } from './write.js';
