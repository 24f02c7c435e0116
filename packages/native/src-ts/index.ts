/**
 * `@gvl/native`: rayon kernels behind napi-rs for personalized-genome data
 * loading. Byte parity with the Python peer `genvarloader` (Read semantics guide,
 * §3); identical bytes serial or parallel at any thread count; every kernel as
 * an async `foo()` (off the JS thread) and a blocking `fooSync()`.
 *
 * @packageDocumentation
 */
export type { KernelCounters } from './counters.js';
export { counters } from './counters.js';
export type {
  AsyncDatasetBatchOptions,
  DatasetBatch,
  DatasetBatchOptions,
  DatasetRequest,
  DatasetSourceInput,
  SourceRows,
  SourceTrackInput,
} from './dataset-source.js';
export { DatasetSource } from './dataset-source.js';
export type { DiffsInput } from './diffs.js';
export { getDiffs, getDiffsSync } from './diffs.js';
export type {
  AsciiEncoding,
  OneHotEncoding,
  SeqEncoding,
  SeqEncodingInfo,
  TokenEncoding,
} from './encoding.js';
export { checkSeqEncoding } from './encoding.js';
export type { ErrorDetail, NativeErrorCode } from './errors.js';
export {
  AbortError,
  AddonConflictError,
  AllocationError,
  IndexOutOfRangeError,
  InvalidArgumentError,
  NativeError,
  NativeLoadError,
  NativePanicError,
  OutputTooLargeError,
  PoolBuildError,
  PoolConfiguredError,
  UnsupportedPlatformError,
} from './errors.js';
export { exchangePaths } from './fs.js';
export type {
  AsyncHaplotypeBatchOptions,
  HaplotypeBatch,
  HaplotypeBatchOptions,
  HaplotypeRequest,
  HaplotypeSourceInput,
} from './haplotype-source.js';
export { HaplotypeSource } from './haplotype-source.js';
export type { HaplotypesInput } from './haplotypes.js';
export { reconstructHaplotypes, reconstructHaplotypesSync } from './haplotypes.js';
export type { LimitOptions, LimitsInfo } from './limits.js';
export { configureLimits, limitsInfo } from './limits.js';
export { mapFile } from './mmap.js';
export type { BindingChoice, HostPlatform, Libc } from './platform.js';
export {
  BINDING_ENV,
  currentHost,
  platformTriple,
  SUPPORTED_PLATFORMS,
  selectBinding,
} from './platform.js';
export type { Parallel, PoolInfo, PoolOptions } from './pool.js';
export { configurePool, poolInfo } from './pool.js';
export { hash4, xorshift64 } from './prng.js';
export type { InsertionFill, RealignInput } from './realign.js';
export { checkInsertionFill, realignTracks, realignTracksSync } from './realign.js';
export type { ReferenceInput } from './reference.js';
export { getReference, getReferenceSync } from './reference.js';
export { peerRegionOrder } from './region-order.js';
export type { AsyncRowsOptions, RowsInput, RowsOptions } from './reverse.js';
export {
  reverseComplement,
  reverseComplementSync,
  reverseRows,
  reverseRowsSync,
} from './reverse.js';
export type { TracksInput } from './tracks.js';
export { intervalsToTracks, intervalsToTracksSync } from './tracks.js';
export type {
  AsyncKernelOptions,
  GenotypeTable,
  IntervalTable,
  KernelOptions,
  ReferenceSequence,
  VariantPositions,
  VariantTable,
} from './types.js';
export type {
  AsyncGatherOptions,
  DummyVariant,
  GatheredVariants,
  GatherOptions,
  GatherVariantsInput,
  VariantCounts,
} from './variants.js';
export {
  checkDummyVariant,
  countVariants,
  countVariantsSync,
  gatherVariants,
  gatherVariantsSync,
} from './variants.js';
