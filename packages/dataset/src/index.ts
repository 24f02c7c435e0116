/**
 * `@gvl/dataset`: ragged arrays and writing genvarloader datasets (on-disk format 2.0.0)
 * from BED + VCF (+ FASTA, + per-sample bigWigs), with the `gvl` CLI.
 *
 * @packageDocumentation
 */

export type { PlannedBatch } from './batches.js';
export { planBatches } from './batches.js';
export type { BedTable } from './bed.js';
export { parseBed, readBed } from './bed.js';
export type { BigWigTrack } from './bigwig.js';
export type { ChecksumManifest } from './checksums.js';
export { CHECKSUMS_FILE } from './checksums.js';
export type { CliCommand, CliIo } from './cli.js';
export { main, parseBigWigSpecs } from './cli.js';
export { ContigNormalizer, compareContigs, natsortContigs } from './contigs.js';
export type { Batch, BatchOptions, OpenOptions } from './dataset.js';
export { Dataset } from './dataset.js';
export type { MainJobOptions, MainJobReport } from './demo.js';
export { findData, formatMainJobReport, runMainJob } from './demo.js';
export type { DistributedInfo, LauncherSource, ShardOptions } from './distributed.js';
export { distributedEnv, shardOrder } from './distributed.js';
export type { FileErrorCode, GvlErrorCode, GvlErrorOptions, VcfErrorCode } from './errors.js';
export {
  AbortedError,
  BadDatasetError,
  BedError,
  DatasetError,
  FastaError,
  FileError,
  GvlError,
  InvalidArgumentError,
  isGvlError,
  RaggedError,
  TrackError,
  UnknownContigError,
  UnknownSampleError,
  VcfError,
} from './errors.js';
export type { RecoveryReport, SiblingKind, StaleSibling } from './files.js';
export { findStaleSiblings, recoverInterruptedWrite } from './files.js';
export type { AxisIndex, Slice } from './indexing.js';
export { slice } from './indexing.js';
export type { DatasetInfo } from './info.js';
export { datasetInfo } from './info.js';
export type { Loader, LoaderMode, LoaderOptions, LoaderShard, LoaderStats } from './loader.js';
export { LOADER_MODES } from './loader.js';
export type { DatasetMetadata, MetadataProblem } from './metadata.js';
export { FORMAT_VERSION, PEER_VERSION, parseMetadata } from './metadata.js';
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
export type { VerifyCheck, VerifyOptions, VerifyProblem, VerifyReport } from './verify.js';
export { formatVerifyReport, verifyDataset } from './verify.js';
export type { WriteOptions, WriteSummary, WriteWarning } from './write.js';
export { write } from './write.js';
