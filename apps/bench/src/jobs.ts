/**
 * The jobs the driver hands to a child process (gvl-ts: `child-gvl.ts`; the peer:
 * `python/peer_child.py`) and the report each child prints. Both children take the same
 * job JSON and answer with the same fields.
 *
 * @module
 */
import type { LoaderMode } from '@gvl/dataset';

/** Output length: ragged, or a fixed length in bp. */
export type Length = 'ragged' | number;

/**
 * Batches shared by both libraries, as a JSON file: each batch is `[regions, samples]`,
 * paired lists of equal length (region indices in input BED order, sample indices in the
 * dataset's sorted sample order).
 */
export interface BatchPlanFile {
  warmup: [number[], number[]][];
  timed: [number[], number[]][];
}

/** Open a dataset (untimed), warm up, then time each batch of haplotypes. */
export interface ReadJob {
  kind: 'read';
  dataset: string;
  reference: string;
  length: Length;
  /** Path of a {@link BatchPlanFile}. */
  batches: string;
}

/** Stream haplotypes through the gvl-ts loader, measuring the event-loop delay. */
export interface LoopJob {
  kind: 'loop';
  dataset: string;
  reference: string;
  length: Length;
  mode: LoaderMode;
  /** `loader({ reuse })`: recycle the loader's output buffers. */
  reuse: boolean;
  batchSize: number;
  /** Batches measured. */
  count: number;
  /**
   * Keep streaming until this many seconds have passed, even past `count` (0: stop at
   * `count`): the event-loop histogram then holds about 1,000 samples per second
   * whatever the throughput.
   */
  seconds: number;
  /** Batches streamed before measuring. */
  warmup: number;
  seed: number;
}

/** Write a dataset from BED + VCF (no reference: the peer's write takes none). */
export interface WriteJob {
  kind: 'write';
  out: string;
  bed: string;
  vcf: string;
  /** Samples to keep, or null for all. */
  samples: string[] | null;
}

/** Ask for the library's version. */
export interface ProbeJob {
  kind: 'probe';
}

export type ChildJob = ReadJob | LoopJob | WriteJob | ProbeJob;

/** Which library a child measured. */
export type Lib = 'gvl' | 'peer';

/** What a child prints (fields absent for job kinds that do not measure them). */
export interface ChildReport {
  lib: Lib;
  version: string;
  /** Peak resident set (`VmHWM`), bytes; null off Linux. */
  peakRssBytes: number | null;
  /** read: time to open the dataset, ms (not part of any throughput). */
  openMs?: number;
  /**
   * read: growth of the private resident set (`RssAnon`: heap, copies) across the open,
   * bytes: the memory each process pays for itself.
   */
  openRssBytes?: number | null;
  /**
   * read: growth of the file-backed resident set (`RssFile`: mapped dataset pages the
   * open touched) across the open, bytes. Page cache, shared by every process that maps
   * the same files.
   */
  openFileRssBytes?: number | null;
  /** read: wall time of each timed batch, ms. */
  batchMs?: number[];
  /** read: time to copy each batch's output bytes into a reused buffer, ms. */
  floorMs?: number[];
  /** read/loop: haplotype bytes produced. */
  bytes?: number;
  /** read: SHA-256 of each batch's data bytes, then its int64 offsets rebased to 0. */
  sha256?: string;
  /** read/loop: V8 garbage collections during the timed part (null for the peer). */
  gcCount?: number | null;
  gcMajor?: number | null;
  /** loop: batches streamed, wall time, event-loop delay p99 and max, ms. */
  batches?: number;
  elapsedMs?: number;
  loopP99Ms?: number;
  loopMaxMs?: number;
  /** write: wall time, ms. */
  writeMs?: number;
  /** probe (peer): Python version. */
  python?: string;
}
