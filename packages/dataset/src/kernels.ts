/**
 * The dataset's bindings to `@gvl/native`: every per-base operation of the read path.
 *
 * @module
 */
import {
  getDiffs,
  getReference,
  type InsertionFill,
  intervalsToTracks,
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

/** Variants of each (item, haplotype) group, gathered from the variant table. */
export interface GatheredVariants {
  offsets: BigInt64Array;
  start: Int32Array;
  ilen: Int32Array;
  alt: Uint8Array;
  altOffsets: BigInt64Array;
}

const COMPLEMENT = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = i;
  const pairs: [string, string][] = [
    ['A', 'T'],
    ['C', 'G'],
  ];
  for (const [a, b] of pairs) {
    t[a.charCodeAt(0)] = b.charCodeAt(0);
    t[b.charCodeAt(0)] = a.charCodeAt(0);
  }
  return t;
})();

/**
 * Gathers each group's variants (start, ilen, ALT) into flat columns; ALT alleles of
 * rows flagged in `rcMask` are reverse-complemented (uppercase ACGT only).
 */
export function gatherVariants(a: {
  files: DatasetFiles;
  groups: BigInt64Array;
  rcMask: Uint8Array;
}): GatheredVariants {
  const g = a.files.genotypes;
  const v = a.files.variants;
  if (!g || !v) throw new Error('dataset has no genotypes');
  const rows = a.groups.length;
  const offsets = new BigInt64Array(rows + 1);
  let n = 0;
  let altBytes = 0;
  for (let r = 0; r < rows; r++) {
    const grp = Number(a.groups[r]);
    const s = Number(g.offsets[grp]);
    const e = Number(g.offsets[grp + 1]);
    for (let j = s; j < e; j++) {
      const vi = g.variantIdxs[j] as number;
      altBytes += Number((v.altOffsets[vi + 1] as bigint) - (v.altOffsets[vi] as bigint));
    }
    n += e - s;
    offsets[r + 1] = BigInt(n);
  }
  const start = new Int32Array(n);
  const ilen = new Int32Array(n);
  const alt = new Uint8Array(altBytes);
  const altOffsets = new BigInt64Array(n + 1);
  let k = 0;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    const grp = Number(a.groups[r]);
    const rcRow = a.rcMask[r] === 1;
    for (let j = Number(g.offsets[grp]); j < Number(g.offsets[grp + 1]); j++) {
      const vi = g.variantIdxs[j] as number;
      start[k] = v.start[vi] as number;
      ilen[k] = v.ilen[vi] as number;
      const as = Number(v.altOffsets[vi]);
      const ae = Number(v.altOffsets[vi + 1]);
      if (rcRow) {
        for (let x = ae - 1; x >= as; x--) alt[o++] = COMPLEMENT[v.alt[x] as number] as number;
      } else {
        alt.set(v.alt.subarray(as, ae), o);
        o += ae - as;
      }
      k++;
      altOffsets[k] = BigInt(o);
    }
  }
  return { offsets, start, ilen, alt, altOffsets };
}
