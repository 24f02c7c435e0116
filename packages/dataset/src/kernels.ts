/**
 * The dataset's bindings to `@gvl/native`: every per-base operation of the read path.
 *
 * @module
 */
import {
  type GatheredVariants,
  getDiffs,
  getReference,
  type InsertionFill,
  intervalsToTracks,
  gatherVariants as nativeGatherVariants,
  type Parallel,
  realignTracks,
  reconstructHaplotypes,
  reverseComplement,
  reverseRows,
} from '@gvl/native';
import type { DatasetFiles, TrackIntervals } from './open.js';
import type { Reference } from './reference.js';

interface Common {
  parallel: Parallel;
  signal?: AbortSignal | undefined;
}

function genoTables(files: DatasetFiles) {
  const g = files.genotypes;
  const v = files.variants;
  if (!g || !v) throw new Error('dataset has no genotypes');
  return {
    genotypes: { offsets: g.offsets, variantIdxs: g.variantIdxs },
    variants: { starts: v.start, ilens: v.ilen, alts: v.alt, altOffsets: v.altOffsets },
  };
}

/** Per-(item, haplotype) length change of the region, int32 `(n·P)`. */
export function diffs(
  a: Common & { files: DatasetFiles; regions: Int32Array; groups: BigInt64Array },
): Promise<Int32Array> {
  const ploidy = a.files.metadata.ploidy ?? 1;
  return getDiffs(
    { regions: a.regions, ploidy, groups: a.groups, ...genoTables(a.files) },
    { parallel: a.parallel, signal: a.signal },
  );
}

/** Haplotype bytes, rows delimited by `outOffsets` `(n·P + 1)`. */
export function haplotypes(
  a: Common & {
    files: DatasetFiles;
    reference: Reference;
    regions: Int32Array;
    groups: BigInt64Array;
    shifts: Int32Array;
    outOffsets: BigInt64Array;
  },
): Promise<Uint8Array> {
  return reconstructHaplotypes(
    {
      regions: a.regions,
      ploidy: a.files.metadata.ploidy ?? 1,
      groups: a.groups,
      shifts: a.shifts,
      ...genoTables(a.files),
      reference: { sequence: a.reference.data, offsets: a.reference.offsets },
      outOffsets: a.outOffsets,
      padChar: a.reference.padChar,
    },
    { parallel: a.parallel, signal: a.signal },
  );
}

/** N-padded reference bytes, rows delimited by `outOffsets` `(n + 1)`. */
export function reference(
  a: Common & { reference: Reference; regions: Int32Array; outOffsets: BigInt64Array },
): Promise<Uint8Array> {
  return getReference(
    {
      regions: a.regions,
      reference: { sequence: a.reference.data, offsets: a.reference.offsets },
      outOffsets: a.outOffsets,
      padChar: a.reference.padChar,
    },
    { parallel: a.parallel, signal: a.signal },
  );
}

/** Track values painted from intervals, rows delimited by `outOffsets` `(n + 1)`. */
export function tracks(
  a: Common & {
    track: TrackIntervals;
    regions: Int32Array;
    groups: BigInt64Array;
    outOffsets: BigInt64Array;
  },
): Promise<Float32Array> {
  const t = a.track;
  return intervalsToTracks(
    {
      regions: a.regions,
      groups: a.groups,
      intervals: { starts: t.starts, ends: t.ends, values: t.values, offsets: t.offsets },
      outOffsets: a.outOffsets,
    },
    { parallel: a.parallel, signal: a.signal },
  );
}

/** Tracks realigned to haplotypes, rows delimited by `outOffsets` `(n·P + 1)`. */
export function realign(
  a: Common & {
    files: DatasetFiles;
    track: Float32Array;
    trackOffsets: BigInt64Array;
    regions: Int32Array;
    groups: BigInt64Array;
    shifts: Int32Array;
    outOffsets: BigInt64Array;
    fill: InsertionFill;
    baseSeed: bigint;
  },
): Promise<Float32Array> {
  const { genotypes, variants } = genoTables(a.files);
  return realignTracks(
    {
      regions: a.regions,
      ploidy: a.files.metadata.ploidy ?? 1,
      groups: a.groups,
      shifts: a.shifts,
      genotypes,
      variants: { starts: variants.starts, ilens: variants.ilens },
      tracks: a.track,
      trackOffsets: a.trackOffsets,
      outOffsets: a.outOffsets,
      fill: a.fill,
      baseSeed: a.baseSeed,
    },
    { parallel: a.parallel, signal: a.signal },
  );
}

/** Reverse-complements the masked byte rows in place. */
export function rc(
  a: Common & { data: Uint8Array; offsets: BigInt64Array; mask: Uint8Array },
): Promise<Uint8Array> {
  return reverseComplement(
    { data: a.data, offsets: a.offsets, rows: a.mask },
    { parallel: a.parallel, signal: a.signal },
  );
}

/** Reverses the masked float32 rows in place. */
export function reverse(
  a: Common & { data: Float32Array; offsets: BigInt64Array; mask: Uint8Array },
): Promise<Float32Array> {
  return reverseRows(
    { data: a.data, offsets: a.offsets, rows: a.mask },
    { parallel: a.parallel, signal: a.signal },
  );
}

/**
 * Variants of each (item, haplotype) row: the stored variants of genotype group
 * `groups[r]`, as flat columns; ALT alleles of rows flagged in `rcMask` are
 * reverse-complemented (uppercase ACGT only), `start` and order unchanged.
 */
export function gatherVariants(
  a: Common & { files: DatasetFiles; groups: BigInt64Array; rcMask: Uint8Array },
): Promise<GatheredVariants> {
  const { genotypes, variants } = genoTables(a.files);
  return nativeGatherVariants(
    { groups: a.groups, genotypes, variants, rcMask: a.rcMask },
    { parallel: a.parallel, signal: a.signal },
  );
}
